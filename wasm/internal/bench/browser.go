//go:build !(js && wasm)

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/stampede-playground/stampede/internal/chromium"
	"github.com/stampede-playground/stampede/wasm/devserver"
)

// browser is one headless Chromium with a fresh profile, started with
// internal/chromium's flags, as the end-to-end tests.
type browser struct {
	ctx    context.Context
	cancel func()
}

func newBrowser(tmp string) (*browser, error) {
	profile, err := os.MkdirTemp(tmp, "profile-")
	if err != nil {
		return nil, err
	}
	opts := chromium.Options(*chromiumPath, profile,
		// The dedup origin is HTTPS with a throwaway certificate, so
		// that the browser speaks HTTP/2 to it (see dedup).
		chromedp.Flag("ignore-certificate-errors", true),
		chromedp.Flag("enable-precise-memory-info", true),
		chromedp.Flag("js-flags", "--expose-gc"),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	br := &browser{ctx: ctx, cancel: func() {
		cancelTab()
		cancelAlloc()
		os.RemoveAll(profile)
	}}
	if err := chromedp.Do(ctx); err != nil {
		br.cancel()
		return nil, fmt.Errorf("starting %s: %w", *chromiumPath, err)
	}
	return br, nil
}

// eval evaluates expr (awaiting a promise) within d.
func eval[T any](br *browser, d time.Duration, expr string) (T, error) {
	ctx, cancel := context.WithTimeout(br.ctx, d)
	defer cancel()
	return chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
}

func poll[T any](br *browser, d time.Duration, expr string) (T, error) {
	ctx, cancel := context.WithTimeout(br.ctx, d+5*time.Second)
	defer cancel()
	return chromedp.Run(ctx, chromedp.Poll[T](expr, chromedp.WithPollingInterval(20*time.Millisecond), chromedp.WithPollingTimeout(d)))
}

// onNewDocument runs script in every document the tab opens, before the
// page's own scripts.
func onNewDocument(script string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, t, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: script})
		return chromedp.Void{}, err
	}
}

// ttiHook records, in window.__readyMs, performance.now() (milliseconds
// since navigation start) at the moment the app is ready: when the page
// sets window.stampede, or when the hello world's browser-rendered
// element appears.
const ttiHook = `(() => {
  const mark = () => { if (window.__readyMs === undefined) window.__readyMs = performance.now(); };
  let v;
  Object.defineProperty(window, "stampede", {configurable: true, enumerable: true,
    get() { return v; },
    set(x) { v = x; if (x && typeof x === "object") mark(); }});
  new MutationObserver((_, obs) => { if (document.getElementById("hello")) { mark(); obs.disconnect(); } })
    .observe(document, {childList: true, subtree: true});
})();`

// load is one cold load's figures.
type load struct {
	ReadyMs  float64 `json:"readyMs"`
	Transfer float64 `json:"transfer"` // app.wasm bytes over the wire, headers included
	Encoded  float64 `json:"encoded"`
	Decoded  float64 `json:"decoded"`
}

// coldLoad opens url in a fresh browser and profile and waits until the
// app is ready, printing a CPU profile of the load when prof is set.
func (b *bench) coldLoad(url string, prof bool) (l load, err error) {
	br, err := newBrowser(b.tmp)
	if err != nil {
		return load{}, err
	}
	defer br.cancel()
	if err := chromedp.Do(br.ctx, onNewDocument(ttiHook)); err != nil {
		return load{}, err
	}
	ctx, cancel := context.WithTimeout(br.ctx, 90*time.Second)
	defer cancel()
	err = profiled(br, prof, "a cold load of "+url, func() error {
		if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
			return err
		}
		l, err = poll[load](br, 90*time.Second, `window.__readyMs === undefined ? null : (() => {
		  const e = performance.getEntriesByType("resource").find(e => /\/app\.wasm(\?|$)/.test(e.name)) || {};
		  return {readyMs: window.__readyMs, transfer: e.transferSize || 0, encoded: e.encodedBodySize || 0, decoded: e.decodedBodySize || 0};
		})()`)
		return err
	})
	return l, err
}

// browserFigures serves the sites and measures what needs a browser.
func (b *bench) browserFigures() {
	if b.appDist == "" {
		b.rep.notMeasured("browser figures", "", "the build failed")
		return
	}
	if out, err := exec.Command(*chromiumPath, "--version").Output(); err == nil {
		chromiumVersion = strings.TrimSpace(string(out))
	} else {
		b.rep.notMeasured("browser figures", "", fmt.Sprintf("%s: %v (run `make chromium`)", *chromiumPath, err))
		return
	}
	appSrv := devserver.New(b.appDist)
	app := httptest.NewServer(appSrv)
	defer app.Close()
	hello := httptest.NewServer(devserver.New(b.helloDist))
	defer hello.Close()

	if want("load") || want("serve") {
		step("cold loads", func() error { return b.coldLoads(app.URL, hello.URL) })
	}
	if want("serve") {
		step("serving", func() error { return b.serving(app.URL) })
	}
	if want("dedup") || want("long") {
		// The data origin: the same counting devserver, over HTTPS so the
		// browser uses HTTP/2 and is not held to HTTP/1.1's six
		// connections per host, with CORS for the page's origin.
		origin := httptest.NewUnstartedServer(cors(appSrv))
		origin.EnableHTTP2 = true
		origin.StartTLS()
		defer origin.Close()
		step("dedup and responsiveness", func() error { return b.runs(app.URL, origin.URL, appSrv) })
	}
	if want("hit") {
		step("cache hit latency", b.cacheHit)
	}
}

var chromiumVersion = "unknown"

func cors(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		h.ServeHTTP(w, r)
	})
}

func (b *bench) coldLoads(appURL, helloURL string) error {
	n := 9
	if *quick {
		n = 1
	}
	var appReady, helloReady, appTransfer, helloTransfer []float64
	// Interleaved, so that a noisy moment hits both.
	for i := range n {
		a, err := b.coldLoad(appURL+"/", false)
		if err != nil {
			return fmt.Errorf("app load %d: %w", i+1, err)
		}
		h, err := b.coldLoad(helloURL+"/", false)
		if err != nil {
			return fmt.Errorf("hello load %d: %w", i+1, err)
		}
		fmt.Fprintf(os.Stderr, "bench:   [load %d/%d] app ready in %.0f ms (app.wasm %.0f B transferred), hello in %.0f ms (%.0f B)\n",
			i+1, n, a.ReadyMs, a.Transfer, h.ReadyMs, h.Transfer)
		appReady, helloReady = append(appReady, a.ReadyMs), append(helloReady, h.ReadyMs)
		appTransfer, helloTransfer = append(appTransfer, a.Transfer), append(helloTransfer, h.Transfer)
	}
	if *profile { // one more load of each, profiled and not counted
		for _, u := range []string{appURL, helloURL} {
			l, err := b.coldLoad(u+"/", true)
			if err != nil {
				return fmt.Errorf("profiled load of %s: %w", u, err)
			}
			progress("  that load was ready in %.0f ms (profiled)", l.ReadyMs)
		}
	}
	ar, hr := median(appReady), median(helloReady)
	b.rep.add(fmt.Sprintf("time to interactive, median of %d cold loads", n), fmt.Sprintf("%.0f ms", ar), fmt.Sprintf("%.0f ms", hr), ratio(ar, hr), "≤ 1.3×", ptr(ar <= 1.3*hr))
	b.record("TTI", ratio(ar, hr))
	b.appTransfer, b.helloTransfer = median(appTransfer), median(helloTransfer)
	b.rep.notes = append(b.rep.notes, fmt.Sprintf(
		"Time to interactive: cold loads interleaved (app, hello, app, …), each in a fresh headless Chromium with a fresh profile, the site served by wasm/devserver as `make serve` does; from navigation start to the page setting `window.stampede`, against navigation start to the hello world's first browser render of its element. Loads alternate between the two. All loads (ms): app %s; hello %s.",
		fmtList(appReady), fmtList(helloReady)))
	return nil
}

func fmtList(v []float64) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = fmt.Sprintf("%.0f", x)
	}
	return strings.Join(s, ", ")
}

// serving checks what `make serve` and the built site deliver.
func (b *bench) serving(appURL string) error {
	req, _ := http.NewRequest("GET", appURL+"/web/app.wasm", nil)
	req.Header.Set("Accept-Encoding", "br, gzip")
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	ct, enc := resp.Header.Get("Content-Type"), resp.Header.Get("Content-Encoding")
	var pre []string
	for _, ext := range []string{".br", ".gz"} {
		if st, err := os.Stat(filepath.Join(b.appDist, "web", "app.wasm"+ext)); err == nil {
			pre = append(pre, fmt.Sprintf("app.wasm%s (%s)", ext, mb(int(st.Size()))))
		}
	}
	ok := ct == "application/wasm" && (enc == "br" || enc == "gzip") && b.appTransfer > 0 && b.appTransfer < float64(len(b.appWasm))/2
	transfer := "not measured"
	if b.appTransfer > 0 {
		transfer = mb(int(b.appTransfer))
	}
	b.rep.add("app.wasm transferred on a cold load (`make serve`)", transfer+" ("+enc+", "+ct+")", mb(int(b.helloTransfer)), ratio(b.appTransfer, b.helloTransfer),
		"compressed, application/wasm", ptr(ok))
	b.rep.notes = append(b.rep.notes, fmt.Sprintf(
		"Serving: transferred bytes are the browser's resource timing transferSize of app.wasm (median of the cold loads; the baseline is the hello world served the same way). A request with `Accept-Encoding: br, gzip` got Content-Type %q, Content-Encoding %q. The built site (`make build`) holds %s next to app.wasm for static hosts.",
		ct, enc, strings.Join(pre, " and ")))
	return nil
}

// openApp starts a browser on the playground and waits for window.stampede.
func (b *bench) openApp(appURL string) (*browser, error) {
	br, err := newBrowser(b.tmp)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(br.ctx, 90*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(appURL+"/?fresh=1")); err != nil {
		br.cancel()
		return nil, err
	}
	if _, err := poll[bool](br, 90*time.Second, `typeof window.stampede === "object" && window.stampede !== null && typeof window.stampede.run === "function"`); err != nil {
		br.cancel()
		return nil, fmt.Errorf("window.stampede did not appear: %w", err)
	}
	return br, nil
}

// runStats is what window.stampede.run resolves to.
type runStats struct {
	Workers  int     `json:"workers"`
	Requests int     `json:"requests"`
	Fetches  int     `json:"fetches"`
	Deduped  int     `json:"deduped"`
	Errors   int     `json:"errors"`
	WallMs   float64 `json:"wallMs"`
	Stopped  bool    `json:"stopped"`
}

func run(br *browser, scenario, strategy string, d time.Duration) (runStats, error) {
	arg, _ := json.Marshal(map[string]any{"scenario": scenario, "strategy": strategy, "latency": "0s", "fresh": true})
	return eval[runStats](br, d, fmt.Sprintf(`window.stampede.run(%s)`, arg))
}

// scenario spreads workers over urls distinct URLs of the origin, each
// answering after latency: one line per URL when workers >= urls (each
// worker gets one URL); else each worker gets urls/workers URLs in turn.
func scenario(origin string, workers, urls int, latency time.Duration) string {
	var sb strings.Builder
	u := func(k int) string { return fmt.Sprintf("%s/slow/u%d?ms=%d", origin, k, latency.Milliseconds()) }
	if workers >= urls {
		for k := range urls {
			n := workers / urls
			if k < workers%urls {
				n++
			}
			fmt.Fprintf(&sb, "u%d x%d: get %s\n", k, n, u(k))
		}
		return sb.String()
	}
	for w := range workers {
		var steps []string
		for k := w; k < urls; k += workers {
			steps = append(steps, "get "+u(k))
		}
		fmt.Fprintf(&sb, "w%d: %s\n", w, strings.Join(steps, "; "))
	}
	return sb.String()
}
