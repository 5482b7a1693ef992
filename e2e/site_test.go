//go:build !(js && wasm)

package e2e

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// site is the static site, built once per test binary.
var site struct {
	once sync.Once
	dist string // the built site, or "" when the build failed
	root string // the module root
	err  string // what went wrong building it
	dir  string // temporary directory holding web/ and dist/
}

// buildSite builds app.wasm and the static site the way `make build`
// does, but into a temporary copy of web/, so the test neither races with
// nor clobbers a web/app.wasm someone else is building or serving. It
// returns the module root and the dist directory.
func buildSite(t *testing.T) (root, dist string) {
	t.Helper()
	site.once.Do(func() {
		site.root, site.dist, site.err = doBuildSite()
	})
	if site.err != "" {
		t.Fatal(site.err)
	}
	return site.root, site.dist
}

// cleanupSite removes the build directory; TestMain calls it after the
// tests ran.
func cleanupSite() {
	if site.dir != "" {
		os.RemoveAll(site.dir)
	}
}

func doBuildSite() (root, dist, errMsg string) {
	root, err := filepath.Abs("..")
	if err != nil {
		return "", "", err.Error()
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		return "", "", "module root not found: " + err.Error()
	}
	dir, err := os.MkdirTemp("", "stampede-e2e-")
	if err != nil {
		return "", "", err.Error()
	}
	site.dir = dir
	web := filepath.Join(dir, "web")
	if err := copyWeb(filepath.Join(root, "web"), web); err != nil {
		return "", "", "copying web/: " + err.Error()
	}

	// As the Makefile's wasm target: GOOS=js GOARCH=wasm go build -trimpath -ldflags="-s -w".
	build := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", filepath.Join(web, "app.wasm"), "./wasm")
	build.Dir = root
	build.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if out, err := build.CombinedOutput(); err != nil {
		return "", "", "GOOS=js GOARCH=wasm go build ./wasm: " + err.Error() + "\n" + string(out)
	}

	dist = filepath.Join(dir, "dist")
	gen := exec.Command("go", "run", "./wasm", "build", "-out", dist, "-base", "/", "-web", web)
	gen.Dir = root
	gen.Env = nativeEnv()
	if out, err := gen.CombinedOutput(); err != nil {
		return "", "", "go run ./wasm build: " + err.Error() + "\n" + string(out)
	}
	return root, dist, ""
}

// nativeEnv is the environment without GOOS and GOARCH, so `go run`
// builds for this machine even when the caller exported js/wasm.
func nativeEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "GOOS=") || strings.HasPrefix(kv, "GOARCH=") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// copyWeb copies the static assets, leaving out any app.wasm already
// built there (and its compressed copies).
func copyWeb(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		if strings.HasPrefix(d.Name(), "app.wasm") {
			return nil
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
}

// syncBuffer is a bytes.Buffer safe for the browser's output goroutine.
type syncBuffer struct {
	mu  sync.Mutex // protects buf
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
