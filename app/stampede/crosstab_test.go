package stampede

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// TestCrossTabTwoTabs runs one scenario in two "tabs" at once: two Runs
// with their own Loaders and Logs that share one Store and one Locker,
// as two browser tabs share IndexedDB and navigator.locks. The store is
// re-checked once the lock is held, so the origin sees one fetch, and the
// other tab's hits name the run that fetched.
func TestCrossTabTwoTabs(t *testing.T) {
	f := &fakeFetcher{delay: 20 * time.Millisecond}
	store := new(MemoryStore)
	locker := new(keyedLocker) // the browser's Web Locks, in one process
	sc := mustParse(t, "w x10: get data/a.json")

	var wg sync.WaitGroup
	stats := make([]Stats, 2)
	logs := []*Log{NewLog(0), NewLog(0)}
	runs := []string{"run-A", "run-B"}
	for i := range 2 {
		wg.Go(func() {
			st, err := Run(context.Background(), sc, Options{
				Strategy: CrossTab, Fetcher: f, Store: store, CrossTab: locker, Log: logs[i], RunID: runs[i],
			})
			if err != nil {
				t.Errorf("tab %d: %v", i, err)
			}
			stats[i] = st
		})
	}
	wg.Wait()

	if got := f.fetches("data/a.json"); got != 1 {
		t.Fatalf("origin saw %d fetches; want 1", got)
	}
	if got := stats[0].Fetches + stats[1].Fetches; got != 1 {
		t.Errorf("fetches %d + %d; want 1 in all", stats[0].Fetches, stats[1].Fetches)
	}
	for i, st := range stats {
		if st.Errors != 0 || st.Deduped != 10-st.Fetches {
			t.Errorf("tab %d: %+v; want deduped = 10 - fetches, no errors", i, st)
		}
	}
	fetcher := 0
	if stats[1].Fetches == 1 {
		fetcher = 1
	}
	other := 1 - fetcher
	for _, e := range logs[other].Since(0) {
		if e.Kind == KindCacheHit && e.ByRun != runs[fetcher] {
			t.Errorf("hit in the other tab has ByRun %q; want %q", e.ByRun, runs[fetcher])
		}
	}
}

// TestCrossTabExpiry: two tabs under steady load with a ttl share one
// fetch per expiry: each re-reads the shared store when its own copy
// expires and finds the other tab's refresh.
func TestCrossTabExpiry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakeFetcher{}
		store := new(MemoryStore)
		locker := new(keyedLocker)
		sc := mustParse(t, "readers x20 every 100ms for 6s: get "+hotURL)
		var wg sync.WaitGroup
		stats := make([]Stats, 2)
		for i := range 2 {
			wg.Go(func() {
				st, err := Run(context.Background(), sc, Options{Strategy: CrossTab, Fetcher: f, Store: store, CrossTab: locker,
					Latency: hotFetch, TTL: hotTTL, RunID: fmt.Sprint("tab", i)})
				if err != nil {
					t.Errorf("tab %d: %v", i, err)
				}
				stats[i] = st
			})
		}
		wg.Wait()
		if got := f.fetches(hotURL); got != 3 {
			t.Errorf("origin saw %d fetches; want 3: the cold start and two expiries, for both tabs", got)
		}
		for i, st := range stats {
			if st.Requests != 1200 || st.Errors != 0 || st.Stale != 0 {
				t.Errorf("tab %d: %s", i, st)
			}
		}
	})
}
