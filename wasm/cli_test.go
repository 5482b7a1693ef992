//go:build !wasm

package main

import (
	"html"
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
			wantWasm := strings.TrimSuffix(base, "/") + "/web/app.wasm?v="
			if !strings.Contains(page, `<link rel="preload" href="`+wantWasm) || !strings.Contains(page, `as="fetch" crossorigin="anonymous">`) {
				t.Errorf("index.html does not preload %s as a CORS fetch", wantWasm)
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

// TestBuildAddress checks the site's public address: with -url the page
// carries it as og:url and a canonical link, and is built under its
// path; without -url it names no address at all, and never the build's
// temporary server on 127.0.0.1.
func TestBuildAddress(t *testing.T) {
	web := t.TempDir()
	for name, body := range map[string]string{"app.wasm": "\x00asm fake", "stampede.css": "body{}", "icon.svg": "<svg/>", "data/a.json": "{}"} {
		_ = os.MkdirAll(filepath.Dir(filepath.Join(web, name)), 0o755)
		if err := os.WriteFile(filepath.Join(web, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		name, url, base   string
		wantURL, wantBase string // wantURL "" means no og:url and no canonical link
		wantErr           string
	}{
		{"no address", "", "", "", "/", ""},
		{"no address, sub-path", "", "/stampede/", "", "/stampede/", ""},
		{"project site", "https://owner.github.io/stampede/", "", "https://owner.github.io/stampede/", "/stampede/", ""},
		{"no trailing slash", "https://owner.github.io/stampede", "", "https://owner.github.io/stampede/", "/stampede/", ""},
		{"custom domain, same base", "https://demo.example.org/", "/", "https://demo.example.org/", "/", ""},
		{"escaped", "https://example.org/a&b/", "", "https://example.org/a&b/", "/a&b/", ""},
		{"base differs", "https://owner.github.io/stampede/", "/other/", "", "", "but -base is /other/"},
		{"relative", "/stampede/", "", "", "", "want the site's address"},
		{"not http", "ftp://example.org/", "", "", "", "want the site's address"},
		{"query", "https://example.org/?x=1", "", "", "", "want the site's address"},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "dist")
			args := []string{"-out", out, "-web", web}
			if c.url != "" {
				args = append(args, "-url", c.url)
			}
			if c.base != "" {
				args = append(args, "-base", c.base)
			}
			err := buildCmd(args)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("build %q: %v; want an error containing %q", args, err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			b, _ := os.ReadFile(filepath.Join(out, "index.html"))
			page := string(b)
			if strings.Contains(page, "127.0.0.1") {
				t.Errorf("index.html names the build's temporary server:\n%s", grepLines(page, "127.0.0.1"))
			}
			og, canon := strings.Count(page, `property="og:url"`), strings.Count(page, `rel="canonical"`)
			if c.wantURL == "" {
				if og != 0 || canon != 0 {
					t.Errorf("built without -url: %d og:url, %d canonical links; want none:\n%s", og, canon, grepLines(page, "og:url", "canonical"))
				}
			} else {
				want := `<meta property="og:url" content="` + html.EscapeString(c.wantURL) + `">` + "\n" +
					`<link rel="canonical" href="` + html.EscapeString(c.wantURL) + `">`
				if og != 1 || canon != 1 || !strings.Contains(page, want) {
					t.Errorf("index.html has %d og:url and %d canonical links; want exactly\n%s\ngot:\n%s", og, canon, want, grepLines(page, "og:url", "canonical"))
				}
			}
			if want := `href="` + strings.TrimSuffix(c.wantBase, "/") + `/web/stampede.css?v=`; !strings.Contains(page, want) {
				t.Errorf("index.html does not link %s: the site is not built under %s", want, c.wantBase)
			}
		})
	}
}

// TestFixAddress: go-app writes og:url's two attributes in either order.
func TestFixAddress(t *testing.T) {
	for _, tag := range []string{`<meta property="og:url" content="http://127.0.0.1:4242/">`, `<meta content="http://127.0.0.1:4242/" property="og:url">`} {
		index := filepath.Join(t.TempDir(), "index.html")
		if err := os.WriteFile(index, []byte("<head>\n"+tag+"\n<title>x</title>"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := fixAddress(index, nil); err != nil {
			t.Fatal(err)
		}
		if b, _ := os.ReadFile(index); string(b) != "<head>\n<title>x</title>" {
			t.Errorf("%s: left %q", tag, b)
		}
	}
	index := filepath.Join(t.TempDir(), "index.html")
	_ = os.WriteFile(index, []byte("<head><title>no og:url</title>"), 0o644)
	if err := fixAddress(index, nil); err == nil {
		t.Error("a page without go-app's og:url: no error, so a changed go-app would go unnoticed")
	}
}

func grepLines(s string, subs ...string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		for _, sub := range subs {
			if strings.Contains(l, sub) {
				out = append(out, l)
				break
			}
		}
	}
	return strings.Join(out, "\n")
}
