//go:build !(js && wasm)

package e2e

// Hosting tests: the built site under a sub-path, in a slide's iframe
// from another site, and a returning visitor after a new deploy. Each
// test uses buildSite's app.wasm and CLI and drives its own headless
// Chromium (CHROMIUM, or /usr/bin/chromium) with a fresh profile.
// The helpers are named host* to stay apart from e2e_test.go's.

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/stampede-playground/stampede/internal/chromium"
	"github.com/stampede-playground/stampede/internal/tree"
	"github.com/stampede-playground/stampede/wasm/devserver"
)

// TestHostingSubPath serves dist/ built with -base /stampede/ under /stampede/,
// as GitHub Pages serves a project site, and runs the seed preset there.
func TestHostingSubPath(t *testing.T) {
	if testing.Short() {
		t.Skip("builds app.wasm and drives Chromium")
	}
	b := hostPrepare(t)
	site := filepath.Join(t.TempDir(), "site")
	version := b.site(t, site, "/stampede/", b.web)
	dev := devserver.New(site)
	rec := &hostRecorder{}
	srv := httptest.NewServer(rec.wrap(hostUnder("/stampede", dev)))
	t.Cleanup(srv.Close)

	ctx := hostBrowser(t)
	tctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	if err := chromedp.Do(tctx, chromedp.Navigate(srv.URL+"/stampede/?preset=seed&strategy=lock&run=1")); err != nil {
		t.Fatal(err)
	}
	stats := hostWaitDone(t, tctx)
	if stats["fetches"] != "2" || stats["deduped"] != "1" || stats["strategy"] != "lock" {
		t.Errorf("#run-stats = %v; want lock, fetches 2, deduped 1", stats)
	}
	for _, p := range []string{"/stampede/data/stuff.json", "/stampede/data/other.json"} {
		if n := rec.count(p); n != 1 {
			t.Errorf("server saw %s %d times; want 1", p, n)
		}
	}
	if n := dev.Count("/data/stuff.json"); n != 1 {
		t.Errorf("devserver counted /data/stuff.json %d times; want 1", n)
	}
	for _, p := range rec.paths() {
		if !strings.HasPrefix(p, "/stampede/") && p != "/favicon.ico" {
			t.Errorf("request outside /stampede/: %s", p)
		}
	}
	got, err := chromedp.Run(tctx, chromedp.Evaluate[[]string](
		`[window.stampede.version, document.getElementById("version").textContent, document.querySelector("footer a").href, document.cookie]`))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{version, version, "https://github.com/stampede-playground/stampede", ""}; !slices.Equal(got, want) {
		t.Errorf("[window.stampede.version, footer version, source link, document.cookie] = %q; want %q", got, want)
	}
	// The page preloads app.wasm (wasm/cli.go's wasmPreload): app.js's
	// fetch takes the preloaded response, so the page loads it once,
	// started by the link.
	loads, err := chromedp.Run(tctx, chromedp.Evaluate[[]string](
		`performance.getEntriesByType("resource").filter(e => new URL(e.name).pathname.endsWith("/app.wasm")).map(e => e.initiatorType)`))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"link"}; !slices.Equal(loads, want) {
		t.Errorf("the page loaded app.wasm started by %q; want once, by the preload link %q", loads, want)
	}
	if c := rec.cookies(); c != 0 {
		t.Errorf("%d requests carried a Cookie header; the page needs none", c)
	}
}

// TestHostingEmbed puts the embed link in an iframe of a slide served by another
// site (localhost vs 127.0.0.1), as a talk embeds it: it takes the
// scenario from the link, runs, shows only the editor, the counters and
// the log, and fits a 960x540 frame without scrolling.
func TestHostingEmbed(t *testing.T) {
	if testing.Short() {
		t.Skip("builds app.wasm and drives Chromium")
	}
	b := hostPrepare(t)
	site := filepath.Join(t.TempDir(), "site")
	b.site(t, site, "/stampede/", b.web)
	rec := &hostRecorder{}
	app := httptest.NewServer(rec.wrap(hostUnder("/stampede", devserver.New(site))))
	t.Cleanup(app.Close)
	appURL := strings.Replace(app.URL, "localhost", "127.0.0.1", 1)

	scenario := "a: get data/a.json\nb: get data/a.json\nc: get data/b.json"
	src := appURL + "/stampede/?embed=1&strategy=keyed&run=1&scenario=" + url.QueryEscape(scenario)
	slides := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><title>slide</title><body style="margin:0">
<iframe id="demo" src="%s" width="960" height="540" style="border:0" title="Stampede"></iframe>`, src)
	}))
	t.Cleanup(slides.Close)
	slideURL := strings.Replace(slides.URL, "127.0.0.1", "localhost", 1)

	ctx := hostBrowser(t)
	tctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	if err := chromedp.Do(tctx, chromedp.Navigate(slideURL)); err != nil {
		t.Fatal(err)
	}
	// A cross-site iframe is a target of its own (docs/API.md, example 19).
	var frame context.Context
	for frame == nil {
		infos, err := chromedp.Targets(tctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, info := range infos {
			if info.Type == "iframe" && strings.HasPrefix(info.URL, appURL) {
				fctx, fcancel := chromedp.NewContext(ctx, chromedp.WithTargetID(info.TargetID))
				t.Cleanup(fcancel)
				frame = fctx
			}
		}
		if frame == nil {
			select {
			case <-tctx.Done():
				t.Fatal("no iframe target for the embed")
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
	fctx, fcancel := context.WithTimeout(frame, 3*time.Minute)
	defer fcancel()
	stats := hostWaitDone(t, fctx)
	if shot, err := chromedp.Run(tctx, chromedp.CaptureScreenshot()); err != nil { // to look at the slide
		t.Errorf("screenshot of the slide: %v", err)
	} else {
		writeShot(t, "embed.png", shot)
	}
	if stats["fetches"] != "2" || stats["deduped"] != "1" || stats["strategy"] != "keyed" {
		t.Errorf("#run-stats in the iframe = %v; want keyed, fetches 2, deduped 1", stats)
	}
	type layout struct {
		Embed, Header, Footer, Explain, Counters, Log bool
		Text                                          string
		ScrollW, ScrollH, W, H                        int
	}
	l, err := chromedp.Run(fctx, chromedp.Evaluate[layout](`({
		Embed: !!document.querySelector(".playground.embed"),
		Header: !!document.querySelector("header"),
		Footer: !!document.querySelector("footer"),
		Explain: !!document.getElementById("explain"),
		Counters: !!document.getElementById("counters"),
		Log: document.querySelectorAll("#log .line").length > 0,
		Text: document.getElementById("scenario").value,
		ScrollW: document.documentElement.scrollWidth, ScrollH: document.documentElement.scrollHeight,
		W: innerWidth, H: innerHeight,
	})`))
	if err != nil {
		t.Fatal(err)
	}
	if !l.Embed || l.Header || l.Footer || l.Explain || !l.Counters || !l.Log {
		t.Errorf("embedded page %+v; want embed mode with the counters and the log, no header, footer or explanation", l)
	}
	if l.Text != scenario {
		t.Errorf("editor holds %q; want the link's scenario %q", l.Text, scenario)
	}
	if l.W != 960 || l.H != 540 || l.ScrollW > l.W || l.ScrollH > l.H {
		t.Errorf("embedded page is %dx%d in a %dx%d frame; want it to fit 960x540", l.ScrollW, l.ScrollH, l.W, l.H)
	}
	if c := rec.cookies(); c != 0 {
		t.Errorf("%d requests to the app carried a Cookie header; the page needs none", c)
	}
	if n := rec.count("/stampede/data/a.json"); n != 1 {
		t.Errorf("server saw /stampede/data/a.json %d times; want 1", n)
	}
}

// TestHostingFreshDeploy is a returning visitor after a deploy. The host caches
// as GitHub Pages does (max-age=600). Version 1 is loaded and served by
// its service worker; version 2 is built into the same place; a reload
// shows go-app's update notice (or already runs version 2), its button
// reloads, and the page reports version 2 with version 2's app.wasm.
func TestHostingFreshDeploy(t *testing.T) {
	if testing.Short() {
		t.Skip("builds app.wasm and drives Chromium")
	}
	b := hostPrepare(t)
	site := filepath.Join(t.TempDir(), "site")
	v1 := b.site(t, site, "/stampede/", b.web)
	rec := &hostRecorder{}
	srv := httptest.NewServer(rec.wrap(hostUnder("/stampede", hostPagesLike(site))))
	t.Cleanup(srv.Close)

	ctx := hostBrowser(t)
	// Four loads, a service worker's install and a build: a deadline for
	// a hang, not a measure.
	tctx, cancel := context.WithTimeout(ctx, 8*time.Minute)
	defer cancel()
	version := func() string {
		t.Helper()
		v, err := chromedp.Run(tctx, poll[string](`window.stampede && window.stampede.version`,
			chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(2*appLoad)))
		if err != nil {
			t.Fatalf("window.stampede.version: %v", err)
		}
		return v
	}

	if err := chromedp.Do(tctx, chromedp.Navigate(srv.URL+"/stampede/?preset=seed")); err != nil {
		t.Fatal(err)
	}
	if v := version(); v != v1 {
		t.Fatalf("first visit reports version %q; want %q", v, v1)
	}
	// The worker for v1 is installed, active, and has cached v1's files.
	if _, err := chromedp.Run(tctx, poll[bool](`(async () => {
			const r = await navigator.serviceWorker.getRegistration();
			return !!(r && r.active && r.active.state === "activated") && (await caches.keys()).includes("app-`+v1+`");
		})()`, chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(2*appLoad))); err != nil {
		t.Fatalf("v1's service worker never activated: %v", err)
	}
	// A returning visitor: the worker serves v1.
	if err := chromedp.Do(tctx, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	if v := version(); v != v1 {
		t.Fatalf("returning visit reports %q; want %q", v, v1)
	}
	if ok, err := chromedp.Run(tctx, chromedp.Evaluate[bool](`!!navigator.serviceWorker.controller`)); err != nil || !ok {
		t.Fatalf("the returning visit is not served by the service worker (%v)", err)
	}

	// Deploy v2: the same app.wasm, one more asset, so a new version.
	web2 := filepath.Join(t.TempDir(), "web")
	hostCopy(t, b.web, web2, nil)
	if err := os.WriteFile(filepath.Join(web2, "deploy.txt"), []byte("v2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	v2 := b.site(t, site, "/stampede/", web2)
	if v2 == v1 {
		t.Fatalf("v2 has v1's version %s", v1)
	}

	if err := chromedp.Do(tctx, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	state, err := chromedp.Run(tctx, poll[string](`(window.stampede && window.stampede.version === "`+v2+`" && "new")
			|| (document.getElementById("update") && "notice")`,
		chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(2*appLoad)))
	if err != nil {
		t.Fatalf("after the deploy, neither version %s nor the update notice: %v", v2, err)
	}
	t.Logf("after the deploy and one reload: %s", state)
	if state == "notice" {
		text, err := chromedp.Run(tctx, chromedp.Text(chromedp.ID("update-notice")))
		if err != nil || !strings.Contains(text, "A new version is ready, reload") {
			t.Errorf("update notice says %q (%v)", text, err)
		}
		if _, err := chromedp.Run(tctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.ID("update")))); err != nil {
			t.Fatalf("clicking Reload: %v", err)
		}
	}
	if v := version(); v != v2 {
		t.Fatalf("after the update the page reports %q; want %q", v, v2)
	}
	footer, err := chromedp.Run(tctx, chromedp.Text(chromedp.ID("version")))
	if err != nil || footer != v2 {
		t.Errorf("footer version %q (%v); want %q", footer, err, v2)
	}
	if n := rec.count("/stampede/web/app.wasm?v=" + v2); n == 0 {
		t.Errorf("v2's app.wasm was never fetched from the server; requests: %q", rec.paths())
	}
	if keys, err := chromedp.Run(tctx, chromedp.Evaluate[[]string](`caches.keys()`, chromedp.EvalAwaitPromise)); err != nil || !slices.Equal(keys, []string{"app-" + v2}) {
		t.Errorf("service worker caches %q (%v); want only app-%s", keys, err, v2)
	}
}

// hostBuild is app.wasm built into a copy of web/, and the native CLI:
// buildSite's, so the hosting tests build neither again.
type hostBuild struct {
	root string // the module's directory
	web  string // web/ with app.wasm; tests copy it before changing it
	cli  string // go build ./wasm
}

func hostPrepare(t *testing.T) *hostBuild {
	t.Helper()
	root, _ := buildSite(t)
	return &hostBuild{root: root, web: site.web, cli: site.cli}
}

var hostVersionRE = regexp.MustCompile(`\(version ([0-9a-f]+),`)

// site writes the site for base into out from web and returns its version.
func (b *hostBuild) site(t *testing.T, out, base, web string) string {
	t.Helper()
	cmd := exec.Command(b.cli, "build", "-out", out, "-base", base, "-web", web)
	cmd.Dir = b.root
	msg, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("stampede build: %v\n%s", err, msg)
	}
	m := hostVersionRE.FindSubmatch(msg)
	if m == nil {
		t.Fatalf("stampede build printed no version: %s", msg)
	}
	return string(m[1])
}

// hostCopy copies the files of src that keep accepts (all when nil) to dst.
func hostCopy(t *testing.T, src, dst string, keep func(rel string) bool) {
	t.Helper()
	if err := tree.Copy(src, dst, keep); err != nil {
		t.Fatal(err)
	}
}

// hostUnder serves h under prefix, as a static host serves a project
// site: prefix itself redirects to prefix/, and nothing else is there.
func hostUnder(prefix string, h http.Handler) http.Handler {
	strip := http.StripPrefix(prefix, h)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == prefix:
			http.Redirect(w, r, prefix+"/", http.StatusMovedPermanently)
		case strings.HasPrefix(r.URL.Path, prefix+"/"):
			strip.ServeHTTP(w, r)
		default:
			http.NotFound(w, r)
		}
	})
}

// hostPagesLike serves dir as GitHub Pages does: plain files, each
// cacheable for ten minutes.
func hostPagesLike(dir string) http.Handler {
	files := http.FileServer(http.Dir(dir))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "max-age=600")
		files.ServeHTTP(w, r)
	})
}

// hostRecorder remembers every request's path and query, and counts the
// ones that carried cookies.
type hostRecorder struct {
	mu         sync.Mutex // protects the fields below
	uris       []string
	withCookie int
}

func (rec *hostRecorder) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.mu.Lock()
		rec.uris = append(rec.uris, r.URL.RequestURI())
		if r.Header.Get("Cookie") != "" {
			rec.withCookie++
		}
		rec.mu.Unlock()
		h.ServeHTTP(w, r)
	})
}

// count returns how many requests asked for uri (a path, with its query
// if it has one).
func (rec *hostRecorder) count(uri string) int {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	n := 0
	for _, u := range rec.uris {
		if u == uri {
			n++
		}
	}
	return n
}

func (rec *hostRecorder) paths() []string {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return slices.Clone(rec.uris)
}

func (rec *hostRecorder) cookies() int {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return rec.withCookie
}

// hostBrowser starts headless Chromium with a fresh profile and returns
// its first tab's context. The console goes to the test's log on failure.
func hostBrowser(t *testing.T) context.Context {
	t.Helper()
	path := chromiumPath(t)
	actx, acancel := chromedp.NewExecAllocator(context.Background(), chromium.Options(path, t.TempDir())...)
	t.Cleanup(acancel)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil { // starts the browser, with no timeout
		t.Fatalf("starting %s: %v", path, err)
	}
	var mu sync.Mutex
	var console []string
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			mu.Lock()
			console = append(console, fmt.Sprintf("%s: %s", m.Type, m))
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		if t.Failed() {
			mu.Lock()
			defer mu.Unlock()
			t.Logf("console:\n%s", strings.Join(console, "\n"))
		}
	})
	return ctx
}

// hostWaitDone waits for #run-stats to leave idle and running, and
// returns its data- attributes; an error state fails the test.
func hostWaitDone(t *testing.T, ctx context.Context) map[string]string {
	t.Helper()
	stats, err := chromedp.Run(ctx, poll[map[string]string](`(() => {
			const o = document.getElementById("run-stats");
			const s = o && o.dataset.state;
			return (s === "done" || s === "error") && Object.assign({}, o.dataset);
		})()`, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(2*appLoad)))
	if err != nil {
		t.Fatalf("waiting for #run-stats: %v", err)
	}
	if stats["state"] != "done" {
		t.Fatalf("#run-stats %v; want done", stats)
	}
	return stats
}
