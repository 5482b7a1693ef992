//go:build !(js && wasm)

package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// pkgSize is how many bytes of a wasm binary's code section belong to
// one Go package's functions.
type pkgSize struct {
	Pkg   string
	Bytes int // function bodies, with their size prefixes
	Funcs int
}

// wasmSizes is what wasmPackageSizes reads from a binary.
type wasmSizes struct {
	Total, Code, Data int // the file, the code section, the data section
	Pkgs              []pkgSize
}

// wasmPackageSizes attributes the code section of the wasm binary at path
// to Go packages, biggest first. It needs the "name" custom section, so
// the binary must be built without -ldflags=-s (go tool nm does not read
// wasm). Data (rodata, type descriptors, pclntab) is not attributed: Go
// writes it as a few large segments without names.
//
// pkgs are the import paths linked in (go list -deps): the name section
// writes "/" as "_", so they tell "encoding/json" from a package named
// encoding_json. Functions of packages missing from pkgs are grouped by
// the text before their name's first dot.
func wasmPackageSizes(path string, pkgs []string) (wasmSizes, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return wasmSizes{}, err
	}
	return parseWasmSizes(b, pkgs)
}

func parseWasmSizes(b []byte, pkgs []string) (wasmSizes, error) {
	if len(b) < 8 || !bytes.Equal(b[:4], []byte("\x00asm")) {
		return wasmSizes{}, errors.New("not a wasm binary")
	}
	ws := wasmSizes{Total: len(b)}
	r := &wasmReader{b: b, off: 8}
	var (
		imported  int   // imported functions come first in the index space
		bodySizes []int // by code-section position
		names     = map[int]string{}
	)
	for r.off < len(b) {
		id := r.byte()
		size := int(r.uleb())
		if r.err != nil || size > len(b)-r.off {
			return ws, fmt.Errorf("section at %d: truncated", r.off)
		}
		sec := &wasmReader{b: b[r.off : r.off+size]}
		r.off += size
		switch id {
		case 0: // custom
			if sec.name() == "name" {
				readFuncNames(sec, names)
			}
		case 2: // import
			for n := sec.uleb(); n > 0 && sec.err == nil; n-- {
				sec.name()
				sec.name()
				switch kind := sec.byte(); kind {
				case 0: // func: type index
					sec.uleb()
					imported++
				case 1: // table: reftype, limits
					sec.byte()
					sec.limits()
				case 2: // memory
					sec.limits()
				case 3: // global: valtype, mutability
					sec.byte()
					sec.byte()
				default:
					return ws, fmt.Errorf("import kind %d", kind)
				}
			}
		case 10: // code
			ws.Code = size
			for n := sec.uleb(); n > 0 && sec.err == nil; n-- {
				start := sec.off
				body := int(sec.uleb())
				sec.off += body
				bodySizes = append(bodySizes, sec.off-start)
			}
		case 11: // data
			ws.Data = size
		}
		if sec.err != nil {
			return ws, fmt.Errorf("section %d: %v", id, sec.err)
		}
	}
	if len(names) == 0 {
		return ws, errors.New(`no "name" section: build without -ldflags=-s`)
	}
	known := map[string]string{}
	for _, p := range pkgs {
		known[wasmName(p)] = p
	}
	byPkg := map[string]*pkgSize{}
	for i, n := range bodySizes {
		pkg := goPackage(names[imported+i], known)
		p := byPkg[pkg]
		if p == nil {
			p = &pkgSize{Pkg: pkg}
			byPkg[pkg] = p
		}
		p.Bytes += n
		p.Funcs++
	}
	for _, p := range byPkg {
		ws.Pkgs = append(ws.Pkgs, *p)
	}
	sort.Slice(ws.Pkgs, func(i, j int) bool {
		if ws.Pkgs[i].Bytes != ws.Pkgs[j].Bytes {
			return ws.Pkgs[i].Bytes > ws.Pkgs[j].Bytes
		}
		return ws.Pkgs[i].Pkg < ws.Pkgs[j].Pkg
	})
	return ws, nil
}

// readFuncNames reads the function-names subsection (id 1) of a "name"
// section.
func readFuncNames(r *wasmReader, names map[int]string) {
	for r.off < len(r.b) && r.err == nil {
		id := r.byte()
		size := int(r.uleb())
		if r.err != nil || size > len(r.b)-r.off {
			return
		}
		if id == 1 {
			sub := &wasmReader{b: r.b[r.off : r.off+size]}
			for n := sub.uleb(); n > 0 && sub.err == nil; n-- {
				i := int(sub.uleb())
				names[i] = sub.name()
			}
		}
		r.off += size
	}
}

// wasmName is how the linker writes a symbol name into the "name"
// section: every rune other than a letter, digit, _ or . becomes _
// (cmd/link/internal/wasm's nameRegexp), so "github.com/a/b.(*T).M" is
// written "github.com_a_b.__T_.M".
func wasmName(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '_' || r == '.' || r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return r
		}
		return '_'
	}, s)
}

// goPackage is the package of a function named sym in the "name"
// section: the longest prefix of sym, ending before a dot, that is a
// package in known (wasm names to import paths), else the text before the
// first dot. Compiler-generated equality functions form one group.
func goPackage(sym string, known map[string]string) string {
	switch {
	case sym == "":
		return "(unnamed)"
	case strings.HasPrefix(sym, "type_.eq."):
		return "(type equality)"
	}
	pkg := ""
	for i := 0; i < len(sym); i++ {
		if sym[i] != '.' {
			continue
		}
		if pkg == "" {
			pkg = sym[:i]
		}
		if p, ok := known[sym[:i]]; ok {
			pkg = p
		}
	}
	if pkg == "" {
		return sym // assembly: memeqbody, wasm_export_run, …
	}
	if p, ok := known[pkg]; ok {
		return p
	}
	return pkg
}

// wasmReader reads the binary format's LEB128 integers and names; the
// first error sticks.
type wasmReader struct {
	b   []byte
	off int
	err error
}

var errTruncated = errors.New("truncated")

func (r *wasmReader) byte() byte {
	if r.off >= len(r.b) {
		r.err = errTruncated
		return 0
	}
	c := r.b[r.off]
	r.off++
	return c
}

func (r *wasmReader) uleb() uint64 {
	var v uint64
	for shift := 0; shift < 64 && r.err == nil; shift += 7 {
		c := r.byte()
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return v
		}
	}
	return v
}

func (r *wasmReader) name() string {
	n := int(r.uleb())
	if r.err != nil || n > len(r.b)-r.off {
		r.err = errTruncated
		return ""
	}
	s := string(r.b[r.off : r.off+n])
	r.off += n
	return s
}

func (r *wasmReader) limits() {
	if flag := r.byte(); flag&1 != 0 {
		r.uleb()
		r.uleb()
	} else {
		r.uleb()
	}
}

// packageSizes adds the "app.wasm by package" section to the report.
func (b *bench) packageSizes() error {
	md, err := b.packageSizesMD("./wasm", "./wasm/internal/bench/hello", 15)
	if err != nil {
		return err
	}
	b.rep.details = append(b.rep.details, md)
	return nil
}

// packageSizesMD is the "app.wasm by package" section of BENCHMARKS.md:
// the top packages of an unstripped build of pkg, with the hello world's
// figure beside each.
func (b *bench) packageSizesMD(pkg, helloPkg string, top int) (string, error) {
	app, err := b.namedSizes(pkg, "app-names.wasm")
	if err != nil {
		return "", err
	}
	hello, err := b.namedSizes(helloPkg, "hello-names.wasm")
	if err != nil {
		return "", err
	}
	base := map[string]int{}
	for _, p := range hello.Pkgs {
		base[p.Pkg] = p.Bytes
	}
	// Biggest additions first: what app.wasm has that the hello world
	// has not is what there is to drop.
	pkgs := append([]pkgSize(nil), app.Pkgs...)
	sort.SliceStable(pkgs, func(i, j int) bool {
		return pkgs[i].Bytes-base[pkgs[i].Pkg] > pkgs[j].Bytes-base[pkgs[j].Pkg]
	})
	var sb strings.Builder
	sb.WriteString("## app.wasm by package\n\n")
	fmt.Fprintf(&sb, "Code section bytes per Go package, read from the wasm \"name\" section of builds without `-s` (wasm/internal/bench/sizes.go), the %d packages that add most over the hello world first. Code: app.wasm %s, hello world %s; data (strings, type descriptors, pclntab, not attributed): %s and %s.\n\n",
		top, mb(app.Code), mb(hello.Code), mb(app.Data), mb(hello.Data))
	sb.WriteString("| package | app.wasm | functions | hello world | added |\n|---|---:|---:|---:|---:|\n")
	for i, p := range pkgs {
		if i == top {
			break
		}
		h := "—"
		if n, ok := base[p.Pkg]; ok {
			h = kb(n)
		}
		fmt.Fprintf(&sb, "| %s | %s | %d | %s | %s |\n", p.Pkg, kb(p.Bytes), p.Funcs, h, kb(p.Bytes-base[p.Pkg]))
	}
	return sb.String(), nil
}

func (b *bench) namedSizes(pkg, file string) (wasmSizes, error) {
	out := b.tmp + "/" + file
	js := []string{"GOOS=js", "GOARCH=wasm"}
	if err := goCmd(js, "build", "-trimpath", "-o", out, pkg); err != nil {
		return wasmSizes{}, err
	}
	cmd := exec.Command("go", "list", "-deps", pkg)
	cmd.Env = append(nativeEnv(), js...)
	list, err := cmd.Output()
	if err != nil {
		return wasmSizes{}, fmt.Errorf("go list -deps %s: %v", pkg, err)
	}
	return wasmPackageSizes(out, strings.Fields(string(list)))
}

func kb(n int) string { return fmt.Sprintf("%.1f kB", float64(n)/1e3) }
