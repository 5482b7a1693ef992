//go:build !wasm

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBuild writes the site from a stand-in web directory and checks what
// a static host needs: the page, go-app's files, the assets, the data
// files next to the page, a compressed app.wasm, the CSP, the base path,
// and a version that changes with the assets.
func TestBuild(t *testing.T) {
	web := t.TempDir()
	for name, body := range map[string]string{
		"app.wasm":        "\x00asm fake",
		"stampede.css":    "body{}",
		"icon.svg":        "<svg/>",
		"data/stuff.json": `{"stuff":1}`,
	} {
		p := filepath.Join(web, name)
		_ = os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, base := range []string{"/", "/stampede/"} {
		t.Run(base, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "dist")
			if err := buildCmd([]string{"-out", out, "-base", base, "-web", web}); err != nil {
				t.Fatal(err)
			}
			for _, f := range []string{"index.html", "app.js", "app-worker.js", "wasm_exec.js", "manifest.webmanifest",
				"web/app.wasm", "web/app.wasm.gz", "web/app.wasm.br", "web/stampede.css", "data/stuff.json"} {
				if _, err := os.Stat(filepath.Join(out, f)); err != nil {
					t.Errorf("missing %s", f)
				}
			}
			if _, err := os.Stat(filepath.Join(out, "web/data")); err == nil {
				t.Error("data files copied under web/ too")
			}
			index, _ := os.ReadFile(filepath.Join(out, "index.html"))
			page := string(index)
			if !strings.Contains(page, "Content-Security-Policy") || !strings.Contains(page, "'wasm-unsafe-eval'") {
				t.Error("index.html has no Content-Security-Policy allowing only wasm eval")
			}
			wantCSS := strings.TrimSuffix(base, "/") + "/web/stampede.css?v="
			if !strings.Contains(page, `href="`+wantCSS) {
				t.Errorf("index.html does not link %s", wantCSS)
			}
			worker, _ := os.ReadFile(filepath.Join(out, "app-worker.js"))
			if !strings.Contains(string(worker), "appFiles.has(key)") {
				t.Error("app-worker.js is not Stampede's worker that leaves data fetches alone")
			}
			appJS, _ := os.ReadFile(filepath.Join(out, "app.js"))
			if want := "const total = 9;"; !strings.Contains(string(appJS), want) || strings.Contains(string(appJS), progressTotal) {
				t.Errorf("app.js does not take the loading progress's total from app.wasm's size: want %q", want)
			}
		})
	}
	v1, _ := versionOf(web)
	_ = os.WriteFile(filepath.Join(web, "app.wasm"), []byte("\x00asm v2"), 0o644)
	v2, _ := versionOf(web)
	if v1 == v2 || len(v1) != 12 {
		t.Errorf("version %q -> %q, want a new 12-digit version after app.wasm changed", v1, v2)
	}
	if err := buildCmd([]string{"-web", t.TempDir(), "-out", t.TempDir()}); err == nil || !strings.Contains(err.Error(), "make build") {
		t.Errorf("build without app.wasm: %v, want a message saying to run make build", err)
	}
}
