package ui

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/stampede-playground/stampede/app/stampede"
)

// countingFetcher answers every URL after delay and counts fetches per URL.
type countingFetcher struct {
	delay time.Duration
	fail  error

	mu    sync.Mutex // protects count
	count map[string]int
}

func (f *countingFetcher) fetcher() stampede.Fetcher {
	return stampede.FetcherFunc(func(ctx context.Context, u string) (stampede.Response, error) {
		f.mu.Lock()
		if f.count == nil {
			f.count = map[string]int{}
		}
		f.count[u]++
		f.mu.Unlock()
		select {
		case <-time.After(f.delay):
		case <-ctx.Done():
			return stampede.Response{}, ctx.Err()
		}
		if f.fail != nil {
			return stampede.Response{}, f.fail
		}
		return stampede.Response{Status: 200, ContentType: "application/json", Body: []byte(`{"x":1}`)}, nil
	})
}

func (f *countingFetcher) counts() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]int{}
	for k, v := range f.count {
		out[k] = v
	}
	return out
}

// page mounts a playground whose URL has the query q.
func page(t *testing.T, env Env, q string) (*Playground, app.ClientDispatcher, *[]string) {
	t.Helper()
	p := newPlayground(env)
	u, err := url.Parse("https://example.org/?" + q)
	if err != nil {
		t.Fatal(err)
	}
	p.browser.location = func() *url.URL { return u }
	var urls []string
	p.browser.replaceURL = func(s string) { urls = append(urls, s) } // only on the UI goroutine
	d := app.NewClientTester(p)
	t.Cleanup(d.Close)
	return p, d, &urls
}

// onUI runs fn on the UI goroutine with src's context (the page or one
// of its views) and lets everything it starts finish.
func onUI(d app.ClientDispatcher, src app.UI, fn func(ctx app.Context)) {
	d.Dispatch(app.Dispatch{Mode: app.Update, Source: src, Function: fn})
	d.Consume()
}

func html(p *Playground) string { return app.HTMLString(p) }

func wantHTML(t *testing.T, p *Playground, parts ...string) {
	t.Helper()
	h := html(p)
	for _, s := range parts {
		if !strings.Contains(h, s) {
			t.Errorf("page lacks %s", s)
		}
	}
}

func TestRunSeedUnderLock(t *testing.T) {
	f := &countingFetcher{delay: 20 * time.Millisecond}
	p, d, urls := page(t, Env{Fetcher: f.fetcher()}, "preset=seed&strategy=lock&latency=0&run=1")
	d.Consume()

	if p.run.run.state != runDone {
		t.Fatalf("state = %q (%s); want done", p.run.run.state, p.run.run.result.Err)
	}
	if got := f.counts(); got["data/stuff.json"] != 1 || got["data/other.json"] != 1 || len(got) != 2 {
		t.Errorf("fetches per URL = %v; want stuff.json 1, other.json 1", got)
	}
	s := p.run.run.live
	if s.Strategy != stampede.Lock || s.Workers != 3 || s.Requests != 3 || s.Fetches != 2 || s.Deduped != 1 || s.Hits != 1 || s.Shared != 0 || s.Errors != 0 {
		t.Errorf("counters = %+v; want lock, 3 workers, 3 requests, 2 fetches, 1 deduped (a hit), 0 errors", s)
	}
	if s.WallMs < 300 {
		t.Errorf("wall %.1f ms; do_work works 300ms", s.WallMs)
	}
	wantHTML(t, p, `id="run-stats"`, `data-state="done"`, `data-strategy="lock"`, `data-workers="3"`,
		`data-requests="3"`, `data-fetches="2"`, `data-hits="1"`, `data-shared="0"`, `data-deduped="1"`,
		`data-errors="0"`, `data-wall-ms="`, `data-run-id="run-1-`, `data-stopped="false"`,
		`class="line dedup"`, `class="line net"`, `>deduped<`, `aria-live="polite"`, `role="log"`,
		`id="explain"`)

	var dedup, byOther int
	for _, l := range p.views.log.lines {
		if l.Class == classDedup {
			dedup++
			if l.Kind == "cache-hit" && (l.By == "parse_stuff" || l.By == "use_stuff") && l.By != l.Worker {
				byOther++
			}
		}
	}
	if dedup != 1 || byOther != 1 {
		t.Errorf("%d dedup lines, %d served by the other caller; want 1 and 1", dedup, byOther)
	}
	if len(p.views.log.lines) != p.run.run.total || p.run.run.total == 0 {
		t.Errorf("%d lines of %d events; want all", len(p.views.log.lines), p.run.run.total)
	}
	if len(*urls) == 0 {
		t.Fatal("the URL was never written")
	}
	last := (*urls)[len(*urls)-1]
	if !strings.Contains(last, "preset=seed") || !strings.Contains(last, "strategy=lock") || strings.Contains(last, "run=") {
		t.Errorf("URL = %s; want preset=seed, strategy=lock, no run=", last)
	}
}

func TestRunUsesStoreAndFresh(t *testing.T) {
	f := &countingFetcher{}
	store := new(stampede.MemoryStore)
	_ = store.Put(context.Background(), "data/stuff.json", stampede.Response{Status: 200, Body: []byte("{}"), FetchedBy: "earlier"})
	env := Env{Fetcher: f.fetcher(), OpenStore: func(context.Context) (stampede.Store, string) {
		return store, "IndexedDB is not available: the cache lives in memory."
	}}
	p, d, _ := page(t, env, "preset=seed&latency=0&run=1")
	d.Consume()
	if p.run.run.live.Fetches != 1 || p.run.run.live.Hits != 2 || f.counts()["data/stuff.json"] != 0 {
		t.Errorf("with stuff.json cached: %+v, fetched %v; want 1 fetch (other.json), 2 hits", p.run.run.live, f.counts())
	}
	wantHTML(t, p, `id="notice"`, "IndexedDB is not available")

	var out <-chan runResult
	onUI(d, p, func(ctx app.Context) {
		var err error
		out, err = p.run.start(ctx, runRequest{settings: p.settings, Fresh: true})
		if err != nil {
			t.Error(err)
		}
	})
	r := <-out
	if r.Stats.Fetches != 2 || r.Stats.Hits != 1 || f.counts()["data/stuff.json"] != 1 {
		t.Errorf("fresh run: %+v; want 2 fetches, 1 hit", r.Stats)
	}
	if r.RunID == "" || !strings.HasPrefix(r.RunID, "run-2-") {
		t.Errorf("run id %q; want run-2-…", r.RunID)
	}
}

func TestAPIRun(t *testing.T) {
	f := &countingFetcher{delay: 5 * time.Millisecond}
	p, d, _ := page(t, Env{Fetcher: f.fetcher()}, "latency=0")

	var out <-chan runResult
	var busy error
	onUI(d, p, func(ctx app.Context) {
		var err error
		out, err = p.run.runFields(ctx, map[string]any{"preset": "stampede", "strategy": "singleflight"}, p.settings)
		if err != nil {
			t.Fatal(err)
		}
		_, busy = p.run.runFields(ctx, map[string]any{}, p.settings)
	})
	if busy == nil || busy.Error() != "a run is already in progress" {
		t.Errorf("second run: %v; want a run is already in progress", busy)
	}
	r := <-out
	if r.Stats.Workers != 50 || r.Stats.Fetches != 1 || r.Stats.Deduped != 49 {
		t.Errorf("stampede under singleflight: %+v; want 50 workers, 1 fetch, 49 deduped", r.Stats)
	}
	// The page shows what the API ran.
	if matchPreset(p.settings.Text) != "stampede" || p.settings.Strategy != stampede.Singleflight {
		t.Errorf("editor holds %q under %s", matchPreset(p.settings.Text), p.settings.Strategy)
	}
	obj := resultObject(r)
	for k, want := range map[string]any{"strategy": "singleflight", "workers": 50.0, "requests": 50.0, "fetches": 1.0,
		"hits": float64(r.Stats.Hits), "shared": float64(r.Stats.Shared), "deduped": 49.0, "errors": 0.0, "stopped": false} {
		if obj[k] != want {
			t.Errorf("result %s = %v (%T); want %v", k, obj[k], obj[k], want)
		}
	}
	if _, ok := obj["wallMs"].(float64); !ok {
		t.Errorf("wallMs = %#v; want a number", obj["wallMs"])
	}

	// An invalid scenario rejects with the parser's message and shows it.
	onUI(d, p, func(ctx app.Context) {
		_, err := p.run.runFields(ctx, map[string]any{"scenario": "a: get data/a.json\nb: jump"}, p.settings)
		if err == nil || err.Error() != `line 2, col 4: unknown step "jump": want get, fetch, work or once` {
			t.Errorf("err = %v", err)
		}
	})
	wantHTML(t, p, `data-state="error"`, `data-error="line 2, col 4: unknown step`)
	if matchPreset(p.settings.Text) != "stampede" {
		t.Error("an invalid API run replaced the editor's text")
	}

	// A wrong type names the field.
	onUI(d, p, func(ctx app.Context) {
		_, err := p.run.runFields(ctx, map[string]any{"latency": true}, p.settings)
		if err == nil || !strings.Contains(err.Error(), `field "latency"`) {
			t.Errorf("err = %v; want it to name the latency field", err)
		}
	})
}

func TestFailedFetchesResolve(t *testing.T) {
	f := &countingFetcher{fail: errors.New("network down")}
	p, d, _ := page(t, Env{Fetcher: f.fetcher()}, "preset=stampede&strategy=keyed&latency=0&run=1")
	d.Consume()
	if p.run.run.state != runDone || p.run.run.live.Errors != 50 {
		t.Fatalf("state %q, errors %d; want done with 50 errors", p.run.run.state, p.run.run.live.Errors)
	}
	wantHTML(t, p, `data-errors="50"`, `class="line err"`)
}

func TestStop(t *testing.T) {
	f := &countingFetcher{delay: time.Minute}
	p, d, _ := page(t, Env{Fetcher: f.fetcher()}, "preset=stampede&latency=0")
	start := time.Now()
	var out <-chan runResult
	onUI(d, p, func(ctx app.Context) {
		out, _ = p.run.start(ctx, runRequest{settings: p.settings})
		if !p.run.busy || p.run.run.state != runRunning {
			t.Errorf("running %v, state %q right after start", p.run.busy, p.run.run.state)
		}
		p.onStop(ctx, app.Event{})
	})
	r := <-out
	if !r.Stopped || p.run.run.state != runDone || p.run.busy {
		t.Errorf("after Stop: %+v, state %q, running %v", r, p.run.run.state, p.run.busy)
	}
	if time.Since(start) > 10*time.Second {
		t.Errorf("Stop took %v", time.Since(start))
	}
	// go-app writes a "true" attribute bare in HTML; the DOM gets "true".
	wantHTML(t, p, `data-stopped`)
	if strings.Contains(html(p), `data-stopped="false"`) {
		t.Error(`data-stopped="false" after Stop`)
	}
}

func TestParamErrorsShown(t *testing.T) {
	p, d, _ := page(t, Env{}, "strategy=foo&latency=20s&run=1")
	d.Consume()
	wantHTML(t, p, `id="param-errors"`, `strategy=foo: unknown strategy &#34;foo&#34;: want none, lock`, "latency=20s: latency 20s is over the limit of 10s")
	if p.settings != defaultSettings() {
		t.Errorf("settings %+v; want the defaults", p.settings)
	}
	// run=1 without a fetcher (as when prerendered) ends in the error state.
	if p.run.run.state != runError || !strings.Contains(p.run.run.result.Err, "no fetcher") {
		t.Errorf("state %q, err %q", p.run.run.state, p.run.run.result.Err)
	}
}

func TestRunStatsAttrs(t *testing.T) {
	r := runResult{RunID: "run-1-5", Stats: stampede.Stats{Strategy: stampede.Keyed, Workers: 4, Requests: 6, Fetches: 2,
		Hits: 3, Shared: 1, Deduped: 4, Errors: 1, WallMs: 312.5, MaxWaitMs: 20, OnceRuns: 1, Events: 30}}
	got := map[string]string{}
	for _, a := range runStatsAttrs(runDone, r) {
		got[a.Name] = a.Value
	}
	want := map[string]string{"data-state": "done", "data-run-id": "run-1-5", "data-strategy": "keyed", "data-workers": "4",
		"data-requests": "6", "data-fetches": "2", "data-hits": "3", "data-shared": "1", "data-deduped": "4",
		"data-errors": "1", "data-wall-ms": "312.5", "data-max-wait-ms": "20", "data-once-runs": "1",
		"data-events": "30", "data-stopped": "false", "data-stale": "0", "data-refreshes": "0", "data-p50-ms": "0", "data-p99-ms": "0", "data-peak-fetches": "0"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("done attrs:\n got %v\nwant %v", got, want)
	}
	errAttrs := runStatsAttrs(runError, runResult{Err: "line 1, col 1: no workers"})
	if fmt.Sprint(errAttrs) != fmt.Sprint([]attr{{"data-error", "line 1, col 1: no workers"}, {"data-state", "error"}}) {
		t.Errorf("error attrs = %v", errAttrs)
	}
	if a := runStatsAttrs(runIdle, runResult{}); len(a) != 1 || a[0] != (attr{"data-state", "idle"}) {
		t.Errorf("idle attrs = %v", a)
	}
}

func TestUserTextIsText(t *testing.T) {
	p := newPlayground(Env{})
	p.setSettings(settings{Text: `<img src=x onerror=alert(1)>: get data/a.json`, Strategy: stampede.Lock, Latency: "0"})
	p.run.run.events = []stampede.Event{{Seq: 1, Worker: "w", Kind: stampede.KindError, Target: "<b>x</b>", Detail: "<script>alert(1)</script>"}}
	p.run.run.total = 1
	p.views.log.refresh(nil)
	d := app.NewServerTester(p)
	defer d.Close()
	h := html(p)
	for _, bad := range []string{"<script>", "<b>x", ">\n<img", "><img"} {
		if strings.Contains(h, bad) {
			t.Errorf("page contains raw %q", bad)
		}
	}
	if !strings.Contains(h, "&lt;script&gt;") || !strings.Contains(h, "&lt;img src=x") {
		t.Error("the detail or the scenario is not shown as text")
	}
}

func TestPrerenderIdle(t *testing.T) {
	p := newPlayground(Env{})
	d := app.NewServerTester(p)
	defer d.Close()
	wantHTML(t, p, `data-state="idle"`, `id="scenario"`, `id="preset"`, `id="strategy"`, `id="latency"`,
		`id="run"`, `id="stop"`, `id="clear"`, `id="log"`, `id="counters"`, "what a lock around a cache is for",
		"parse_stuff: get data/stuff.json")
	for _, bad := range []string{` disabled="false"`, ` selected="false"`, ` checked="false"`} {
		if strings.Contains(html(p), bad) {
			t.Errorf("prerendered HTML has%s: the attribute would be on", bad)
		}
	}
	if p.run.busy || p.run.ready {
		t.Errorf("prerendered page: running %v, ready %v", p.run.busy, p.run.ready)
	}
}

// TestBelowMountsAfterAPI: in the browser the panels under the first
// screen are left out of the first render and mounted once the store is
// open and window.stampede defined.
func TestBelowMountsAfterAPI(t *testing.T) {
	below := []string{`id="cache"`, `id="tools"`, `id="code"`}
	var p *Playground
	var first string // the page as the store is opened
	env := Env{OpenStore: func(context.Context) (stampede.Store, string) {
		first = html(p) // the UI goroutine waits for this Async
		return new(stampede.MemoryStore), ""
	}}
	p = newPlayground(env)
	p.below = false // as in the browser
	u, _ := url.Parse("https://example.org/?latency=0")
	p.browser.location = func() *url.URL { return u }
	p.browser.replaceURL = func(string) {}
	d := app.NewClientTester(p)
	t.Cleanup(d.Close)
	d.Consume()

	for _, s := range below {
		if strings.Contains(first, s) {
			t.Errorf("before the store opened, the page has %s", s)
		}
	}
	if !strings.Contains(first, `id="run-stats"`) || !strings.Contains(first, `id="scenario"`) {
		t.Errorf("the first render lacks #run-stats or #scenario")
	}
	d.Consume() // the deferred dispatch
	if p.api == nil || !p.below {
		t.Fatalf("api %v, below %v after the store opened", p.api != nil, p.below)
	}
	wantHTML(t, p, below...)
}
