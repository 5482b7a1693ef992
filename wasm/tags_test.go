//go:build !js

package main

import (
	"go/build/constraint"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestAllWasmTags walks the module and fails if a file that imports a
// browser-only package (syscall/js, go-indexeddb, safejs) could be part of
// a native build: such a file needs `//go:build js && wasm`. The engine
// and the UI (app/) must not import them at all, so they build natively.
func TestAllWasmTags(t *testing.T) {
	checked := 0
	err := filepath.WalkDir("..", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if base := d.Name(); name != ".." && (strings.HasPrefix(base, ".") || base == "testdata" || base == "dist" || base == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") {
			return nil
		}
		src, err := os.ReadFile(name)
		if err != nil {
			return err
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, src, parser.ImportsOnly|parser.ParseComments)
		if err != nil {
			return err
		}
		checked++
		var browserOnly []string
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if path == "syscall/js" || strings.HasPrefix(path, "github.com/hack-pad/") {
				browserOnly = append(browserOnly, path)
			}
		}
		if len(browserOnly) == 0 {
			return nil
		}
		rel := filepath.ToSlash(strings.TrimPrefix(name, "../"))
		if strings.HasPrefix(rel, "app/") {
			t.Errorf("%s imports %v: app/ must stay plain Go; put browser code in a wasm/ adapter", rel, browserOnly)
		}
		if !needsJSWasm(buildConstraint(src, f.Package)) {
			t.Errorf("%s imports %v but lacks the //go:build js && wasm constraint", rel, browserOnly)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 20 {
		t.Fatalf("checked only %d Go files; is the walk rooted at the module?", checked)
	}
}

// buildConstraint returns the //go:build line above the package clause.
func buildConstraint(src []byte, pkg token.Pos) constraint.Expr {
	for line := range strings.Lines(string(src[:pkg-1])) {
		if constraint.IsGoBuild(line) {
			if expr, err := constraint.Parse(line); err == nil {
				return expr
			}
		}
	}
	return nil
}

// needsJSWasm reports whether expr excludes the file from every build
// that is not both js and wasm, whatever the other tags.
func needsJSWasm(expr constraint.Expr) bool {
	if expr == nil {
		return false
	}
	for _, missing := range []string{"js", "wasm"} {
		for _, others := range []bool{false, true} {
			if expr.Eval(func(tag string) bool {
				switch tag {
				case missing:
					return false
				case "js", "wasm":
					return true
				}
				return others
			}) {
				return false
			}
		}
	}
	return true
}

func TestNeedsJSWasm(t *testing.T) {
	for line, want := range map[string]bool{
		"//go:build js && wasm":         true,
		"//go:build wasm && js":         true,
		"//go:build js && wasm && !foo": true,
		"//go:build js":                 false,
		"//go:build !(js && wasm)":      false,
		"//go:build js || wasm":         false,
		"//go:build linux":              false,
	} {
		expr, err := constraint.Parse(line)
		if err != nil {
			t.Fatal(err)
		}
		if got := needsJSWasm(expr); got != want {
			t.Errorf("needsJSWasm(%q) = %v; want %v", line, got, want)
		}
	}
	if needsJSWasm(nil) {
		t.Error("needsJSWasm(nil) = true; want false")
	}
}
