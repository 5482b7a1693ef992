//go:build !(js && wasm)

package main

import (
	"reflect"
	"testing"
)

func TestGoPackage(t *testing.T) {
	known := map[string]string{}
	for _, p := range []string{"runtime", "fmt", "encoding/json", "encoding", "github.com/maxence-charriere/go-app/v9/pkg/app", "slices", "github.com/a/b"} {
		known[wasmName(p)] = p
	}
	for _, tt := range []struct{ sym, want string }{
		{"runtime.mallocgc", "runtime"},
		{"fmt.__pp_.doPrintf", "fmt"},
		{"encoding_json.__decodeState_.literalStore", "encoding/json"},
		{"encoding.TextMarshaler.MarshalText", "encoding"},
		{"github.com_maxence_charriere_go_app_v9_pkg_app.__htmlDiv_.Class", "github.com/maxence-charriere/go-app/v9/pkg/app"},
		{"slices.Sort_go.shape.__github.com_a_b.T_", "slices"},
		{"github.com_a_b.F_..._.func1", "github.com/a/b"},
		{"other_pkg.F", "other_pkg"},
		{"type_.eq.runtime.mTraceState", "(type equality)"},
		{"memeqbody", "memeqbody"},
		{"", "(unnamed)"},
	} {
		if got := goPackage(tt.sym, known); got != tt.want {
			t.Errorf("goPackage(%q) = %q; want %q", tt.sym, got, tt.want)
		}
	}
}
func TestParseWasmSizes(t *testing.T) {
	b := []byte("\x00asm\x01\x00\x00\x00")
	sec := func(id byte, body ...byte) {
		b = append(b, id, byte(len(body)))
		b = append(b, body...)
	}
	// one imported function (index 0), then two bodies: indices 1 and 2
	sec(2, 1, 1, 'm', 1, 'f', 0, 0)
	sec(10, 2, 3, 0, 0, 0x0b, 1, 0x0b)
	names := []byte{2, 1, 5, 'a', '.', 'F', 'o', 'o', 2, 3, 'b', '.', 'G'}
	sub := append([]byte{1, byte(len(names))}, names...)
	sec(0, append([]byte{4, 'n', 'a', 'm', 'e'}, sub...)...)
	ws, err := parseWasmSizes(b, []string{"a"})
	if err != nil {
		t.Fatal(err)
	}
	want := []pkgSize{{"a", 4, 1}, {"b", 2, 1}}
	if !reflect.DeepEqual(ws.Pkgs, want) || ws.Code != 7 {
		t.Errorf("got %+v code %d; want %+v code 7", ws.Pkgs, ws.Code, want)
	}
}
