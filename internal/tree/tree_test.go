package tree

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestCopy(t *testing.T) {
	src := t.TempDir()
	for name, body := range map[string]string{
		"app.wasm": "wasm", "app.wasm.br": "br", "style.css": "css",
		"data/a.json": "{}", "data/deep/b.json": "[]",
	} {
		p := filepath.Join(src, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		name string
		keep func(string) bool
		want []string
	}{
		{"all", nil, []string{"app.wasm", "app.wasm.br", "data/a.json", "data/deep/b.json", "style.css"}},
		{"no app.wasm", func(rel string) bool { return !strings.HasPrefix(rel, "app.wasm") },
			[]string{"data/a.json", "data/deep/b.json", "style.css"}},
		{"no data directory", func(rel string) bool { return rel != "data" },
			[]string{"app.wasm", "app.wasm.br", "style.css"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dst := filepath.Join(t.TempDir(), "out")
			if err := Copy(src, dst, c.keep); err != nil {
				t.Fatal(err)
			}
			var got []string
			_ = filepath.WalkDir(dst, func(p string, d os.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					rel, _ := filepath.Rel(dst, p)
					got = append(got, filepath.ToSlash(rel))
				}
				return err
			})
			if !slices.Equal(got, c.want) {
				t.Errorf("copied %q; want %q", got, c.want)
			}
			if b, err := os.ReadFile(filepath.Join(dst, c.want[0])); err != nil || len(b) == 0 {
				t.Errorf("%s not copied whole: %q, %v", c.want[0], b, err)
			}
		})
	}
	if err := Copy(filepath.Join(src, "missing"), t.TempDir(), nil); err == nil {
		t.Error("copying a missing directory: no error")
	}
}
