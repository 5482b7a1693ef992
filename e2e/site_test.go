//go:build !(js && wasm)

package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stampede-playground/stampede/internal/tree"
)

// site is the static site, built once per test binary.
var site struct {
	once sync.Once
	dist string // the built site, or "" when the build failed
	root string // the module root
	err  string // what went wrong building it
	dir  string // temporary directory holding web/ and dist/
	web  string // the copy of web/ with app.wasm built into it
	cli  string // the native CLI (go build ./wasm) that wrote dist
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
	if err := tree.Copy(filepath.Join(root, "web"), web, func(rel string) bool { return !strings.HasPrefix(rel, "app.wasm") }); err != nil {
		return "", "", "copying web/: " + err.Error()
	}

	// As the Makefile's wasm target: GOOS=js GOARCH=wasm go build -trimpath -ldflags="-s -w".
	build := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", filepath.Join(web, "app.wasm"), "./wasm")
	build.Dir = root
	build.Env = append(nativeEnv(), "GOOS=js", "GOARCH=wasm")
	if out, err := build.CombinedOutput(); err != nil {
		return "", "", "GOOS=js GOARCH=wasm go build ./wasm: " + err.Error() + "\n" + string(out)
	}
	cli := filepath.Join(dir, "stampede")
	build = exec.Command("go", "build", "-o", cli, "./wasm")
	build.Dir = root
	build.Env = nativeEnv()
	if out, err := build.CombinedOutput(); err != nil {
		return "", "", "go build ./wasm: " + err.Error() + "\n" + string(out)
	}

	dist = filepath.Join(dir, "dist")
	gen := exec.Command(cli, "build", "-out", dist, "-base", "/", "-web", web)
	gen.Dir = root
	if out, err := gen.CombinedOutput(); err != nil {
		return "", "", "stampede build: " + err.Error() + "\n" + string(out)
	}
	site.web, site.cli = web, cli
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
