//go:build !(js && wasm)

package e2e

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"sync"
	"testing"
	"time"
)

// steadyTimeout bounds the wait for a steady run of a few seconds in two
// tabs at once, which a busy machine stretches a lot.
const steadyTimeout = 4 * time.Minute

// ttlStats is what window.stampede.run resolves to, with the expiry
// fields.
type ttlStats struct {
	stats
	Stale       int     `json:"stale"`
	Refreshes   int     `json:"refreshes"`
	PeakFetches int     `json:"peakFetches"`
	P50Ms       float64 `json:"p50Ms"`
	P99Ms       float64 `json:"p99Ms"`
	MaxWaitMs   float64 `json:"maxWaitMs"`
}

// timedRun is a settled window.stampede.run promise with the page's
// clock (Date.now(), one clock for every tab of the browser) read just
// before the call and once it settled.
type timedRun struct {
	OK      bool     `json:"ok"`
	Stats   ttlStats `json:"stats"`
	Error   string   `json:"error"`
	StartMs float64  `json:"startMs"`
	EndMs   float64  `json:"endMs"`
}

// arrivals records when the server received each request for one path.
type arrivals struct {
	path string
	mu   sync.Mutex  // protects at
	at   []time.Time // in order of arrival
}

// wrap is a newHarness wrap that notes each request for a.path as it
// arrives, before the server answers it.
func (a *arrivals) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == a.path {
			a.mu.Lock()
			a.at = append(a.at, time.Now())
			a.mu.Unlock()
		}
		next.ServeHTTP(w, r)
	})
}

func (a *arrivals) reset() {
	a.mu.Lock()
	a.at = nil
	a.mu.Unlock()
}

// gaps returns the times between consecutive arrivals.
func (a *arrivals) gaps() []time.Duration {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []time.Duration
	for i := 1; i < len(a.at); i++ {
		out = append(out, a.at[i].Sub(a.at[i-1]))
	}
	return out
}

// TestExpiryCrosstab runs a steady load on one URL with a ttl in two tabs
// at once under crosstab: the tabs share the entry through IndexedDB and
// take turns on its Web Lock, so when it expires one of them fetches it
// again and the other reads what that one stored. The server sees about
// one fetch per expiry window for both tabs together, not one per tab:
// no two of its fetches arrive less than a ttl apart, since the next one
// starts only once the entry the last one stored has expired (and after
// the added latency), whichever tab makes it.
//
// On a busy machine two pages running at once are slow (their runs have
// stretched from 5 s to over a minute on a loaded 2-core box): the test
// waits for the runs' promises however long they take, and its bounds
// hold for any length of run. The tabs show the embed view (editor,
// counters, log), which leaves out the timeline's drawing.
func TestExpiryCrosstab(t *testing.T) {
	chromium := chromiumPath(t)
	_, dist := buildSite(t)
	hot := &arrivals{path: "/data/hot.json"}
	a := newHarness(t, chromium, dist, hot.wrap)
	b := a.secondTab(t)
	a.open(t, "/?embed=1")
	b.open(t, "/?embed=1")

	// Empty the shared cache once, then run both tabs at once.
	a.mustRun(t, map[string]any{"scenario": "w: get data/b.json", "strategy": "keyed", "latency": "0", "fresh": true})
	a.srv.Reset()
	hot.reset()
	const (
		ttl     = time.Second
		latency = 200 * time.Millisecond
		workers = 4
		reps    = 50 // every 100ms for 5s
	)
	opts, err := json.Marshal(map[string]any{
		"scenario": fmt.Sprintf("readers x%d every 100ms for 5s: get data/hot.json", workers),
		"strategy": "crosstab", "ttl": ttl.String(), "latency": latency.String(), "fresh": false,
	})
	if err != nil {
		t.Fatal(err)
	}
	expr := fmt.Sprintf(`(async () => {
		const startMs = Date.now();
		try {
			const stats = await window.stampede.run(%s);
			return {ok: true, stats, startMs, endMs: Date.now()};
		} catch (e) {
			return {ok: false, error: String(e instanceof Error ? e.message : e), startMs, endMs: Date.now()};
		}
	})()`, opts)
	var runs [2]timedRun
	var wg sync.WaitGroup
	for i, h := range []*harness{a, b} {
		wg.Go(func() { runs[i] = eval[timedRun](t, h, expr, steadyTimeout) })
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	for i, r := range runs {
		if !r.OK {
			t.Fatalf("tab %d: window.stampede.run rejected: %s", i, r.Error)
		}
	}

	// Both runs asked from the first start to the last end: an entry is
	// fetched at most once per ttl in that span, and once more at the
	// start.
	first := math.Min(runs[0].StartMs, runs[1].StartMs)
	last := math.Max(runs[0].EndMs, runs[1].EndMs)
	span := time.Duration(last-first) * time.Millisecond
	windows := int(math.Ceil(float64(span) / float64(ttl)))
	overlap := time.Duration(math.Min(runs[0].EndMs, runs[1].EndMs)-math.Max(runs[0].StartMs, runs[1].StartMs)) * time.Millisecond
	fetches := a.srv.Count(hot.path)
	gaps := hot.gaps()
	for i, r := range runs {
		s := r.Stats
		t.Logf("tab %d: ended %v after the first start; fetches %d, refreshes %d, hits %d, shared %d, stale %d, errors %d, requests %d, p50 %.0f ms, p99 %.0f ms, longest wait %.0f ms",
			i, time.Duration(r.EndMs-first)*time.Millisecond, s.Fetches, s.Refreshes, s.Hits, s.Shared, s.Stale, s.Errors, s.Requests, s.P50Ms, s.P99Ms, s.MaxWaitMs)
	}
	shown := make([]time.Duration, len(gaps))
	for i, g := range gaps {
		shown[i] = g.Round(time.Millisecond)
	}
	t.Logf("the server saw %d fetches of %s in %v, %d expiry windows of %v (the runs overlapped %v); between fetches %v",
		fetches, hot.path, span.Round(time.Millisecond), windows, ttl, overlap.Round(time.Millisecond), shown)

	if overlap < 2*ttl {
		t.Fatalf("the tabs' runs overlapped only %v; want them to run together", overlap.Round(time.Millisecond))
	}
	if fetches < 2 {
		t.Errorf("the server saw %d fetches of %s; want at least 2: the entry never expired", fetches, hot.path)
	}
	if fetches > windows+1 {
		t.Errorf("the server saw %d fetches of %s in %d expiry windows; want at most %d, one per window for both tabs together", fetches, hot.path, windows, windows+1)
	}
	for i, g := range gaps {
		if g < ttl {
			t.Errorf("fetches %d and %d of %s reached the server %v apart; want at least the ttl %v (a tab fetched an entry the other had just stored)", i+1, i+2, hot.path, g, ttl)
		}
	}
	if got := runs[0].Stats.Fetches + runs[1].Stats.Fetches; got != fetches {
		t.Errorf("the tabs counted %d + %d fetches; the server saw %d", runs[0].Stats.Fetches, runs[1].Stats.Fetches, fetches)
	}
	for i, r := range runs {
		s := r.Stats
		if s.Strategy != "crosstab" || s.Requests != workers*reps || s.Errors != 0 || s.Stale != 0 || s.Deduped != s.Requests-s.Fetches {
			t.Errorf("tab %d: %+v; want crosstab, %d requests, every one a fetch or a deduplicated answer, no errors, nothing stale", i, s, workers*reps)
		}
	}
}
