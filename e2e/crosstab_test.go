//go:build !(js && wasm)

package e2e

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestCrosstab runs the crosstab strategy in two tabs of one browser (one
// profile, so one origin's IndexedDB, Web Locks and BroadcastChannel)
// against the counting devserver.
func TestCrosstab(t *testing.T) {
	chromium := chromiumPath(t)
	_, dist := buildSite(t)
	a := newHarness(t, chromium, dist)
	b := a.secondTab(t)

	t.Run("two tabs, one fetch", func(t *testing.T) {
		// Empty the shared cache once, then run both tabs at once.
		a.mustRun(t, map[string]any{"scenario": "w: get data/b.json", "strategy": "keyed", "latency": "0", "fresh": true})
		a.srv.Reset()
		opts := map[string]any{"scenario": "w x10: get data/a.json", "strategy": "crosstab", "latency": "300ms", "fresh": false}
		var st [2]stats
		var wg sync.WaitGroup
		for i, h := range []*harness{a, b} {
			wg.Go(func() { st[i] = h.mustRun(t, opts) })
		}
		wg.Wait()
		if t.Failed() {
			return
		}
		if got := a.srv.Count("/data/a.json"); got != 1 {
			t.Errorf("the server saw %d requests for /data/a.json; want 1", got)
		}
		if got := st[0].Fetches + st[1].Fetches; got != 1 {
			t.Errorf("fetches %d + %d; want 1 in all", st[0].Fetches, st[1].Fetches)
		}
		for i, s := range st {
			if s.Strategy != "crosstab" || s.Workers != 10 || s.Errors != 0 || s.Deduped != 10-s.Fetches || s.Hits != s.Deduped {
				t.Errorf("tab %d: %+v; want crosstab, 10 workers, every other request a hit, no errors", i, s)
			}
		}
		f, w := a, b // the tab that fetched, the tab that waited
		if st[1].Fetches == 1 {
			f, w = b, a
		}
		// The waiting tab marks its hits as served by the other tab once
		// the other tab's events have arrived over the BroadcastChannel.
		served := w.poll(t, `document.querySelectorAll("#log .served").length > 0 && document.querySelectorAll("#log li.remote").length > 0`)
		if !served {
			t.Error("the waiting tab's log shows no hit served by another tab, or no line from it")
		}
		fetchMs := f.eval(t, `(() => { const s = window.stampede.lastRun; return s ? s.wallMs : -1 })()`)
		waitMs := w.eval(t, `(() => { const s = window.stampede.lastRun; return s ? s.maxWaitMs : -1 })()`)
		t.Logf("fetching tab: wall %.0f ms (300 ms added latency + the fetch, its own 9 other workers queued behind it); other tab: longest Web Lock wait %.0f ms, wall %.0f ms, 0 fetches",
			fetchMs, waitMs, w.eval(t, `window.stampede.lastRun.wallMs`))
		if waitMs < 250 {
			t.Errorf("the waiting tab waited at most %.0f ms; want about the other tab's 300 ms latency and fetch", waitMs)
		}
	})

	t.Run("a closed tab's lock passes on", func(t *testing.T) {
		holder := a.secondTab(t)
		holder.mustRun(t, map[string]any{"scenario": "w: get data/c.json", "strategy": "keyed", "latency": "0", "fresh": true})
		a.srv.Reset()
		slow := "slow/closed?ms=3000"
		// The holder takes the Web Lock for the slow URL and is closed
		// mid-fetch; the other tab, queued on the same lock, takes over.
		if _, err := chromedp.Run(holder.ctx, chromedp.Evaluate[int](
			fmt.Sprintf(`window.stampede.run({scenario: "w: get %s", strategy: "crosstab", latency: "0"}); 0`, slow))); err != nil {
			t.Fatal(err)
		}
		if !holder.poll(t, `navigator.locks.query().then(q => q.held.length > 0)`) {
			t.Fatal("the holder never held a Web Lock")
		}
		done := make(chan stats, 1)
		go func() {
			done <- b.mustRun(t, map[string]any{"scenario": "w x3: get " + slow, "strategy": "crosstab", "latency": "0", "fresh": false})
		}()
		if !b.poll(t, `navigator.locks.query().then(q => q.pending.length > 0)`) {
			t.Fatal("the second tab never queued for the lock")
		}
		closeStart := time.Now()
		if err := chromedp.Cancel(holder.ctx); err != nil { // closes the tab
			t.Fatalf("closing the holder's tab: %v", err)
		}
		var s stats
		select {
		case s = <-done:
		case <-time.After(runTimeout):
			t.Fatal("the waiting tab never finished after the holder closed")
		}
		t.Logf("the waiting tab finished %v after the holder's tab was closed", time.Since(closeStart).Round(time.Millisecond))
		if s.Errors != 0 || s.Fetches != 1 || s.Requests != 3 || s.Deduped != 2 {
			t.Errorf("waiting tab: %+v; want 1 fetch, 2 deduped, no errors", s)
		}
		if !b.poll(t, `navigator.locks.query().then(q => q.held.length === 0 && q.pending.length === 0)`) {
			t.Error("a Web Lock is still held or pending after both runs ended")
		}
	})
}

// secondTab opens the site's page in another tab of h's browser.
func (h *harness) secondTab(t *testing.T) *harness {
	t.Helper()
	ctx, cancel := chromedp.NewContext(h.ctx)
	t.Cleanup(cancel)
	// The first action on a new context opens its tab and ties the tab's
	// life to the context it was given: give it one with no deadline.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("opening a second tab: %v", err)
	}
	h2 := &harness{ctx: ctx, srv: h.srv, url: h.url}
	h2.open(t, "/")
	return h2
}

// poll waits up to runTimeout for the JavaScript expression, which may
// be a promise, to be true.
func (h *harness) poll(t *testing.T, expr string) bool {
	t.Helper()
	deadline := time.Now().Add(runTimeout)
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(h.ctx, 5*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr, chromedp.EvalAwaitPromise))
		cancel()
		if err == nil && ok {
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return false
}

// eval returns a number the page computes.
func (h *harness) eval(t *testing.T, expr string) float64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(h.ctx, 5*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[float64](expr))
	if err != nil {
		t.Errorf("evaluating %s: %v", expr, err)
	}
	return v
}
