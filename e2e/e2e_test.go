//go:build !(js && wasm)

// Package e2e drives the built playground in headless Chromium: it builds
// app.wasm and the static site, serves it with wasm/devserver (which
// counts what the server really received), and checks the public
// interface (window.stampede, #run-stats, URL parameters) against those
// counts. Its screenshots go to a temporary directory, or to
// $STAMPEDE_SHOTS (`make screenshots` writes docs/ that way).
//
//	go test -count=1 ./e2e/...
//
// CHROMIUM names the browser (default /usr/bin/chromium). The test fails,
// rather than skips, when the browser is missing; -short skips it.
//
// Every wait is on a state the page or the server shows (a data-state,
// a count, a settled promise), with a generous deadline for a busy
// machine; none is a sleep, and a timing a test checks is a ratio.
package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/stampede-playground/stampede/internal/chromium"
	"github.com/stampede-playground/stampede/wasm/devserver"
)

func TestMain(m *testing.M) {
	code := m.Run()
	cleanupSite()
	os.Exit(code)
}

// The scenario of the strategy runs: 20 workers, each getting two URLs.
const (
	twoURLs    = "w x20: get data/a.json; get data/b.json"
	requests   = 40
	appLoad    = 90 * time.Second // app.wasm is compiled at load
	runTimeout = 60 * time.Second
	// settle bounds a wait for the page to show what has already
	// happened (a run's #run-stats after its promise resolved): short in
	// fact, generous as a deadline.
	settle = 30 * time.Second
)

// stats is what window.stampede.run resolves to.
type stats struct {
	Strategy string  `json:"strategy"`
	Workers  int     `json:"workers"`
	Requests int     `json:"requests"`
	Fetches  int     `json:"fetches"`
	Hits     int     `json:"hits"`
	Shared   int     `json:"shared"`
	Deduped  int     `json:"deduped"`
	Errors   int     `json:"errors"`
	WallMs   float64 `json:"wallMs"`
	RunID    string  `json:"runId"`
}

// outcome is a settled window.stampede.run promise.
type outcome struct {
	OK    bool   `json:"ok"`
	Stats stats  `json:"stats"`
	Error string `json:"error"`
}

// harness is one browser tab on the served site.
type harness struct {
	ctx context.Context // the tab; no deadline of its own
	srv *devserver.Server
	url string // the site's origin, no trailing slash

	mu      sync.Mutex // protects console
	console []string
}

func TestPlayground(t *testing.T) {
	chromium := chromiumPath(t)

	start := time.Now()
	_, dist := buildSite(t)
	t.Logf("built the site in %v", time.Since(start).Round(time.Millisecond))

	h := newHarness(t, chromium, dist)

	t.Run("strategies", func(t *testing.T) {
		for _, s := range []string{"none", "lock", "keyed", "singleflight", "percall"} {
			t.Run(s, func(t *testing.T) { h.checkStrategy(t, s) })
		}
	})
	t.Run("reload keeps the IndexedDB cache", h.checkReload)
	t.Run("invalid scenario rejects", h.checkInvalid)
	t.Run("HTML payload is not rendered", h.checkHTMLPayload)
	t.Run("seed preset screenshot", h.checkSeedScreenshot)
}

// newHarness starts Chromium, subscribes to its console, serves dist and
// opens the page with ?fresh=1. A wrap, when given, stands between the
// browser and the server (the offline test cuts the network there).
func newHarness(t *testing.T, chromiumPath, dist string, wrap ...func(http.Handler) http.Handler) *harness {
	t.Helper()
	srv := devserver.New(dist)
	var handler http.Handler = srv
	for _, w := range wrap {
		handler = w(handler)
	}
	ts := httptest.NewServer(handler)
	t.Cleanup(ts.Close)

	// The profile directory is made before the Cleanup that stops the
	// browser, so it is removed after the browser exited.
	profile := t.TempDir()
	browserOut := new(syncBuffer)
	opts := chromium.Options(chromiumPath, profile, chromedp.CombinedOutput(browserOut))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc() // waits for the browser to exit
	})

	h := &harness{ctx: ctx, srv: srv, url: ts.URL}
	// Start the browser with a context that has no deadline: the first
	// Do binds the browser's life to it.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting %s: %v\n%s", chromiumPath, err, browserOut)
	}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			line := m.String()
			if m.URL != "" {
				line = fmt.Sprintf("%s (%s:%d)", line, m.URL, m.Line+1)
			}
			if m.IsException() && m.Exception != nil && m.Exception.Exception != nil {
				line += "\n\t" + m.Exception.Exception.Description
			}
			h.mu.Lock()
			h.console = append(h.console, line)
			h.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		h.mu.Lock()
		defer h.mu.Unlock()
		t.Logf("browser console and uncaught exceptions (%d):\n%s", len(h.console), strings.Join(h.console, "\n"))
		if out := quiet(browserOut.String()); out != "" {
			t.Logf("browser output (D-Bus noise left out):\n%s", out)
		}
	})

	h.open(t, "/?fresh=1")
	return h
}

// open navigates to path on the site and waits until window.stampede
// is defined.
func (h *harness) open(t *testing.T, path string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(h.ctx, appLoad+10*time.Second)
	defer cancel()
	start := time.Now()
	if err := chromedp.Do(ctx, chromedp.Navigate(h.url+path)); err != nil {
		t.Fatalf("navigate to %s: %v", path, err)
	}
	_, err := chromedp.Run(ctx, poll[bool](
		`typeof window.stampede === "object" && window.stampede !== null && typeof window.stampede.run === "function"`,
		chromedp.WithPollingInterval(100*time.Millisecond),
		chromedp.WithPollingTimeout(appLoad)))
	if err != nil {
		h.dumpPage(t)
		t.Fatalf("window.stampede did not appear within %v of loading %s: %v", appLoad, path, err)
	}
	t.Logf("%s ready in %v", path, time.Since(start).Round(time.Millisecond))
}

// run calls window.stampede.run(opts) and returns how its promise settled.
func (h *harness) run(t *testing.T, opts map[string]any) outcome {
	t.Helper()
	return h.runWithin(t, opts, runTimeout)
}

// runWithin is run with its own deadline.
func (h *harness) runWithin(t *testing.T, opts map[string]any, d time.Duration) outcome {
	t.Helper()
	arg, err := json.Marshal(opts)
	if err != nil {
		t.Fatal(err)
	}
	expr := fmt.Sprintf(`window.stampede.run(%s).then(
		s => ({ok: true, stats: s}),
		e => ({ok: false, error: String(e instanceof Error ? e.message : e)}))`, arg)
	return eval[outcome](t, h, expr, d)
}

// mustRun is run for a run that must resolve.
func (h *harness) mustRun(t *testing.T, opts map[string]any) stats {
	t.Helper()
	return h.mustRunWithin(t, opts, runTimeout)
}

// mustRunWithin is mustRun with its own deadline.
func (h *harness) mustRunWithin(t *testing.T, opts map[string]any, d time.Duration) stats {
	t.Helper()
	out := h.runWithin(t, opts, d)
	if !out.OK {
		h.dumpPage(t)
		t.Fatalf("window.stampede.run(%v) rejected: %s", opts, out.Error)
	}
	return out.Stats
}

// runStats waits until #run-stats has data-state=state (and, when runID
// is set, that run's data-run-id) and returns its data- attributes.
func (h *harness) runStats(t *testing.T, state, runID string, timeout time.Duration) map[string]string {
	t.Helper()
	ctx, cancel := context.WithTimeout(h.ctx, timeout+5*time.Second)
	defer cancel()
	pred := fmt.Sprintf(`(() => {
		const el = document.getElementById("run-stats");
		if (!el || el.dataset.state !== %q) return null;
		if (%q !== "" && el.dataset.runId !== %q) return null;
		return Object.assign({}, el.dataset);
	})()`, state, runID, runID)
	attrs, err := chromedp.Run(ctx, poll[map[string]string](pred,
		chromedp.WithPollingInterval(50*time.Millisecond),
		chromedp.WithPollingTimeout(timeout)))
	if err != nil {
		h.dumpPage(t)
		t.Fatalf("#run-stats never had data-state=%q (run %q) within %v: %v", state, runID, timeout, err)
	}
	return attrs
}

// dumpPage logs what the page shows, to explain a failure.
func (h *harness) dumpPage(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(h.ctx, 5*time.Second)
	defer cancel()
	info, err := chromedp.Run(ctx, chromedp.Evaluate[string](`JSON.stringify({
		href: location.href,
		stampede: typeof window.stampede,
		runStats: (document.getElementById("run-stats") || {}).outerHTML || null,
		text: (document.body ? document.body.innerText : "").slice(0, 2000),
	}, null, 1)`))
	if err != nil {
		t.Logf("reading the page for diagnosis: %v", err)
		return
	}
	t.Logf("page state: %s", info)
}

// dataCounts is what the server received for the two URLs of twoURLs.
func (h *harness) dataCounts() (a, b int) {
	return h.srv.Count("/data/a.json"), h.srv.Count("/data/b.json")
}

// checkStrategy runs twoURLs under s with a cleared cache and compares
// the stats with what the server saw and with #run-stats.
func (h *harness) checkStrategy(t *testing.T, s string) {
	h.srv.Reset()
	st := h.mustRun(t, map[string]any{"scenario": twoURLs, "strategy": s, "latency": "50ms", "fresh": true})
	a, b := h.dataCounts()
	t.Logf("%s: %+v; server saw a.json %d, b.json %d", s, st, a, b)

	if st.Strategy != s {
		t.Errorf("strategy = %q, want %q", st.Strategy, s)
	}
	if st.Workers != 20 {
		t.Errorf("workers = %d, want 20", st.Workers)
	}
	if st.Requests != requests {
		t.Errorf("requests = %d, want %d", st.Requests, requests)
	}
	if st.Errors != 0 {
		t.Errorf("errors = %d, want 0", st.Errors)
	}
	if st.Fetches != a+b {
		t.Errorf("fetches = %d, but the server received %d (a.json %d, b.json %d; all counts %v)",
			st.Fetches, a+b, a, b, h.srv.Counts())
	}
	switch s {
	case "lock", "keyed", "singleflight":
		if st.Fetches != 2 || a != 1 || b != 1 {
			t.Errorf("fetches = %d (server: a.json %d, b.json %d), want one fetch per URL", st.Fetches, a, b)
		}
	default: // none, percall: nothing deduplicates concurrent misses
		if st.Fetches <= 2 {
			t.Errorf("fetches = %d, want a stampede (> 2; 40 when all miss together)", st.Fetches)
		} else if st.Fetches != requests {
			t.Logf("note: %d of %d requests fetched; the rest found the cache filled by an earlier worker", st.Fetches, requests)
		}
	}
	if st.Deduped != st.Requests-st.Fetches {
		t.Errorf("deduped = %d, want requests - fetches = %d", st.Deduped, st.Requests-st.Fetches)
	}
	if st.Hits+st.Shared != st.Deduped {
		t.Errorf("hits %d + shared %d != deduped %d", st.Hits, st.Shared, st.Deduped)
	}

	attrs := h.runStats(t, "done", st.RunID, settle)
	if got, want := attrs["fetches"], fmt.Sprint(st.Fetches); got != want {
		t.Errorf("#run-stats data-fetches = %q, want %q (attributes %v)", got, want, attrs)
	}
}

// checkReload fills the cache under keyed, reloads the page without
// fresh, and runs again: everything must come from IndexedDB.
func (h *harness) checkReload(t *testing.T) {
	h.srv.Reset()
	st := h.mustRun(t, map[string]any{"scenario": twoURLs, "strategy": "keyed", "latency": "50ms", "fresh": true})
	if st.Fetches != 2 {
		t.Fatalf("filling the cache: fetches = %d, want 2", st.Fetches)
	}

	h.open(t, "/")
	h.srv.Reset()
	st = h.mustRun(t, map[string]any{"scenario": twoURLs, "strategy": "keyed", "latency": "50ms"})
	a, b := h.dataCounts()
	t.Logf("after reload: %+v; server saw a.json %d, b.json %d", st, a, b)
	if st.Fetches != 0 || a+b != 0 {
		t.Errorf("fetches = %d, server received %d (a.json %d, b.json %d), want 0: the cache did not survive the reload",
			st.Fetches, a+b, a, b)
	}
	if st.Hits != requests {
		t.Errorf("hits = %d, want %d", st.Hits, requests)
	}
	if st.Requests != requests || st.Errors != 0 {
		t.Errorf("requests = %d, errors = %d, want %d and 0", st.Requests, st.Errors, requests)
	}
}

// checkInvalid runs a scenario with a typo: the promise rejects with a
// message naming the line and the problem, and #run-stats says error.
func (h *harness) checkInvalid(t *testing.T) {
	out := h.run(t, map[string]any{"scenario": "a: gte x", "strategy": "keyed"})
	if out.OK {
		t.Fatalf("run of an invalid scenario resolved with %+v, want a rejection", out.Stats)
	}
	for _, want := range []string{"line 1", "unknown step"} {
		if !strings.Contains(out.Error, want) {
			t.Errorf("rejection %q does not contain %q", out.Error, want)
		}
	}
	attrs := h.runStats(t, "error", "", settle)
	if !strings.Contains(attrs["error"], "unknown step") {
		t.Errorf("#run-stats data-error = %q, want the parse error", attrs["error"])
	}
}

// checkHTMLPayload fetches an HTML file whose markup would set
// window.__pwned if it were ever rendered as HTML.
func (h *harness) checkHTMLPayload(t *testing.T) {
	h.srv.Reset()
	st := h.mustRun(t, map[string]any{"scenario": "a: get data/page.html", "strategy": "keyed", "latency": "0", "fresh": true})
	if st.Fetches != 1 || st.Errors != 0 || h.srv.Count("/data/page.html") != 1 {
		t.Errorf("stats %+v, server received %d: want one fetch and no error", st, h.srv.Count("/data/page.html"))
	}
	h.runStats(t, "done", st.RunID, settle)
	// An <img src=x onerror> would have fired by the time one of ours has.
	h.imagesSettled(t)
	ctx, cancel := context.WithTimeout(h.ctx, settle)
	defer cancel()
	type check struct {
		Pwned   string `json:"pwned"`
		Imgs    int    `json:"imgs"`
		Scripts int    `json:"scripts"`
		H1      int    `json:"h1"`
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[check](`({
		pwned: typeof window.__pwned,
		imgs: document.querySelectorAll('img[src="x"]').length,
		scripts: [...document.scripts].filter(s => s.textContent.includes("__pwned")).length,
		h1: [...document.querySelectorAll("h1")].filter(e => e.textContent === "Not rendered").length,
	})`))
	if err != nil {
		t.Fatal(err)
	}
	if got != (check{Pwned: "undefined"}) {
		t.Errorf("the fetched HTML reached the DOM: window.__pwned is %s, %d <img src=x>, %d scripts, %d <h1>Not rendered",
			got.Pwned, got.Imgs, got.Scripts, got.H1)
	}
}

// checkSeedScreenshot loads the seed preset with run=1 at 1280x800,
// checks its stats and takes screenshot.png (the README's).
func (h *harness) checkSeedScreenshot(t *testing.T) {
	ctx, cancel := context.WithTimeout(h.ctx, appLoad+30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800)); err != nil {
		t.Fatal(err)
	}
	h.srv.Reset()
	// fresh=1 so the run does not depend on what earlier subtests cached.
	if err := chromedp.Do(ctx, chromedp.Navigate(h.url+"/?preset=seed&strategy=lock&run=1&fresh=1")); err != nil {
		t.Fatal(err)
	}
	attrs := h.runStats(t, "done", "", appLoad)
	t.Logf("seed: %v; server counts %v", attrs, h.srv.Counts())
	for k, want := range map[string]string{"strategy": "lock", "requests": "3", "fetches": "2", "deduped": "1", "errors": "0"} {
		if attrs[k] != want {
			t.Errorf("#run-stats data-%s = %q, want %q", k, attrs[k], want)
		}
	}
	if s, o := h.srv.Count("/data/stuff.json"), h.srv.Count("/data/other.json"); s != 1 || o != 1 {
		t.Errorf("server received stuff.json %d times and other.json %d times, want once each", s, o)
	}

	if t.Failed() {
		t.Fatal("not taking screenshot.png of a run that failed its checks")
	}
	h.saveScreenshot(t, ctx, "screenshot.png")
}

// saveScreenshot waits until the page has painted what its DOM holds,
// captures the viewport and writes it to the shots directory as name.
func (h *harness) saveScreenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	h.painted(t)
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	writeShot(t, name, png)
}

// painted returns once the page has drawn two frames after now: what
// the DOM holds is on screen.
func (h *harness) painted(t *testing.T) {
	t.Helper()
	eval[bool](t, h, `new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))`, settle)
}

// imagesSettled adds an <img src="x"> of its own (x is not on the server)
// and returns once its error event has fired: an <img src=x onerror=…>
// the page might have inserted from fetched or URL text before it would
// have fired by then too. It stands where a test waited a fixed time.
func (h *harness) imagesSettled(t *testing.T) {
	t.Helper()
	eval[bool](t, h, `new Promise(resolve => {
		const img = document.createElement("img");
		img.hidden = true;
		img.addEventListener("error", () => { img.remove(); resolve(true); });
		img.addEventListener("load", () => { img.remove(); resolve(true); });
		img.src = "x";
		document.body.append(img);
	})`, settle)
}

// quiet drops the D-Bus complaints a headless Chromium without a system
// bus prints by the dozen.
func quiet(out string) string {
	var keep []string
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, ":ERROR:dbus/") {
			continue
		}
		keep = append(keep, line)
	}
	return strings.TrimSpace(strings.Join(keep, "\n"))
}

func isPNG(b []byte) bool {
	return len(b) > 8 && string(b[:8]) == "\x89PNG\r\n\x1a\n"
}

// poll is chromedp.Poll that survives the page's document being replaced
// while it waits. chromedp's Poll evaluates in one execution context and
// fails with "Cannot find context with specified id" when a navigation
// (a reload, or a Navigate whose new context chromedp has not yet seen)
// takes that context away; puppeteer's waitForFunction retries on that
// error, and so does this, until ctx ends.
func poll[T any](expr string, opts ...chromedp.PollOption) chromedp.Action[T] {
	once := chromedp.Poll[T](expr, opts...)
	return func(ctx context.Context, tg *chromedp.Target) (T, error) {
		for {
			v, err := once(ctx, tg)
			if err == nil || !contextGone(err) {
				return v, err
			}
			select { // let the new document's context arrive
			case <-ctx.Done():
				return v, err
			case <-time.After(20 * time.Millisecond):
			}
		}
	}
}

// contextGone reports whether err says the page's JavaScript context
// went away under an evaluation: a navigation, not a failure.
func contextGone(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "Cannot find context with specified id") ||
		strings.Contains(msg, "Execution context was destroyed") ||
		strings.Contains(msg, "Inspected target navigated or closed")
}
