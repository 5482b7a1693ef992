package ui

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/stampede-playground/stampede/app/stampede"
)

// chanLocker is one lock for every key, honouring ctx: a stand-in for
// the browser's Web Locks.
type chanLocker chan struct{}

func (l chanLocker) Lock(ctx context.Context, _ string) (func(), error) {
	select {
	case l <- struct{}{}:
		var once sync.Once
		return func() { once.Do(func() { <-l }) }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// fakeTabs is a Channel that records what the page publishes and lets a
// test deliver what another tab would.
type fakeTabs struct {
	mu        sync.Mutex // protects the fields below
	published []TabEvent
	subs      []func([]TabEvent)
	messages  int
}

func (f *fakeTabs) Publish(evs []TabEvent) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.published = append(f.published, evs...)
	f.messages++
}

func (f *fakeTabs) Subscribe(fn func([]TabEvent)) func() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.subs = append(f.subs, fn)
	return func() {}
}

func (f *fakeTabs) deliver(ev TabEvent) {
	f.mu.Lock()
	subs := slices.Clone(f.subs)
	f.mu.Unlock()
	for _, fn := range subs {
		fn([]TabEvent{ev})
	}
}

func TestCrossTabRefusedWithoutLocks(t *testing.T) {
	f := &countingFetcher{}
	why := "crosstab needs Web Locks (navigator.locks), which this browser does not have"
	p, d, _ := page(t, Env{Fetcher: f.fetcher(), NoCrossTab: why}, "latency=0")
	d.Consume()
	wantHTML(t, p, `id="crosstab-note"`, why, `crosstab (not available)`, `id="second-tab"`)

	var err error
	onUI(d, p, func(ctx app.Context) {
		_, err = p.run.runFields(ctx, map[string]any{"scenario": "w: get data/a.json", "strategy": "crosstab"}, p.settings)
	})
	if !errors.Is(err, stampede.ErrNoCrossTab) {
		t.Fatalf("crosstab run without Web Locks: %v; want ErrNoCrossTab", err)
	}
	if p.run.run.state != runError || len(f.counts()) != 0 {
		t.Errorf("state %q, fetches %v; want error and nothing fetched", p.run.run.state, f.counts())
	}
	wantHTML(t, p, `data-state="error"`, "needs Web Locks (navigator.locks)")
}

// TestCrossTabEvents: a crosstab run tells the other tabs its events, the
// other tabs' events show as remote lines, and a hit on a response
// another tab's run fetched says "served by another tab".
func TestCrossTabEvents(t *testing.T) {
	f := &countingFetcher{}
	tabs := &fakeTabs{}
	store := new(stampede.MemoryStore)
	const otherRun = "run-1-5-tbeef"
	_ = store.Put(context.Background(), "data/a.json", stampede.Response{Status: 200, Body: []byte("{}"), FetchedBy: "w#2", RunID: otherRun})
	env := Env{
		Fetcher: f.fetcher(), CrossTab: make(chanLocker, 1), Tabs: tabs,
		OpenStore: func(context.Context) (stampede.Store, string) { return store, "" },
	}
	p, d, _ := page(t, env, "latency=0")
	d.Consume()

	// The other tab fetched data/a.json in run otherRun.
	tabs.deliver(TabEvent{Tab: "tbeef", RunID: otherRun, Time: time.Now(),
		Event: stampede.Event{Worker: "w#2", Target: "data/a.json", Kind: stampede.KindFetchStart}})
	d.Consume()
	wantHTML(t, p, `class="line net remote"`, ">tbeef:w#2<")

	var out <-chan runResult
	onUI(d, p, func(ctx app.Context) {
		var err error
		out, err = p.run.runFields(ctx, map[string]any{"scenario": "w x3: get data/a.json; get data/b.json", "strategy": "crosstab"}, p.settings)
		if err != nil {
			t.Error(err)
		}
	})
	r := <-out
	d.Consume()
	if r.Stats.Fetches != 1 || r.Stats.Hits != 5 || r.Stats.Errors != 0 {
		t.Fatalf("stats %+v; want 1 fetch (b.json), 5 hits", r.Stats)
	}
	if !strings.HasSuffix(r.RunID, "-"+p.run.tab) {
		t.Errorf("run id %q lacks the tab id %q", r.RunID, p.run.tab)
	}
	// The other tab's fetch came just before this run: the run keeps it,
	// timed before its start.
	wantHTML(t, p, `class="line net remote"`, ">tbeef:w#2<")
	if e := p.run.run.events[0]; e.Tab != "tbeef" || e.At > 0 {
		t.Errorf("first event %+v; want the other tab's fetch, before the run's start", e)
	}
	served := 0
	for _, l := range p.views.log.lines {
		if l.Served != "" {
			served++
			if l.Kind != "cache-hit" || l.Target != "data/a.json" || l.Served != "served by another tab (tbeef)" {
				t.Errorf("served line %+v; want a hit on data/a.json served by tbeef", l)
			}
		}
	}
	if served != 3 {
		t.Errorf("%d lines served by another tab; want 3 (the hits on a.json)", served)
	}
	wantHTML(t, p, `class="served"`)

	tabs.mu.Lock()
	defer tabs.mu.Unlock()
	if len(tabs.published) == 0 || tabs.published[0] != (TabEvent{Tab: p.run.tab, Presence: presenceHello}) {
		t.Fatalf("published %+v; want the page's hello first", tabs.published)
	}
	kinds := map[stampede.Kind]int{}
	for _, ev := range tabs.published[1:] {
		if ev.Tab != p.run.tab || ev.RunID != r.RunID || ev.Time.IsZero() {
			t.Errorf("published %+v; want tab %s, run %s and a time", ev, p.run.tab, r.RunID)
		}
		kinds[ev.Event.Kind]++
	}
	if kinds[stampede.KindFetchStart] != 1 || kinds[stampede.KindFetchDone] != 1 || kinds[stampede.KindCacheHit] != 5 || kinds[stampede.KindRequest] != 0 {
		t.Errorf("published kinds %v; want 1 fetch-start, 1 fetch-done, 5 cache-hits, no requests", kinds)
	}
}

// TestTabsPresence: a page says hello when it opens and answers another
// tab's hello; its runs tell the other tabs their events only once it
// has heard from one, and presence messages never show in the log.
func TestTabsPresence(t *testing.T) {
	f := &countingFetcher{}
	tabs := &fakeTabs{}
	p, d, _ := page(t, Env{Fetcher: f.fetcher(), Tabs: tabs}, "latency=0")
	d.Consume()
	published := func() []TabEvent {
		tabs.mu.Lock()
		defer tabs.mu.Unlock()
		return slices.Clone(tabs.published)
	}
	run := func() {
		t.Helper()
		var out <-chan runResult
		onUI(d, p, func(ctx app.Context) {
			var err error
			if out, err = p.run.runFields(ctx, map[string]any{"scenario": "w x3: get data/a.json", "strategy": "keyed"}, p.settings); err != nil {
				t.Fatal(err)
			}
		})
		<-out
		d.Consume()
	}
	hello := TabEvent{Tab: p.run.tab, Presence: presenceHello}
	if got := published(); !slices.Equal(got, []TabEvent{hello}) {
		t.Fatalf("published on open %+v; want only the page's hello", got)
	}

	run() // no other tab heard from: nothing told
	if got := published(); len(got) != 1 {
		t.Fatalf("alone, a run published %d messages' events (%+v); want none", len(got)-1, got[1:])
	}

	// Another tab opens and says hello: the page answers, and shows no line for it.
	tabs.deliver(TabEvent{Tab: "tbeef", Presence: presenceHello})
	tabs.deliver(TabEvent{Tab: "tcafe", Presence: presenceHere})
	d.Consume()
	want := []TabEvent{hello, {Tab: p.run.tab, Presence: presenceHere}}
	if got := published(); !slices.Equal(got, want) {
		t.Fatalf("after a hello and a here: published %+v; want %+v (one answer, to the hello)", got, want)
	}
	for _, e := range p.run.run.events {
		if e.Tab != "" {
			t.Errorf("a presence message shows as the event %+v", e)
		}
	}

	run() // now the run tells the other tabs
	var kinds []stampede.Kind
	for _, ev := range published()[2:] {
		kinds = append(kinds, ev.Event.Kind)
	}
	// The first run stored data/a.json: this one's three workers hit it.
	if !slices.Equal(kinds, []stampede.Kind{stampede.KindCacheHit, stampede.KindCacheHit, stampede.KindCacheHit}) {
		t.Errorf("with another tab open, a run published %v; want its 3 cache hits", kinds)
	}
}

func TestSecondTab(t *testing.T) {
	p, d, _ := page(t, Env{CrossTab: make(chanLocker, 1)}, "preset=stampede&strategy=keyed&latency=300ms")
	d.Consume()
	var opened []string
	p.browser.openTab = func(u string) { opened = append(opened, u) }
	onUI(d, p, func(ctx app.Context) { p.onSecondTab(ctx, app.Event{}) })
	if len(opened) != 1 {
		t.Fatalf("opened %q; want one tab", opened)
	}
	u, err := url.Parse(opened[0])
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if q.Get("preset") != "stampede" || q.Get("strategy") != "crosstab" || q.Get("latency") != "300ms" || q.Has("run") {
		t.Errorf("second tab URL %s; want the same scenario and latency under crosstab, no run=", opened[0])
	}
	if p.settings.Strategy != stampede.CrossTab {
		t.Errorf("this tab's strategy is %s; want crosstab too", p.settings.Strategy)
	}
}

// TestPublishInChunks: a big batch goes to the other tabs in messages of
// at most publishChunk events, every published kind kept, in order.
func TestPublishInChunks(t *testing.T) {
	tabs := &fakeTabs{}
	var evs []stampede.Event
	for i := range 2*publishChunk + 100 {
		evs = append(evs, stampede.Event{Seq: i, Kind: stampede.KindCacheHit}, stampede.Event{Seq: -1, Kind: stampede.KindRequest})
	}
	publishEvents(tabs, "t1", "r1", time.Now(), evs)
	if tabs.messages != 3 || len(tabs.published) != 2*publishChunk+100 {
		t.Fatalf("%d messages, %d events; want 3 messages of the %d hits", tabs.messages, len(tabs.published), 2*publishChunk+100)
	}
	for i, ev := range tabs.published {
		if ev.Event.Seq != i {
			t.Fatalf("event %d has seq %d; want every hit once, in order", i, ev.Event.Seq)
		}
	}
}

func TestCarryRemote(t *testing.T) {
	t0 := time.Now()
	prev := []stampede.Event{
		{Seq: 1, Tab: "ta", At: 0},                // 20 s before the new start: dropped
		{Seq: 2, At: 15 * time.Second},            // this tab's own: dropped
		{Seq: 3, Tab: "ta", At: 12 * time.Second}, // 8 s before: kept
		{Seq: 4, Tab: "tb", At: 19 * time.Second}, // 1 s before: kept
	}
	got := carryRemote(prev, t0, t0.Add(20*time.Second))
	if len(got) != 2 || got[0].Seq != 3 || got[0].At != -8*time.Second || got[1].Seq != 4 || got[1].At != -time.Second {
		t.Errorf("carried %+v; want events 3 and 4 at -8s and -1s", got)
	}
}
