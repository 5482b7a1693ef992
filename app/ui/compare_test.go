package ui

import (
	"context"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/stampede-playground/stampede/app/stampede"
)

// twoURLs is 20 workers getting two URLs: 40 requests, 2 distinct URLs.
const twoURLs = "w x20: get data/a.json; get data/b.json"

// clearingStore is a MemoryStore that notes, at every Clear, how many
// entries it held and how many fetches the fetcher had made by then.
type clearingStore struct {
	stampede.MemoryStore
	f *countingFetcher

	mu     sync.Mutex // protects clears
	clears []clearNote
}

type clearNote struct{ entries, fetchedSoFar int }

func (s *clearingStore) Clear(ctx context.Context) error {
	keys, _ := s.Keys(ctx)
	total := 0
	for _, n := range s.f.counts() {
		total += n
	}
	s.mu.Lock()
	s.clears = append(s.clears, clearNote{len(keys), total})
	s.mu.Unlock()
	return s.MemoryStore.Clear(ctx)
}

// rowAttrs reads the data- attributes of every compare row, in order.
func rowAttrs(t *testing.T, h string) []map[string]string {
	t.Helper()
	var rows []map[string]string
	attr := regexp.MustCompile(`(data-[a-z-]+)="([^"]*)"`)
	for _, tr := range regexp.MustCompile(`<tr [^>]*class="compare-row[^>]*>`).FindAllString(h, -1) {
		m := map[string]string{}
		for _, kv := range attr.FindAllStringSubmatch(tr, -1) {
			m[strings.TrimPrefix(kv[1], "data-")] = kv[2]
		}
		rows = append(rows, m)
	}
	return rows
}

func TestCompareEveryStrategy(t *testing.T) {
	for _, tc := range []struct {
		name     string
		crossTab stampede.Locker
		want     []string
	}{
		{"without crosstab", nil, []string{"none", "lock", "keyed", "singleflight", "percall", "swr", "xfetch"}},
		{"with crosstab", make(chanLocker, 1), []string{"none", "lock", "keyed", "singleflight", "percall", "crosstab", "swr", "xfetch"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &countingFetcher{delay: 50 * time.Millisecond}
			store := &clearingStore{f: f}
			env := Env{Fetcher: f.fetcher(), CrossTab: tc.crossTab,
				OpenStore: func(context.Context) (stampede.Store, string) { return store, "" }}
			p, d, _ := page(t, env, "latency=0")
			d.Consume()

			var out <-chan compareResult
			onUI(d, p, func(ctx app.Context) {
				var err error
				out, err = p.run.compareFields(ctx, map[string]any{"scenario": twoURLs}, p.settings)
				if err != nil {
					t.Fatal(err)
				}
			})
			res := <-out
			d.Consume()
			if res.Err != "" || res.Stopped {
				t.Fatalf("compare: err %q, stopped %v", res.Err, res.Stopped)
			}

			// Every strategy ran once, in order, each after a Clear.
			if len(res.Results) != len(tc.want) || len(store.clears) != len(tc.want) {
				t.Fatalf("%d results, %d clears; want %d of each", len(res.Results), len(store.clears), len(tc.want))
			}
			fetched := 0
			for _, n := range f.counts() {
				fetched += n
			}
			for i, r := range res.Results {
				s := r.Stats
				if string(s.Strategy) != tc.want[i] {
					t.Errorf("result %d is %s; want %s", i, s.Strategy, tc.want[i])
				}
				// What the fetcher saw between this strategy's Clear and the next.
				end := fetched
				if i+1 < len(store.clears) {
					end = store.clears[i+1].fetchedSoFar
				}
				if saw := end - store.clears[i].fetchedSoFar; saw != s.Fetches {
					t.Errorf("%s: stats say %d fetches, the fetcher saw %d", s.Strategy, s.Fetches, saw)
				}
				if i > 0 && store.clears[i].entries != 2 {
					t.Errorf("before %s the store held %d entries; want the 2 of the previous run, cleared", s.Strategy, store.clears[i].entries)
				}
				switch s.Strategy {
				case stampede.None, stampede.PerCall:
					// A stampede: more than one fetch per URL. How many of
					// the 20 workers miss depends on when each gets to a URL
					// (under load a worker reached b.json after another had
					// stored it: 25 fetches, 15 deduplicated), so not 40.
					if s.Fetches <= 2 || s.Fetches+s.Deduped != 40 {
						t.Errorf("%s: %d fetches, %d deduped; want a stampede: over 2 fetches, fetches + deduped = 40", s.Strategy, s.Fetches, s.Deduped)
					}
				default:
					if s.Fetches != 2 || s.Deduped != 38 {
						t.Errorf("%s: %d fetches, %d deduped; want 2 (one per URL) and 38", s.Strategy, s.Fetches, s.Deduped)
					}
				}
				if s.Requests != 40 || s.Errors != 0 || r.Stopped {
					t.Errorf("%s: %+v stopped %v; want 40 requests, no error", s.Strategy, s, r.Stopped)
				}
			}

			// The table shows the numbers window.stampede.compare resolves to.
			objs := compareObjects(res)
			h := html(p)
			rows := rowAttrs(t, h)
			if len(rows) != len(objs) {
				t.Fatalf("%d table rows; want %d", len(rows), len(objs))
			}
			for i, row := range rows {
				obj := objs[i].(map[string]any)
				for _, k := range []string{"strategy", "fetches", "deduped", "errors", "wallMs", "maxWaitMs", "runId"} {
					if got, want := row[kebab(k)], attrValue(obj[k]); got != want {
						t.Errorf("row %d data-%s = %q; the API says %q", i, kebab(k), got, want)
					}
				}
				want := verdictOK
				if obj["strategy"] == "none" || obj["strategy"] == "percall" {
					want = verdictStampede
				}
				if row["verdict"] != want {
					t.Errorf("row %s: verdict %q; want %q", row["strategy"], row["verdict"], want)
				}
			}
			wantHTML(t, p, `id="compare"`, `<table`, `data-state="done"`, "✗ stampede: +38 fetches", "✓ one fetch per URL",
				`<svg`, `data-k="fetch"`, `data-k="wait"`)
			if n := strings.Count(h, "<svg"); n != len(tc.want) {
				t.Errorf("%d small timelines; want %d", n, len(tc.want))
			}
			hasNote := strings.Contains(h, `id="compare-note"`)
			if hasNote != (tc.crossTab == nil) {
				t.Errorf("crosstab note shown %v; want %v", hasNote, tc.crossTab == nil)
			}
			// The live log and #run-stats are not the compare's.
			if p.run.run.total != 0 || p.run.run.state != runIdle || p.run.busy {
				t.Errorf("after compare: %d events in the log, state %s, running %v; want 0, idle, false", p.run.run.total, p.run.run.state, p.run.busy)
			}
		})
	}
}

func TestCompareBusyAndStop(t *testing.T) {
	f := &countingFetcher{delay: 200 * time.Millisecond}
	p, d, _ := page(t, Env{Fetcher: f.fetcher()}, "latency=0&preset=stampede")
	d.Consume()

	// A run refuses a compare, through the API and the button alike.
	var runOut <-chan runResult
	onUI(d, p, func(ctx app.Context) {
		var err error
		runOut, err = p.run.start(ctx, runRequest{settings: p.settings})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.run.compareFields(ctx, map[string]any{}, p.settings); err != errBusy {
			t.Errorf("compare during a run: %v; want errBusy", err)
		}
		if _, err := p.run.compare(ctx, runRequest{settings: p.settings}, p.settings.Strategy); err != errBusy {
			t.Errorf("startCompare during a run: %v; want errBusy", err)
		}
	})
	<-runOut
	d.Consume()

	// A compare refuses a run and a second compare and disables Run and
	// Clear; Stop, pressed once the first strategy fetches, cancels it.
	var (
		out   <-chan compareResult
		h     string
		mu    sync.Mutex // protects stop
		stop  func()
		once  sync.Once
		gated = &countingFetcher{delay: 200 * time.Millisecond}
		inner = gated.fetcher()
	)
	p.run.env.Fetcher = stampede.FetcherFunc(func(ctx context.Context, u string) (stampede.Response, error) {
		once.Do(func() {
			mu.Lock()
			defer mu.Unlock()
			stop()
		})
		return inner.Fetch(ctx, u)
	})
	onUI(d, p, func(ctx app.Context) {
		mu.Lock()
		defer mu.Unlock()
		var err error
		out, err = p.run.compareFields(ctx, map[string]any{"latency": "0"}, p.settings)
		if err != nil {
			t.Fatal(err)
		}
		stop = func() { p.onStop(nil, app.Event{}) }
		if _, err := p.run.runFields(ctx, map[string]any{}, p.settings); err != errBusy {
			t.Errorf("run during a compare: %v; want errBusy", err)
		}
		if _, err := p.run.compareFields(ctx, map[string]any{}, p.settings); err != errBusy {
			t.Errorf("second compare: %v; want errBusy", err)
		}
		h = app.HTMLString(p.renderButtons()) + app.HTMLString(newToolsPanel(p.run, nil, nil))
	})
	res := <-out
	d.Consume()
	for _, want := range []string{`data-state="running"`, "running none (1/7)…"} {
		if !strings.Contains(h, want) {
			t.Errorf("while comparing the page lacks %s", want)
		}
	}
	for id, want := range map[string]bool{"run": true, "clear": true, "compare-run": true, "stop": false} {
		if got := disabled(t, h, id); got != want {
			t.Errorf("#%s disabled = %v during a compare; want %v", id, got, want)
		}
	}
	if !res.Stopped || len(res.Results) != 1 || !res.Results[0].Stopped {
		t.Errorf("stopped compare: %+v; want stopped after the first strategy", res)
	}
	if p.run.busy || p.run.cmp.State != compareStopped {
		t.Errorf("after Stop: running %v, state %q", p.run.busy, p.run.cmp.State)
	}
	wantHTML(t, p, "Stopped after 1 of 7 strategies.", `data-verdict="stopped"`)
}

func TestCompareRefusesBadInput(t *testing.T) {
	f := &countingFetcher{}
	p, d, _ := page(t, Env{Fetcher: f.fetcher()}, "latency=0")
	d.Consume()
	for _, tc := range []struct {
		fields map[string]any
		want   string
	}{
		{map[string]any{"scenario": "a: gte x"}, "line 1"},
		{map[string]any{"latency": "soon"}, `bad latency "soon"`},
		{map[string]any{"latency": true}, `compare: field "latency" must be`},
		{map[string]any{"preset": "nope"}, `compare: preset: unknown preset "nope"`},
		{map[string]any{"scenario": "a: get x", "preset": "seed"}, "compare: give scenario or preset, not both"},
		{map[string]any{"strategy": "lock"}, `compare: option "strategy" is not taken`},
		{map[string]any{"fresh": true}, `compare: option "fresh" is not taken`},
	} {
		onUI(d, p, func(ctx app.Context) {
			_, err := p.run.compareFields(ctx, tc.fields, p.settings)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("compare(%v): %v; want an error containing %q", tc.fields, err, tc.want)
			}
		})
	}
	if len(f.counts()) != 0 || p.run.busy {
		t.Errorf("a refused compare fetched %v, running %v", f.counts(), p.run.busy)
	}
	wantHTML(t, p, `data-state="error"`, "Not compared: ")
}

func TestNeededFetches(t *testing.T) {
	for _, tc := range []struct {
		text string
		want int
	}{
		{twoURLs, 2},
		{"a x5: get u; get u\nb: get v", 2},
		{"a: get u\nb x3: fetch u; work 1ms", 4}, // fetch steps skip the cache
		{"a: work 1ms", 0},
	} {
		sc, err := stampede.Parse(tc.text)
		if err != nil {
			t.Fatal(err)
		}
		if got := neededFetches(sc); got != tc.want {
			t.Errorf("neededFetches(%q) = %d; want %d", tc.text, got, tc.want)
		}
	}
}

// disabled reports whether the button with id in h is disabled,
// whatever the order go-app writes its attributes in.
func disabled(t *testing.T, h, id string) bool {
	t.Helper()
	for _, tag := range regexp.MustCompile(`<button [^>]*>`).FindAllString(h, -1) {
		if strings.Contains(tag, ` id="`+id+`"`) {
			return regexp.MustCompile(` disabled(="[^f"][^"]*")?[ >]`).MatchString(tag)
		}
	}
	t.Fatalf("no button #%s", id)
	return false
}
