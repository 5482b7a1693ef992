//go:build !(js && wasm)

package e2e

import (
	"context"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/stampede-playground/stampede/internal/chromium"
)

// chromiumPath is the browser the end-to-end tests drive: $CHROMIUM or
// Debian's /usr/bin/chromium. -short skips the test; a missing browser
// fails it.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test: builds app.wasm and drives Chromium; run without -short")
	}
	path := chromium.Path()
	if _, err := exec.LookPath(path); err != nil {
		t.Fatalf("Chromium not found (%v): install it (make chromium) or set CHROMIUM", err)
	}
	return path
}

// network is a switch between the browser and the site: when cut, every
// connection is closed before a byte is answered, as when the Wi-Fi drops.
type network struct{ down atomic.Bool }

func (n *network) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.down.Load() {
			if hj, ok := w.(http.Hijacker); ok {
				if c, _, err := hj.Hijack(); err == nil {
					c.Close()
					return
				}
			}
			http.Error(w, "offline", http.StatusServiceUnavailable)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// TestShell checks what surrounds the playground: the loading screen's
// progress, the page working offline once opened, the light and dark
// themes, the layout on a projector and a phone, and keyboard access.
func TestShell(t *testing.T) {
	_, dist := buildSite(t)
	net := new(network)
	h := newHarness(t, chromiumPath(t), dist, net.wrap)

	t.Run("loading progress", h.checkLoadingProgress)
	t.Run("layout and themes", h.checkLayout)
	t.Run("keyboard", h.checkKeyboard)
	t.Run("offline", func(t *testing.T) { h.checkOffline(t, net) })
}

// checkLoadingProgress records every text the loading label shows in a
// new tab and checks that it counts from 0 to 100 without passing it.
func (h *harness) checkLoadingProgress(t *testing.T) {
	tab, cancel := chromedp.NewContext(h.ctx)
	defer cancel()
	if err := chromedp.Do(tab); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(tab, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: `window.__labels = [];
document.addEventListener("DOMContentLoaded", () => {
  const l = document.getElementById("app-wasm-loader-label");
  if (!l) return;
  window.__labels.push(l.innerText);
  new MutationObserver(() => window.__labels.push(l.innerText))
    .observe(l, {childList: true, characterData: true, subtree: true});
});`,
	}); err != nil {
		t.Fatal(err)
	}
	h2 := &harness{ctx: tab, srv: h.srv, url: h.url}
	// A query the service worker has not seen, so app.wasm is read again.
	h2.open(t, "/?progress=1")
	labels := eval[[]string](t, h2, `window.__labels`, settle)
	var seen []int
	for _, l := range labels {
		i := strings.Index(l, "%")
		if i < 0 {
			continue
		}
		f := strings.Fields(l[:i])
		n, err := strconv.Atoi(f[len(f)-1])
		if err != nil {
			t.Errorf("loading label %q has no number before %%", l)
			continue
		}
		seen = append(seen, n)
	}
	t.Logf("loading label: %d texts, progress %v", len(labels), compact(seen))
	if len(seen) < 3 || seen[0] != 0 || seen[len(seen)-1] != 100 {
		t.Fatalf("progress %v: want 0, steps between, and 100", seen)
	}
	between := 0
	for i, n := range seen {
		if n < 0 || n > 100 || (i > 0 && n < seen[i-1]) {
			t.Fatalf("progress %v: not a count from 0 to 100", seen)
		}
		if n > 0 && n < 100 {
			between++
		}
	}
	if between == 0 {
		t.Errorf("progress %v jumps from 0 to 100: no real progress shown", seen)
	}
}

// compact drops repeats from a progress list for the log.
func compact(ns []int) []int {
	var out []int
	for _, n := range ns {
		if len(out) == 0 || out[len(out)-1] != n {
			out = append(out, n)
		}
	}
	return out
}

// checkLayout runs the seed preset at a projector's 1280x720 and a
// phone's 390x844, in the light and the dark theme: nothing is wider than
// the screen, the controls are on screen, and the dark theme really
// changes the colours. It takes projector.png and phone.png.
func (h *harness) checkLayout(t *testing.T) {
	ctx, cancel := context.WithTimeout(h.ctx, 2*appLoad)
	defer cancel()
	background := map[string]string{}
	for _, c := range []struct {
		name, scheme string
		w, h         int64
		mobile       bool
	}{
		{"projector", "light", 1280, 720, false},
		{"phone", "dark", 390, 844, true},
	} {
		if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: c.scheme}},
		}); err != nil {
			t.Fatal(err)
		}
		var opts []chromedp.EmulateViewportOption
		if c.mobile {
			opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch)
		}
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(c.w, c.h, opts...)); err != nil {
			t.Fatal(err)
		}
		h.open(t, "/?preset=seed&strategy=lock&fresh=1&run=1")
		h.runStats(t, "done", "", appLoad)
		type box struct {
			ScrollWidth, InnerWidth float64
			Background              string
			Offscreen               []string
		}
		b := eval[box](t, h, `(() => {
			const off = [];
			for (const id of ["scenario", "strategy", "run", "run-stats", "log"]) {
				const el = document.getElementById(id);
				if (!el) { off.push(id + " (missing)"); continue; }
				const r = el.getBoundingClientRect();
				if (r.width === 0 || r.left < 0 || r.right > innerWidth + 1) off.push(id);
				// On a projector the speaker presses Run without scrolling.
				if (id === "run" && innerWidth >= 1000 && r.bottom > innerHeight) off.push(id + " (below the fold)");
			}
			return {
				scrollWidth: document.documentElement.scrollWidth,
				innerWidth: innerWidth,
				background: getComputedStyle(document.body).backgroundColor,
				offscreen: off,
			};
		})()`, settle)
		if b.ScrollWidth > b.InnerWidth+1 {
			t.Errorf("%s %dx%d: the page is %v px wide, wider than the %v px screen", c.name, c.w, c.h, b.ScrollWidth, b.InnerWidth)
		}
		if len(b.Offscreen) > 0 {
			t.Errorf("%s %dx%d: controls cut off or hidden: %v", c.name, c.w, c.h, b.Offscreen)
		}
		background[c.scheme] = b.Background
		t.Logf("%s (%s theme, %dx%d): background %s", c.name, c.scheme, c.w, c.h, b.Background)
		h.saveScreenshot(t, ctx, c.name+".png")
	}
	if background["light"] == background["dark"] {
		t.Errorf("the dark theme has the light theme's background %s", background["light"])
	}
	// Back to the defaults for the tests after this one.
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800)); err != nil {
		t.Fatal(err)
	}
}

// checkKeyboard checks that every control has a name a screen reader
// reads and is reachable by Tab, that focus is visible, that a run
// started from the keyboard works, and that the live log never takes the
// focus.
func (h *harness) checkKeyboard(t *testing.T) {
	h.open(t, "/?preset=seed&strategy=keyed&fresh=1")
	unnamed := eval[[]string](t, h, `(() => {
		const bad = [];
		for (const el of document.querySelectorAll("button, input, select, textarea, a[href], [tabindex]")) {
			if (el.closest("[hidden]") || el.getClientRects().length === 0) continue;
			const name = (el.getAttribute("aria-label") || "").trim()
				|| (el.labels && [...el.labels].map((l) => l.innerText).join(" ").trim())
				|| (el.getAttribute("aria-labelledby") || "").trim()
				|| (el.getAttribute("title") || "").trim()
				|| (["BUTTON", "A"].includes(el.tagName) && el.innerText.trim());
			if (!name) bad.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className ? "." + el.className : ""));
			if (el.tabIndex < 0 && !el.disabled) bad.push((el.id || el.tagName) + " (tabindex -1)");
		}
		return bad;
	})()`, settle)
	if len(unnamed) > 0 {
		t.Errorf("controls without an accessible name or out of the tab order: %v", unnamed)
	}

	// Tab from the top of the page until the Run button has the focus.
	ctx, cancel := context.WithTimeout(h.ctx, 3*runTimeout)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.activeElement.blur(), true`)); err != nil {
		t.Fatal(err)
	}
	reached := false
	for i := 0; i < 40 && !reached; i++ {
		if err := chromedp.Do(ctx, chromedp.KeyEvent("\t")); err != nil {
			t.Fatal(err)
		}
		reached = eval[bool](t, h, `document.activeElement && document.activeElement.id === "run"`, settle)
	}
	if !reached {
		t.Fatal("Tab never reached the Run button within 40 presses")
	}
	focus := eval[string](t, h, `(() => {
		const el = document.activeElement, s = getComputedStyle(el);
		return el.matches(":focus-visible") && s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2 ? "visible" : s.outlineStyle + " " + s.outlineWidth;
	})()`, settle)
	if focus != "visible" {
		t.Errorf("the focused Run button shows no focus ring: outline %s", focus)
	}
	h.srv.Reset()
	if err := chromedp.Do(ctx, chromedp.KeyEvent("\r")); err != nil {
		t.Fatal(err)
	}
	attrs := h.runStats(t, "done", "", runTimeout)
	if attrs["fetches"] != "2" || attrs["deduped"] != "1" {
		t.Errorf("the run started with Enter: %v; want 2 fetches, 1 deduplicated", attrs)
	}
	after := eval[string](t, h, `document.activeElement.id || document.activeElement.tagName`, settle)
	if after != "run" && after != "stop" {
		// The Run button is disabled during the run; its focus may move
		// to the body, but never to the log or anything else.
		if after != "BODY" {
			t.Errorf("after the run the focus is on %q; the log must not take it", after)
		}
	}
	live := eval[string](t, h, `document.getElementById("log").getAttribute("aria-live")`, settle)
	if live != "polite" {
		t.Errorf("#log aria-live = %q; want polite", live)
	}
}

// checkOffline opens the page and runs a scenario while the network is
// up, then cuts it: the page still opens from the service worker and
// answers the scenario from its IndexedDB cache, while a fresh run's
// fetches fail, because the worker never serves data.
func (h *harness) checkOffline(t *testing.T, net *network) {
	h.open(t, "/?strategy=keyed")
	online := h.mustRun(t, map[string]any{"scenario": twoURLs, "strategy": "keyed", "latency": "0", "fresh": true})
	if online.Fetches != 2 {
		t.Fatalf("online run: %+v; want 2 fetches", online)
	}
	if _, err := chromedp.Run(h.ctx, poll[bool](`(async () => {
			const r = await navigator.serviceWorker.getRegistration();
			return !!(r && r.active && r.active.state === "activated" && navigator.serviceWorker.controller);
		})()`, chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(appLoad))); err != nil {
		t.Fatalf("the service worker never took control: %v", err)
	}

	net.down.Store(true)
	defer net.down.Store(false)
	// A demo link with parameters the worker has never seen.
	h.open(t, "/?preset=stampede&strategy=keyed&latency=0s")
	cached := h.mustRun(t, map[string]any{"scenario": twoURLs, "strategy": "keyed", "latency": "0"})
	if cached.Fetches != 0 || cached.Hits != requests || cached.Errors != 0 {
		t.Errorf("offline, from the cache: %+v; want 0 fetches, %d hits, 0 errors", cached, requests)
	}
	out := h.run(t, map[string]any{"scenario": twoURLs, "strategy": "keyed", "latency": "0", "fresh": true})
	if !out.OK || out.Stats.Errors != requests || out.Stats.Hits != 0 {
		t.Errorf("a fresh run offline: %+v; want every request to fail, none answered by the service worker", out)
	}
}
