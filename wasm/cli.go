//go:build !wasm

package main

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"html"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/stampede-playground/stampede/internal/tree"
	"github.com/stampede-playground/stampede/wasm/devserver"
)

// workerJS is go-app's service worker, changed to answer only the app's
// own cached files: the playground's data fetches always reach the network.
//
//go:embed worker.js
var workerJS string

const usage = `usage:
  wasm build [-out dist] [-base /] [-url https://HOST/PATH/] [-web web]
                                                 write the static site
  wasm serve [-dir dist] [-addr localhost:8000]  serve a built site`

func runCLI() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, usage)
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "build":
		err = buildCmd(os.Args[2:])
	case "serve":
		err = serveCmd(os.Args[2:])
	default:
		fmt.Fprintf(os.Stderr, "unknown command %q\n%s\n", os.Args[1], usage)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "stampede:", err)
		os.Exit(1)
	}
}

// handler is the go-app handler that prerenders the page.
func handler(base, version string) *app.Handler {
	var res app.ResourceProvider = app.LocalDir("")
	if b := strings.Trim(base, "/"); b != "" {
		res = app.CustomProvider("", b)
	}
	wasmURL := res.AppWASM() + "?v=" + version
	res = versionedWasm{res, wasmURL}
	return &app.Handler{
		Name:                  "Stampede",
		ShortName:             "Stampede",
		Title:                 "Stampede: what a lock around a cache is for",
		Description:           "A Go playground in WebAssembly: many goroutines fetch URLs, a lock-guarded IndexedDB cache turns a stampede into one fetch.",
		LoadingLabel:          "Loading Stampede… {progress}%",
		Styles:                []string{"/web/stampede.css?v=" + version},
		Icon:                  app.Icon{Default: "/web/icon.svg", SVG: "/web/icon.svg"},
		BackgroundColor:       "#101418",
		ThemeColor:            "#101418",
		Resources:             res,
		Version:               version,
		ServiceWorkerTemplate: workerJS,
		RawHeaders: []string{
			`<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src *; object-src 'none'; base-uri 'self'">`,
			wasmPreload(wasmURL),
		},
	}
}

// wasmPreload is a link that starts app.wasm's download while the page
// parses: app.js, a deferred script, asks for it only once the document
// is parsed, so without it the biggest download of a cold load waits
// behind the stylesheet and the prerendered page. It is a CORS fetch
// with the page's credentials, as app.js's fetch is, so the browser
// hands that fetch the preloaded response instead of loading it twice
// (TestHostingSubPath checks it does).
func wasmPreload(url string) string {
	return `<link rel="preload" href="` + html.EscapeString(url) + `" as="fetch" crossorigin="anonymous">`
}

// versionedWasm puts the version in app.wasm's URL, as the stylesheet's:
// a new build's app.js asks for a URL that no HTTP cache holds yet, so it
// never starts with the old app.wasm. (go-app names the file app.wasm and
// leaves its URL alone.)
type versionedWasm struct {
	app.ResourceProvider
	wasm string
}

func (v versionedWasm) AppWASM() string { return v.wasm }

func buildCmd(args []string) error {
	fl := flag.NewFlagSet("build", flag.ContinueOnError)
	out := fl.String("out", "dist", "directory to write the site to")
	base := fl.String("base", "", "path the site is served under, e.g. /stampede/ (default: -url's path, else /)")
	siteURL := fl.String("url", "", "the site's public address, e.g. https://OWNER.github.io/stampede/, for og:url and the canonical link (none without it)")
	web := fl.String("web", "web", "directory of static assets, with app.wasm built into it")
	if err := fl.Parse(args); err != nil {
		return err
	}
	public, err := publicURL(*siteURL, *base)
	if err != nil {
		return err
	}
	switch {
	case *base != "":
	case public != nil:
		*base = public.Path
	default:
		*base = "/"
	}
	wasmPath := filepath.Join(*web, "app.wasm")
	wasm, err := os.ReadFile(wasmPath)
	if err != nil {
		return fmt.Errorf("reading %s (build it with `make build`): %w", wasmPath, err)
	}
	version, err := versionOf(*web)
	if err != nil {
		return err
	}
	if err := os.RemoveAll(*out); err != nil {
		return fmt.Errorf("cleaning %s: %w", *out, err)
	}
	registerRoutes()
	if err := app.GenerateStaticWebsite(*out, handler(*base, version)); err != nil {
		return fmt.Errorf("generating the site in %s: %w", *out, err)
	}
	// go-app writes whatever the prerender answered, a 404 page included.
	if index, err := os.ReadFile(filepath.Join(*out, "index.html")); err != nil || !strings.Contains(string(index), "<html") {
		return fmt.Errorf("prerendering index.html failed: %q", truncate(index, 200))
	}
	if err := fixAddress(filepath.Join(*out, "index.html"), public); err != nil {
		return err
	}
	if err := fixProgress(filepath.Join(*out, "app.js"), len(wasm)); err != nil {
		return err
	}
	// Assets go under web/; the data files the scenarios fetch with
	// relative URLs (data/stuff.json) sit next to index.html.
	if err := tree.Copy(*web, filepath.Join(*out, "web"), func(rel string) bool {
		return !strings.HasPrefix(rel, "data") && !strings.HasSuffix(rel, ".gz") && !strings.HasSuffix(rel, ".br")
	}); err != nil {
		return err
	}
	if err := tree.Copy(filepath.Join(*web, "data"), filepath.Join(*out, "data"), nil); err != nil {
		return err
	}
	// Precompressed copies for servers that serve them (`make serve`'s
	// devserver prefers .br, then .gz) and for static hosts that can.
	t0 := time.Now()
	if err := writeGzip(filepath.Join(*out, "web", "app.wasm.gz"), wasm); err != nil {
		return err
	}
	gzTook, t1 := time.Since(t0), time.Now()
	if err := writeBrotli(filepath.Join(*out, "web", "app.wasm.br"), wasm); err != nil {
		return err
	}
	fmt.Printf("wrote %s (version %s, base %s, app.wasm %d bytes; gzip -9 in %v, brotli -11 in %v)\n",
		*out, version, *base, len(wasm), gzTook.Round(time.Millisecond), time.Since(t1).Round(time.Millisecond))
	return nil
}

// publicURL checks the site's public address, -url: absolute http(s),
// no query or fragment, its path ending in a slash (one is added) and
// equal to -base when both are given. Empty gives nil.
func publicURL(raw, base string) (*url.URL, error) {
	if raw == "" {
		return nil, nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("-url %q: %w", raw, err)
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("-url %q: want the site's address, like https://OWNER.github.io/stampede/", raw)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	u.RawPath = ""
	if base != "" && base != u.Path {
		return nil, fmt.Errorf("-url %s is served under %s, but -base is %s: give one of them, or the same path", u, u.Path, base)
	}
	return u, nil
}

// ogURL is the og:url that go-app writes: the address of the page it
// prerendered, which during a build is its own temporary server
// (http://127.0.0.1:PORT/). go-app writes its two attributes in either
// order.
var ogURL = regexp.MustCompile(`<meta (?:property="og:url" content="[^"]*"|content="[^"]*" property="og:url")>\n?`)

// fixAddress replaces that og:url in the page with public, plus a
// canonical link to it, or removes it when the public address is not
// known: a page shared from a built site must not point at a build
// machine's loopback.
func fixAddress(index string, public *url.URL) error {
	b, err := os.ReadFile(index)
	if err != nil {
		return err
	}
	if n := len(ogURL.FindAll(b, -1)); n != 1 {
		return fmt.Errorf("%s: found %d og:url tags where go-app writes one", index, n)
	}
	repl := ""
	if public != nil {
		u := html.EscapeString(public.String())
		repl = fmt.Sprintf("<meta property=\"og:url\" content=\"%s\">\n<link rel=\"canonical\" href=\"%s\">\n", u, u)
	}
	b = ogURL.ReplaceAllLiteral(b, []byte(repl))
	return os.WriteFile(index, b, 0o644)
}

// progressTotal is the line of go-app's app.js that takes the loading
// progress's total from Content-Length. That header counts compressed
// bytes when app.wasm is served with gzip or brotli (and is missing when
// a host compresses on the fly), while the bytes the loader counts are
// decompressed, so the label would read 378% or NaN%.
const progressTotal = "const total = parseInt(contentLength, 10);"

// fixProgress makes app.js divide by app.wasm's real size, known at build
// time, so the loading screen shows real progress from 0 to 100% on any
// host.
func fixProgress(appJS string, wasmSize int) error {
	b, err := os.ReadFile(appJS)
	if err != nil {
		return fmt.Errorf("reading go-app's app.js: %w", err)
	}
	if strings.Count(string(b), progressTotal) != 1 {
		return fmt.Errorf("%s: go-app's loader changed: %q not found once, so the loading progress cannot be fixed", appJS, progressTotal)
	}
	fixed := strings.Replace(string(b), progressTotal,
		fmt.Sprintf("const total = %d; // app.wasm's decompressed size, set by `wasm build`", wasmSize), 1)
	if err := os.WriteFile(appJS, []byte(fixed), 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", appJS, err)
	}
	return nil
}

// versionOf hashes the assets, so a new build gets a new service worker
// cache and returning visitors get the new app.wasm.
func versionOf(web string) (string, error) {
	h := sha256.New()
	err := filepath.WalkDir(web, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, ".gz") || strings.HasSuffix(p, ".br") {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		fmt.Fprintf(h, "%s\x00", filepath.ToSlash(p))
		_, err = io.Copy(h, f)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("hashing %s: %w", web, err)
	}
	return hex.EncodeToString(h.Sum(nil))[:12], nil
}

func truncate(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

func writeGzip(name string, b []byte) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	zw, _ := gzip.NewWriterLevel(f, gzip.BestCompression)
	if _, err := zw.Write(b); err != nil {
		f.Close()
		return fmt.Errorf("compressing %s: %w", name, err)
	}
	if err := zw.Close(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// writeBrotli writes b compressed with brotli at quality 11, the
// smallest transfer for app.wasm. Quality 11 takes about 20 s for 8 MB,
// and the tests build the site several times, so the result is kept in
// the user's cache directory under app.wasm's hash: an unchanged app.wasm
// is compressed once.
func writeBrotli(name string, b []byte) error {
	sum := sha256.Sum256(b)
	cached := ""
	if dir, err := os.UserCacheDir(); err == nil {
		cached = filepath.Join(dir, "stampede", "wasm-br", hex.EncodeToString(sum[:])+".br")
		if c, err := os.ReadFile(cached); err == nil {
			return os.WriteFile(name, c, 0o644)
		}
	}
	var buf bytes.Buffer
	zw := brotli.NewWriterLevel(&buf, brotli.BestCompression)
	if _, err := zw.Write(b); err != nil {
		return fmt.Errorf("compressing %s: %w", name, err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("compressing %s: %w", name, err)
	}
	if err := os.WriteFile(name, buf.Bytes(), 0o644); err != nil {
		return err
	}
	if cached != "" { // best effort: written whole, then renamed into place
		if os.MkdirAll(filepath.Dir(cached), 0o755) == nil {
			tmp := cached + ".tmp"
			if os.WriteFile(tmp, buf.Bytes(), 0o644) == nil {
				_ = os.Rename(tmp, cached)
			}
		}
	}
	return nil
}

func serveCmd(args []string) error {
	fl := flag.NewFlagSet("serve", flag.ContinueOnError)
	dir := fl.String("dir", "dist", "the built site")
	addr := fl.String("addr", "localhost:8000", "address to listen on")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(*dir, "index.html")); err != nil {
		return fmt.Errorf("no site in %s (run `make build`): %w", *dir, err)
	}
	srv := &http.Server{Addr: *addr, Handler: devserver.New(*dir), ReadHeaderTimeout: 10 * time.Second}
	fmt.Printf("Stampede is on http://%s/  (demo origin: /slow/NAME?ms=300, counts: /_stampede/counts)\n", *addr)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
