//go:build !(js && wasm)

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestCrosstab runs the crosstab strategy in two tabs of one browser (one
// profile, so one origin's IndexedDB, Web Locks and BroadcastChannel)
// against the counting devserver. The fetch both tabs want is held at a
// gate the test opens (gates.wrap): the interleaving is forced by waiting
// on states (the server has the request, the other tab is queued on the
// Web Lock), never by starting two runs at once and hoping.
func TestCrosstab(t *testing.T) {
	_, dist := buildSite(t)
	g := newGates()
	a := newHarness(t, chromiumPath(t), dist, g.wrap)
	b := a.secondTab(t)

	t.Run("two tabs, one fetch", func(t *testing.T) {
		// Empty the shared cache once.
		a.mustRun(t, map[string]any{"scenario": "w: get data/b.json", "strategy": "keyed", "latency": "0", "fresh": true})
		opts := map[string]any{"scenario": "w x10: get gate/one", "strategy": "crosstab", "latency": "0", "fresh": false}
		// Tab a's first worker takes the Web Lock and fetches; the gate
		// holds the fetch until both tabs' other workers are queued.
		outA := goRun(a, opts)
		g.waitHits(t, "one", 1)
		outB := goRun(b, opts)
		if !a.poll(t, `navigator.locks.query().then(q => q.held.length === 1 && q.pending.length === 19)`) {
			t.Fatal("the other 19 workers of both tabs never queued on the Web Lock of the one held")
		}
		g.open("one")
		var st [2]stats
		for i, out := range []<-chan outcome{outA, outB} {
			o := <-out
			if !o.OK {
				t.Fatalf("tab %d: window.stampede.run rejected: %s", i, o.Error)
			}
			st[i] = o.Stats
		}
		t.Logf("fetching tab: %+v; waiting tab: %+v", st[0], st[1])
		if got := g.hits("one"); got != 1 {
			t.Errorf("the server saw %d requests for /gate/one; want 1", got)
		}
		if st[0].Fetches != 1 || st[1].Fetches != 0 {
			t.Errorf("fetches %d + %d; want 1 in the tab that held the lock, 0 in the other", st[0].Fetches, st[1].Fetches)
		}
		for i, s := range st {
			if s.Strategy != "crosstab" || s.Workers != 10 || s.Errors != 0 || s.Deduped != 10-s.Fetches || s.Hits != s.Deduped {
				t.Errorf("tab %d: %+v; want crosstab, 10 workers, every other request a hit, no errors", i, s)
			}
		}
		// The waiting tab marks its hits as served by the other tab once
		// the other tab's events have arrived over the BroadcastChannel.
		if !b.poll(t, `document.querySelectorAll("#log .served").length > 0 && document.querySelectorAll("#log li.remote").length > 0`) {
			t.Error("the waiting tab's log shows no hit served by another tab, or no line from it")
		}
		if waitMs := b.eval(t, `(() => { const s = window.stampede.lastRun; return s ? s.maxWaitMs : -1 })()`); waitMs <= 0 {
			t.Errorf("the waiting tab's longest Web Lock wait is %.0f ms; it queued behind the other tab's fetch", waitMs)
		}
	})

	t.Run("a closed tab's lock passes on", func(t *testing.T) {
		holder := a.secondTab(t)
		holder.mustRun(t, map[string]any{"scenario": "w: get data/c.json", "strategy": "keyed", "latency": "0", "fresh": true})
		// The holder takes the Web Lock for the gated URL and is closed
		// mid-fetch; the other tab, queued on the same lock, takes over.
		_ = goRun(holder, map[string]any{"scenario": "w: get gate/closed", "strategy": "crosstab", "latency": "0"})
		g.waitHits(t, "closed", 1)
		done := goRun(b, map[string]any{"scenario": "w x3: get gate/closed", "strategy": "crosstab", "latency": "0", "fresh": false})
		if !b.poll(t, `navigator.locks.query().then(q => q.held.length === 1 && q.pending.length === 3)`) {
			t.Fatal("the second tab never queued for the lock")
		}
		closeStart := time.Now()
		if err := chromedp.Cancel(holder.ctx); err != nil { // closes the tab
			t.Fatalf("closing the holder's tab: %v", err)
		}
		// The lock passes to the second tab, which finds no entry and fetches.
		g.waitHits(t, "closed", 2)
		g.open("closed")
		var o outcome
		select {
		case o = <-done:
		case <-time.After(runTimeout):
			t.Fatal("the waiting tab never finished after the holder closed")
		}
		t.Logf("the waiting tab finished %v after the holder's tab was closed", time.Since(closeStart).Round(time.Millisecond))
		if s := o.Stats; !o.OK || s.Errors != 0 || s.Fetches != 1 || s.Requests != 3 || s.Deduped != 2 {
			t.Errorf("waiting tab: %+v; want 1 fetch, 2 deduped, no errors", o)
		}
		if !b.poll(t, `navigator.locks.query().then(q => q.held.length === 0 && q.pending.length === 0)`) {
			t.Error("a Web Lock is still held or pending after both runs ended")
		}
	})
}

// goRun starts window.stampede.run(opts) in h's tab from a goroutine
// and hands back how it settled.
func goRun(h *harness, opts map[string]any) <-chan outcome {
	out := make(chan outcome, 1)
	arg, _ := json.Marshal(opts)
	go func() {
		ctx, cancel := context.WithTimeout(h.ctx, 3*runTimeout)
		defer cancel()
		o, err := chromedp.Run(ctx, chromedp.Evaluate[outcome](fmt.Sprintf(`window.stampede.run(%s).then(
			s => ({ok: true, stats: s}),
			e => ({ok: false, error: String(e instanceof Error ? e.message : e)}))`, arg), chromedp.EvalAwaitPromise))
		if err != nil {
			o = outcome{Error: err.Error()}
		}
		out <- o
	}()
	return out
}

// gates serves /gate/NAME, counting each request, and answers it only
// once the test opens NAME's gate (or the client gives up): a fetch
// stays in flight exactly as long as a test needs, like the gate
// channels of x/sync/singleflight's tests.
type gates struct {
	mu     sync.Mutex // protects the maps
	counts map[string]int
	ch     map[string]chan struct{}
}

func newGates() *gates {
	return &gates{counts: map[string]int{}, ch: map[string]chan struct{}{}}
}

// gate returns NAME's channel; g.mu must be held.
func (g *gates) gate(name string) chan struct{} {
	c, ok := g.ch[name]
	if !ok {
		c = make(chan struct{})
		g.ch[name] = c
	}
	return c
}

func (g *gates) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, ok := strings.CutPrefix(r.URL.Path, "/gate/")
		if !ok {
			h.ServeHTTP(w, r)
			return
		}
		g.mu.Lock()
		g.counts[name]++
		c := g.gate(name)
		g.mu.Unlock()
		select {
		case <-c:
		case <-r.Context().Done():
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"gate":%q}`, name)
	})
}

func (g *gates) open(name string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	close(g.gate(name))
}

func (g *gates) hits(name string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.counts[name]
}

// waitHits waits until the server has received n requests for /gate/NAME.
func (g *gates) waitHits(t *testing.T, name string, n int) {
	t.Helper()
	waitUntil(t, fmt.Sprintf("%d requests for /gate/%s", n, name), runTimeout, func() bool { return g.hits(name) >= n })
}

// waitUntil polls cond until it holds, and fails the test when it still
// does not after timeout.
func waitUntil(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(timeout); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s", timeout, what)
		}
	}
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
		ctx, cancel := context.WithTimeout(h.ctx, settle)
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
	ctx, cancel := context.WithTimeout(h.ctx, settle)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[float64](expr))
	if err != nil {
		t.Errorf("evaluating %s: %v", expr, err)
	}
	return v
}
