//go:build !wasm

package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// workflow is the part of a GitHub Actions workflow the Pages deploy
// relies on.
type workflow struct {
	On          map[string]yaml.Node `yaml:"on"` // event -> its settings, null for workflow_dispatch
	Permissions map[string]string    `yaml:"permissions"`
	Concurrency struct {
		Group            string `yaml:"group"`
		CancelInProgress *bool  `yaml:"cancel-in-progress"`
	} `yaml:"concurrency"`
	Jobs map[string]job `yaml:"jobs"`
}

type job struct {
	RunsOn      string    `yaml:"runs-on"`
	Needs       yaml.Node `yaml:"needs"`
	Environment struct {
		Name string `yaml:"name"`
		URL  string `yaml:"url"`
	} `yaml:"environment"`
	Steps []step `yaml:"steps"`
}

type step struct {
	ID   string            `yaml:"id"`
	Name string            `yaml:"name"`
	Uses string            `yaml:"uses"`
	Run  string            `yaml:"run"`
	With map[string]string `yaml:"with"`
}

// TestWorkflow checks .github/workflows/pages.yml: on a push to main or
// by hand, test, ask Pages for the site's address, build for it (so
// og:url and the canonical link are the real address), upload dist/ and
// deploy it.
func TestWorkflow(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", ".github", "workflows", "pages.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var w workflow
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	dec.KnownFields(false)
	if err := dec.Decode(&w); err != nil {
		t.Fatalf("pages.yml is not valid YAML: %v", err)
	}
	var push struct {
		Branches []string `yaml:"branches"`
	}
	if n, ok := w.On["push"]; !ok {
		t.Error("on: no push")
	} else if err := n.Decode(&push); err != nil || !slices.Contains(push.Branches, "main") {
		t.Errorf("on.push.branches = %q (%v); want main", push.Branches, err)
	}
	if _, ok := w.On["workflow_dispatch"]; !ok {
		t.Error("on: no workflow_dispatch, so no deploy by hand")
	}
	for k, v := range map[string]string{"contents": "read", "pages": "write", "id-token": "write"} {
		if w.Permissions[k] != v {
			t.Errorf("permissions.%s = %q; want %q", k, w.Permissions[k], v)
		}
	}
	if w.Concurrency.Group != "pages" {
		t.Errorf("concurrency.group = %q; want pages", w.Concurrency.Group)
	}

	build, ok := w.Jobs["build"]
	if !ok {
		t.Fatalf("jobs = %v; want build and deploy", keys(w.Jobs))
	}
	// The steps that matter, in this order.
	want := []struct {
		what  string
		match func(step) bool
	}{
		{"actions/checkout", func(s step) bool { return strings.HasPrefix(s.Uses, "actions/checkout@v") }},
		{"actions/setup-go with go-version-file: go.mod", func(s step) bool {
			return strings.HasPrefix(s.Uses, "actions/setup-go@v") && s.With["go-version-file"] == "go.mod"
		}},
		{"run: make test", func(s step) bool { return strings.HasPrefix(s.Run, "make test") }},
		{"actions/configure-pages with id: pages", func(s step) bool {
			return strings.HasPrefix(s.Uses, "actions/configure-pages@v") && s.ID == "pages"
		}},
		{"run: make build URL=${{ steps.pages.outputs.base_url }}/", func(s step) bool {
			return s.Run == "make build URL=${{ steps.pages.outputs.base_url }}/"
		}},
		{"actions/upload-pages-artifact with path: dist", func(s step) bool {
			return strings.HasPrefix(s.Uses, "actions/upload-pages-artifact@v") && s.With["path"] == "dist"
		}},
	}
	i := 0
	for _, s := range build.Steps {
		if s.Uses == "" && s.Run == "" {
			t.Errorf("build step %q has neither uses nor run", s.Name)
		}
		if i < len(want) && want[i].match(s) {
			i++
		}
	}
	if i < len(want) {
		t.Errorf("build job: no step %s after the ones before it", want[i].what)
	}

	deploy, ok := w.Jobs["deploy"]
	if !ok {
		t.Fatalf("jobs = %v; want a deploy job", keys(w.Jobs))
	}
	if deploy.Needs.Value != "build" && !slices.ContainsFunc(deploy.Needs.Content, func(n *yaml.Node) bool { return n.Value == "build" }) {
		t.Error("deploy does not need build")
	}
	if deploy.Environment.Name != "github-pages" {
		t.Errorf("deploy environment = %q; want github-pages", deploy.Environment.Name)
	}
	if !slices.ContainsFunc(deploy.Steps, func(s step) bool { return strings.HasPrefix(s.Uses, "actions/deploy-pages@v") }) {
		t.Error("deploy job does not use actions/deploy-pages")
	}
	for name, j := range w.Jobs {
		if j.RunsOn == "" {
			t.Errorf("job %s has no runs-on", name)
		}
	}
}

func keys[V any](m map[string]V) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// TestBuildFreshDeploy checks, in the built files, what keeps a returning
// visitor from running an old app.wasm: the version in app.wasm's URL in
// app.js and in the worker's list, the worker installing past the HTTP
// cache, and the version in the prerendered footer.
func TestBuildFreshDeploy(t *testing.T) {
	web := t.TempDir()
	for name, body := range map[string]string{"app.wasm": "\x00asm fake", "stampede.css": "body{}", "icon.svg": "<svg/>", "data/a.json": "{}"} {
		_ = os.MkdirAll(filepath.Dir(filepath.Join(web, name)), 0o755)
		if err := os.WriteFile(filepath.Join(web, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	version, err := versionOf(web)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "dist")
	if err := buildCmd([]string{"-out", out, "-base", "/stampede/", "-web", web}); err != nil {
		t.Fatal(err)
	}
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	wasmURL := `"/stampede/web/app.wasm?v=` + version + `"`
	if js := read("app.js"); !strings.Contains(js, wasmURL) || !strings.Contains(js, `"GOAPP_VERSION":"`+version+`"`) {
		t.Errorf("app.js does not load %s or lacks GOAPP_VERSION %s", wasmURL, version)
	}
	worker := read("app-worker.js")
	if !strings.Contains(worker, wasmURL) || !strings.Contains(worker, `cache: "reload"`) || !strings.Contains(worker, `"app-" + "`+version+`"`) {
		t.Errorf("app-worker.js lacks %s, cache: \"reload\" or its versioned cache name:\n%s", wasmURL, worker)
	}
	index := read("index.html")
	if !strings.Contains(index, `id="version"`) || !strings.Contains(index, ">"+version+"<") {
		t.Errorf("index.html's footer does not show version %s", version)
	}
}
