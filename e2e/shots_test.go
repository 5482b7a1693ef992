//go:build !(js && wasm)

package e2e

import (
	"os"
	"path/filepath"
	"testing"
)

// shotsDir is where a test writes its screenshots: $STAMPEDE_SHOTS when
// set (`make screenshots` sets it to docs/, to rewrite the README's
// pictures), else a temporary directory of the test's own, so that
// `make test` takes and checks them without touching the working tree.
func shotsDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("STAMPEDE_SHOTS")
	if dir == "" {
		return t.TempDir()
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// writeShot checks that png is a PNG and writes it to the shots
// directory as name.
func writeShot(t *testing.T, name string, png []byte) {
	t.Helper()
	if !isPNG(png) {
		t.Fatalf("screenshot %s is not a PNG (%d bytes)", name, len(png))
	}
	file := filepath.Join(shotsDir(t), name)
	if err := os.WriteFile(file, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s (%d bytes)", file, len(png))
}
