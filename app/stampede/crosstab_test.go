package stampede

import (
	"context"
	"sync"
	"testing"
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
