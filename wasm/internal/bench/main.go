//go:build !(js && wasm)

// Command bench is `make bench`: it measures Stampede side by side with
// baselines built and run in the same process, because the machines it
// runs on are noisy and only ratios from one run mean anything, and
// writes BENCHMARKS.md (the table, the machine, the date, the command).
//
//	go run ./wasm/internal/bench -out BENCHMARKS.md
//
// It builds app.wasm and the site as `make build` does, and a go-app
// v9.8.0 hello world (./hello) with the same flags, into a temporary
// directory; serves both with wasm/devserver; and drives headless
// Chromium (CHROMIUM, default /usr/bin/chromium) with chromedp.
package main

import (
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/andybalholm/brotli"

	"github.com/stampede-playground/stampede/internal/chromium"
	"github.com/stampede-playground/stampede/internal/tree"
)

// row is one line of the results table.
type row struct {
	Figure, Ours, Base, Ratio, Target, Met string
}

// report collects what the run measured.
type report struct {
	rows    []row
	notes   []string // what each figure means, how it was measured
	details []string // sections after the table (markdown)
}

func (r *report) add(figure, ours, base, ratio, target string, met *bool) {
	m := "—"
	if met != nil {
		m = "yes"
		if !*met {
			m = "**no**"
		}
	}
	r.rows = append(r.rows, row{figure, ours, base, ratio, target, m})
}

func (r *report) notMeasured(figure, target, why string) {
	r.rows = append(r.rows, row{figure, "not measured", "", "", target, "**not measured**"})
	r.notes = append(r.notes, fmt.Sprintf("%s: not measured: %s", figure, why))
}

func ptr(b bool) *bool { return &b }

var (
	out          = flag.String("out", "BENCHMARKS.md", "file to write the report to")
	quick        = flag.Bool("quick", false, "small sizes, to check the harness")
	chromiumPath = flag.String("chromium", chromium.Path(), "the browser")
	only         = flag.String("only", "", "comma-separated sections to run (size,engine,load,dedup,long,hit,serve); empty runs all")
	keep         = flag.String("keep", "", "build into this directory and keep it; when it holds a build already, reuse it (for iterating on one figure)")
	cell         = flag.String("cell", "", "with -only dedup: measure one cell, such as keyed,20,100 (and profile it with -profile)")
	dedupRepeats = flag.Int("repeat", 3, "runs of each keyed and singleflight dedup cell; the cell counts the run of median wall")
	profile      = flag.Bool("profile", false, "keep app.wasm's function names and print a CPU profile of the 10,000-worker run and of one more cold load of each page (sizes then are not the shipped ones)")
)

func want(section string) bool {
	if *only == "" {
		return true
	}
	for _, s := range strings.Split(*only, ",") {
		if s == section {
			return true
		}
	}
	return false
}

func main() {
	flag.Parse()
	start := time.Now()
	if _, err := os.Stat("go.mod"); err != nil {
		fatal("run me from the module root: %v", err)
	}
	tmp, reuse := *keep, false
	if tmp == "" {
		var err error
		if tmp, err = os.MkdirTemp("", "stampede-bench-"); err != nil {
			fatal("%v", err)
		}
		defer os.RemoveAll(tmp)
	} else if _, err := os.Stat(filepath.Join(tmp, "idbhit", "idbhit.wasm")); err == nil {
		reuse = true
	}

	rep := new(report)
	b := &bench{tmp: tmp, rep: rep}
	if reuse {
		step("reusing the build in "+tmp, b.reuseBuild)
	} else {
		step("building app.wasm, the site (with brotli -11, the slow part) and the hello world", b.buildAll)
	}
	if want("size") {
		step("sizes", b.sizes)
		step("app.wasm by package", b.packageSizes)
	}
	if want("engine") {
		step("engine benchmarks (go test -bench)", b.engine)
	}
	if want("load") || want("dedup") || want("long") || want("hit") || want("serve") {
		b.browserFigures()
	}

	md := b.markdown(time.Since(start))
	if err := os.WriteFile(*out, []byte(md), 0o644); err != nil {
		fatal("%v", err)
	}
	fmt.Println()
	fmt.Print(table(rep.rows))
	fmt.Printf("\nwrote %s in %v\n", *out, time.Since(start).Round(time.Second))
}

// step runs f, logging how long it took; a failing step is reported and
// the run goes on.
func step(name string, f func() error) {
	t0 := time.Now()
	progress("[at %v] %s…", t0.Sub(began).Round(time.Second), name)
	if err := f(); err != nil {
		progress("%s failed: %v", name, err)
		return
	}
	progress("%s done in %v", name, time.Since(t0).Round(time.Millisecond))
}

// began is when the bench started, for step's progress lines.
var began = time.Now()

func fatal(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
	os.Exit(1)
}

type bench struct {
	tmp string
	rep *report

	appDist, helloDist string // the built sites
	appWasm, helloWasm []byte
	idbhitDir          string

	brotliAppTime time.Duration
	cliBuild      string // what `wasm build` printed

	appTransfer, helloTransfer float64 // median bytes of app.wasm over the wire

	hist map[string]string // this run's history row, by column (history.go)
}

// wasmFlags are the Makefile's WASMFLAGS.
var wasmFlags = []string{"-trimpath", "-ldflags=-s -w"}

func goCmd(env []string, args ...string) error {
	cmd := exec.Command("go", args...)
	cmd.Env = append(nativeEnv(), env...)
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, buf.String())
	}
	return nil
}

func wasmBuild(outFile, pkg string) error {
	flags := wasmFlags
	if *profile {
		flags = []string{"-trimpath"}
	}
	return goCmd([]string{"GOOS=js", "GOARCH=wasm"}, append(append([]string{"build"}, flags...), "-o", outFile, pkg)...)
}

// buildAll builds the playground's site as `make build` does (into a copy
// of web/), the hello world's site, and the cache-hit page.
func (b *bench) buildAll() error {
	web := filepath.Join(b.tmp, "web")
	if err := tree.Copy("web", web, func(rel string) bool { return !strings.HasPrefix(rel, "app.wasm") }); err != nil {
		return err
	}
	if err := wasmBuild(filepath.Join(web, "app.wasm"), "./wasm"); err != nil {
		return err
	}
	b.appDist = filepath.Join(b.tmp, "dist")
	cli := filepath.Join(b.tmp, "stampede-cli")
	if err := goCmd(nil, "build", "-o", cli, "./wasm"); err != nil {
		return err
	}
	cliOut, err := exec.Command(cli, "build", "-out", b.appDist, "-base", "/", "-web", web).CombinedOutput()
	if err != nil {
		return fmt.Errorf("wasm build: %v\n%s", err, cliOut)
	}
	b.cliBuild = strings.TrimSpace(string(cliOut))
	if b.appWasm, err = os.ReadFile(filepath.Join(web, "app.wasm")); err != nil {
		return err
	}

	b.helloDist = filepath.Join(b.tmp, "hello")
	if err := goCmd(nil, "run", "./wasm/internal/bench/hello", "-out", b.helloDist); err != nil {
		return err
	}
	hw := filepath.Join(b.helloDist, "web", "app.wasm")
	if err := os.MkdirAll(filepath.Dir(hw), 0o755); err != nil {
		return err
	}
	if err := wasmBuild(hw, "./wasm/internal/bench/hello"); err != nil {
		return err
	}
	if b.helloWasm, err = os.ReadFile(hw); err != nil {
		return err
	}
	// The hello world is served as the site serves app.wasm: with
	// precompressed copies alongside, whichever `wasm build` writes.
	for _, ext := range []string{".gz", ".br"} {
		if _, err := os.Stat(filepath.Join(b.appDist, "web", "app.wasm"+ext)); err != nil {
			continue
		}
		z := gzip9(b.helloWasm)
		if ext == ".br" {
			z = brotli11(b.helloWasm)
		}
		if err := os.WriteFile(hw+ext, z, 0o644); err != nil {
			return err
		}
	}

	b.idbhitDir = filepath.Join(b.tmp, "idbhit")
	if err := os.MkdirAll(b.idbhitDir, 0o755); err != nil {
		return err
	}
	if err := wasmBuild(filepath.Join(b.idbhitDir, "idbhit.wasm"), "./wasm/internal/bench/idbhit"); err != nil {
		return err
	}
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		return fmt.Errorf("finding GOROOT for wasm_exec.js: %w", err)
	}
	for src, dst := range map[string]string{
		filepath.Join(strings.TrimSpace(string(goroot)), "lib", "wasm", "wasm_exec.js"): "wasm_exec.js",
		filepath.Join("wasm", "internal", "bench", "idbhit", "index.html"):              "index.html",
	} {
		if err := copyFile(src, filepath.Join(b.idbhitDir, dst)); err != nil {
			return err
		}
	}
	return nil
}

// reuseBuild takes up the build a run with the same -keep left.
func (b *bench) reuseBuild() (err error) {
	b.appDist, b.helloDist = filepath.Join(b.tmp, "dist"), filepath.Join(b.tmp, "hello")
	b.idbhitDir = filepath.Join(b.tmp, "idbhit")
	b.cliBuild = "(a kept build)"
	if b.appWasm, err = os.ReadFile(filepath.Join(b.tmp, "web", "app.wasm")); err != nil {
		return err
	}
	b.helloWasm, err = os.ReadFile(filepath.Join(b.helloDist, "web", "app.wasm"))
	return err
}

func gzip9(p []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(p)
	zw.Close()
	return buf.Bytes()
}

func brotli11(p []byte) []byte {
	var buf bytes.Buffer
	zw := brotli.NewWriterLevel(&buf, brotli.BestCompression)
	zw.Write(p)
	zw.Close()
	return buf.Bytes()
}

// sizes compares app.wasm with the hello world: raw, gzip -9, brotli -11.
func (b *bench) sizes() error {
	if b.appWasm == nil || b.helloWasm == nil {
		return fmt.Errorf("the wasm builds failed")
	}
	// app.wasm.br is the one `wasm build` wrote, at the same quality.
	appBr, err := os.ReadFile(filepath.Join(b.appDist, "web", "app.wasm.br"))
	if err != nil {
		t0 := time.Now()
		appBr = brotli11(b.appWasm)
		b.brotliAppTime = time.Since(t0)
	}
	helloBr := brotli11(b.helloWasm)
	appGz, helloGz := gzip9(b.appWasm), gzip9(b.helloWasm)
	for _, s := range []struct {
		name       string
		ours, base int
		target     string
		met        *bool
	}{
		{"app.wasm raw", len(b.appWasm), len(b.helloWasm), "(reported)", nil},
		{"app.wasm gzip -9", len(appGz), len(helloGz), "(reported)", nil},
		{"app.wasm brotli -11", len(appBr), len(helloBr), "≤ 1.6 MB",
			ptr(len(appBr) <= 1_600_000)},
	} {
		b.rep.add(s.name, mb(s.ours), mb(s.base), ratio(float64(s.ours), float64(s.base)), s.target, s.met)
	}
	b.record("app.wasm br", mb(len(appBr)))
	b.rep.notes = append(b.rep.notes, fmt.Sprintf(
		"Sizes: both binaries built with `GOOS=js GOARCH=wasm go build %s`; gzip -9 is compress/gzip BestCompression, brotli -11 is github.com/andybalholm/brotli BestCompression (%v). The baseline is wasm/internal/bench/hello, a go-app v9.8.0 page rendering one element.",
		strings.Join(wasmFlags, " "), b.brotliNote()))
	return nil
}

func mb(n int) string { return fmt.Sprintf("%.2f MB", float64(n)/1e6) }

func ratio(a, b float64) string {
	if b == 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f×", a/b)
}

// nativeEnv is the environment without GOOS and GOARCH.
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

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	o, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(o, in); err != nil {
		o.Close()
		return err
	}
	return o.Close()
}

func (b *bench) brotliNote() string {
	if b.brotliAppTime > 0 {
		return fmt.Sprintf("it took %v on app.wasm here", b.brotliAppTime.Round(100*time.Millisecond))
	}
	return "app.wasm's is the app.wasm.br `wasm build` wrote; it said: " + b.cliBuild
}
