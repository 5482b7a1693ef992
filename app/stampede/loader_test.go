package stampede

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// recorder collects events and lets a test wait for one.
type recorder struct {
	mu     sync.Mutex
	events []Event
	wake   chan struct{}
}

func newRecorder() *recorder { return &recorder{wake: make(chan struct{}, 1)} }

func (r *recorder) sink(e Event) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

func (r *recorder) count(k Kind, target string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, e := range r.events {
		if e.Kind == k && (target == "" || e.Target == target) {
			n++
		}
	}
	return n
}

// waitFor blocks until at least n events of kind k on target were seen.
func (r *recorder) waitFor(t *testing.T, k Kind, target string, n int) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for r.count(k, target) < n {
		select {
		case <-r.wake:
		case <-time.After(5 * time.Millisecond):
		case <-deadline:
			t.Fatalf("timed out waiting for %d %v events on %q (have %d)", n, k, target, r.count(k, target))
		}
	}
}

func newTestLoader(t *testing.T, s Strategy, f Fetcher, st Store, sink func(Event)) *Loader {
	t.Helper()
	l, err := NewLoader(Config{Strategy: s, Fetcher: f, Store: st, CrossTab: new(keyedLocker), Sink: sink})
	if err != nil {
		t.Fatalf("NewLoader(%s): %v", s, err)
	}
	return l
}

func mustParse(t testing.TB, text string) *Scenario {
	t.Helper()
	s, err := Parse(text)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return s
}

// TestFetchCounts is the lesson in numbers: N callers over U URLs cost N
// fetches without a working lock and U fetches with one.
func TestFetchCounts(t *testing.T) {
	const workers, urls = 20, 2
	scen := mustParse(t, "w x20: get u0; get u1\n")
	requests := workers * urls
	tests := []struct {
		strategy    Strategy
		wantFetches int
	}{
		{None, requests},
		{PerCall, requests},
		{Lock, urls},
		{Keyed, urls},
		{Singleflight, urls},
		{CrossTab, urls},
	}
	for _, tt := range tests {
		t.Run(string(tt.strategy), func(t *testing.T) {
			f := &fakeFetcher{delay: 20 * time.Millisecond}
			if !tt.strategy.dedups() {
				// Hold every fetch until all of them have started, so the
				// count does not depend on scheduling: a guard that
				// deduplicated would never get there and time out.
				f.barrier = workers
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			st, err := Run(ctx, scen, Options{Strategy: tt.strategy, Fetcher: f, CrossTab: new(keyedLocker)})
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if got := int(f.total.Load()); got != tt.wantFetches {
				t.Errorf("fetcher saw %d fetches, want %d", got, tt.wantFetches)
			}
			if st.Fetches != int(f.total.Load()) {
				t.Errorf("stats.fetches = %d, fetcher saw %d", st.Fetches, f.total.Load())
			}
			if st.Requests != requests || st.Workers != workers {
				t.Errorf("requests, workers = %d, %d; want %d, %d", st.Requests, st.Workers, requests, workers)
			}
			if st.Deduped != requests-tt.wantFetches || st.Deduped != st.Hits+st.Shared {
				t.Errorf("deduped = %d (hits %d + shared %d), want %d", st.Deduped, st.Hits, st.Shared, requests-tt.wantFetches)
			}
			if st.Errors != 0 {
				t.Errorf("errors = %d", st.Errors)
			}
			if tt.strategy == Singleflight && st.Shared == 0 {
				t.Errorf("singleflight shared nothing: %+v", st)
			}
		})
	}
}

// TestLockSerialisesUnrelatedURLs compares wall times measured in one
// run: one lock for everything queues unrelated URLs (about the sum of
// their latencies); a lock per URL or a flight per URL does not (about
// the slowest). Lower bounds are exact (a sleep is never shorter); the
// upper bound leaves a margin of half the sum for a busy machine.
func TestLockSerialisesUnrelatedURLs(t *testing.T) {
	const lat = 150 * time.Millisecond
	scen := mustParse(t, "a x3: get u0\nb x3: get u1\nc x3: get u2\nd x3: get u3\n")
	sum := 4 * lat
	wall := map[Strategy]time.Duration{}
	for _, s := range []Strategy{Lock, Keyed, Singleflight} {
		f := &fakeFetcher{delay: lat}
		st, err := Run(context.Background(), scen, Options{Strategy: s, Fetcher: f})
		if err != nil {
			t.Fatal(err)
		}
		wall[s] = time.Duration(st.WallMs * float64(time.Millisecond))
		if st.Fetches != 4 {
			t.Errorf("%s: %d fetches, want 4", s, st.Fetches)
		}
	}
	if wall[Lock] < sum {
		t.Errorf("lock took %v, want at least the sum of latencies %v", wall[Lock], sum)
	}
	for _, s := range []Strategy{Keyed, Singleflight} {
		if wall[s] < lat {
			t.Errorf("%s took %v, shorter than one fetch %v", s, wall[s], lat)
		}
		if wall[s] > sum/2+lat/2 {
			t.Errorf("%s took %v, want about the slowest fetch %v (lock took %v)", s, wall[s], lat, wall[Lock])
		}
	}
	t.Logf("wall: lock %v, keyed %v, singleflight %v", wall[Lock], wall[Keyed], wall[Singleflight])
}

// TestFetchNotBlockedByLock: while parse_stuff holds the cache lock, a
// fetch step (do_work) completes; a get of another URL under the single
// lock cannot, and under keyed it can.
func TestFetchNotBlockedByLock(t *testing.T) {
	for _, tt := range []struct {
		s              Strategy
		otherGetBlocks bool
	}{{Lock, true}, {Keyed, false}, {Singleflight, false}} {
		t.Run(string(tt.s), func(t *testing.T) {
			gate := make(chan struct{})
			f := &fakeFetcher{gate: map[string]chan struct{}{"slow": gate}}
			rec := newRecorder()
			l := newTestLoader(t, tt.s, f, nil, rec.sink)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			held := make(chan error, 1)
			go func() { _, err := l.Get(ctx, "parse_stuff", "slow"); held <- err }()
			rec.waitFor(t, KindFetchStart, "slow", 1)

			if _, err := l.Fetch(ctx, "do_work", "other"); err != nil {
				t.Fatalf("fetch step: %v", err)
			}
			otherDone := make(chan error, 1)
			go func() { _, err := l.Get(ctx, "reader", "unrelated"); otherDone <- err }()
			select {
			case err := <-otherDone:
				if tt.otherGetBlocks {
					t.Fatalf("get of an unrelated URL finished (%v) while the single lock was held", err)
				}
			case <-time.After(100 * time.Millisecond):
				if !tt.otherGetBlocks {
					t.Fatal("get of an unrelated URL is blocked by another URL's fetch")
				}
			}
			select {
			case <-held:
				t.Fatal("parse_stuff finished before its gate opened")
			default:
			}
			close(gate)
			if err := <-held; err != nil {
				t.Fatal(err)
			}
			if tt.otherGetBlocks {
				if err := <-otherDone; err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// TestOnce: a once job runs once per run under every guarding strategy
// and once per caller without one.
func TestOnce(t *testing.T) {
	scen := mustParse(t, "starter x10: once warm_up 30ms; get data\n")
	for _, s := range Strategies() {
		t.Run(string(s), func(t *testing.T) {
			log := NewLog(0)
			st, err := Run(context.Background(), scen, Options{Strategy: s, Fetcher: &fakeFetcher{}, CrossTab: new(keyedLocker), Log: log})
			if err != nil {
				t.Fatal(err)
			}
			want := 1
			if !s.dedups() {
				want = 10
			}
			if st.OnceRuns != want {
				t.Errorf("once job ran %d times, want %d", st.OnceRuns, want)
			}
			done := 0
			for _, e := range log.Since(0) {
				if e.Kind == KindOnceDone {
					done++
					if e.By == "" {
						t.Errorf("once-done without By: %v", e)
					}
				}
			}
			if done != 10 {
				t.Errorf("%d once-done events, want one per worker (10)", done)
			}
		})
	}
}

// TestErrorFanOut: a failed fetch reaches every caller waiting on it as an
// error, nothing is stored, and the next run fetches again.
func TestErrorFanOut(t *testing.T) {
	boom := &HTTPError{URL: "bad", Status: 503, Text: "Service Unavailable"}
	for _, s := range []Strategy{Lock, Keyed, Singleflight, CrossTab} {
		t.Run(string(s), func(t *testing.T) {
			gate := make(chan struct{})
			f := &fakeFetcher{fail: map[string]error{"bad": boom}, gate: map[string]chan struct{}{"bad": gate}}
			store := new(MemoryStore)
			rec := newRecorder()
			l := newTestLoader(t, s, f, store, rec.sink)
			const n = 10
			errs := make(chan error, n)
			for i := range n {
				go func() { _, err := l.Get(context.Background(), fmt.Sprint("w", i), "bad"); errs <- err }()
			}
			rec.waitFor(t, KindFetchStart, "bad", 1)
			// Every other caller is waiting on the lock or the flight.
			waits := n
			if s == Singleflight {
				waits = n - 1
			}
			rec.waitFor(t, KindLockWait, "bad", waits)
			close(gate)
			for range n {
				err := <-errs
				var he *HTTPError
				if !errors.As(err, &he) || he.Status != 503 {
					t.Errorf("caller got %v, want the 503", err)
				}
			}
			if got := f.fetches("bad"); got != 1 {
				t.Errorf("%d fetches, want 1", got)
			}
			if got := rec.count(KindError, "bad"); got != n {
				t.Errorf("%d error events, want %d", got, n)
			}
			if keys, _ := store.Keys(context.Background()); len(keys) != 0 {
				t.Errorf("store holds %v after a failure", keys)
			}
			// The next run fetches again.
			l2 := newTestLoader(t, s, f, store, nil)
			if _, err := l2.Get(context.Background(), "again", "bad"); err == nil {
				t.Error("second run: want the error again")
			}
			if got := f.fetches("bad"); got != 2 {
				t.Errorf("second run: %d fetches in all, want 2", got)
			}
		})
	}
}

func TestPanickingFetcherAndStore(t *testing.T) {
	t.Run("fetcher", func(t *testing.T) {
		l := newTestLoader(t, Keyed, &fakeFetcher{panics: true}, nil, nil)
		_, err := l.Get(context.Background(), "w", "u")
		if err == nil || !strings.Contains(err.Error(), "fetcher panicked: boom") {
			t.Fatalf("err = %v, want the panic as an error", err)
		}
	})
	for _, panics := range []bool{false, true} {
		t.Run(fmt.Sprintf("store panics=%v", panics), func(t *testing.T) {
			rec := newRecorder()
			f := &fakeFetcher{}
			l := newTestLoader(t, Keyed, f, brokenStore{panics: panics}, rec.sink)
			r, err := l.Get(context.Background(), "w", "u")
			if err != nil {
				t.Fatalf("a broken store must not fail the request: %v", err)
			}
			if string(r.Body) != `{"url":"u"}` {
				t.Errorf("body = %q", r.Body)
			}
			rec.mu.Lock()
			defer rec.mu.Unlock()
			found := false
			for _, e := range rec.events {
				if e.Kind == KindFetchDone && strings.Contains(e.Detail, "not cached") {
					found = true
				}
			}
			if !found {
				t.Errorf("no fetch-done says the response was not cached: %v", rec.events)
			}
		})
	}
}

// TestCancel: cancelling a run ends every wait and fetch promptly and
// leaves no goroutine behind, under every strategy.
func TestCancel(t *testing.T) {
	defer goleak.VerifyNone(t)
	scen := mustParse(t, "crowd x50: get slow; once job 10s\nother x5: get slow2\nw: work 10s\n")
	for _, s := range Strategies() {
		t.Run(string(s), func(t *testing.T) {
			f := &fakeFetcher{delay: time.Hour}
			log := NewLog(0)
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() {
				_, err := Run(ctx, scen, Options{Strategy: s, Fetcher: f, CrossTab: new(keyedLocker), Log: log})
				done <- err
			}()
			for f.total.Load() == 0 {
				time.Sleep(time.Millisecond)
			}
			time.Sleep(20 * time.Millisecond)
			cancel()
			select {
			case err := <-done:
				if !errors.Is(err, context.Canceled) {
					t.Errorf("Run returned %v, want context.Canceled", err)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("Run did not end within 5s of cancel")
			}
			st := log.Stats()
			dones := 0
			for _, e := range log.Since(0) {
				if e.Kind == KindDone {
					dones++
				}
			}
			if dones != 56 {
				t.Errorf("%d workers reported done, want 56", dones)
			}
			if st.Errors == 0 {
				t.Error("a cancelled run reports no errors")
			}
		})
	}
}

func TestLatencyIsLabelled(t *testing.T) {
	rec := newRecorder()
	l, err := NewLoader(Config{Strategy: Keyed, Fetcher: &fakeFetcher{}, Latency: 60 * time.Millisecond, Sink: rec.sink})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Get(context.Background(), "w", "u"); err != nil {
		t.Fatal(err)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	for _, e := range rec.events {
		if e.Kind == KindFetchStart {
			if !strings.Contains(e.Detail, "60ms added latency") {
				t.Errorf("fetch-start detail %q does not label the added latency", e.Detail)
			}
			if e.AddedLatency != 60*time.Millisecond {
				t.Errorf("fetch-start AddedLatency = %v; want 60ms", e.AddedLatency)
			}
			if e.At < 60*time.Millisecond {
				t.Errorf("fetch started at %v, before the added latency elapsed", e.At)
			}
			return
		}
	}
	t.Fatal("no fetch-start event")
}

func TestNewLoaderRefuses(t *testing.T) {
	f := &fakeFetcher{}
	for _, tt := range []struct {
		name string
		c    Config
		want string
	}{
		{"no fetcher", Config{Strategy: Keyed}, "Fetcher is nil"},
		{"bad strategy", Config{Strategy: "mutex", Fetcher: f}, `unknown strategy "mutex": want none, lock, keyed, singleflight, percall, crosstab`},
		{"crosstab without locks", Config{Strategy: CrossTab, Fetcher: f}, "needs Web Locks"},
		{"negative latency", Config{Strategy: Keyed, Fetcher: f, Latency: -time.Second}, "negative"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewLoader(tt.c)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

// TestKeyedLockerForgets: the per-key map holds only keys in use.
func TestKeyedLockerForgets(t *testing.T) {
	var k keyedLocker
	ctx := context.Background()
	u1, _ := k.Lock(ctx, "a")
	waitErr := make(chan error, 1)
	wctx, cancel := context.WithTimeout(ctx, 30*time.Millisecond)
	defer cancel()
	go func() { _, err := k.Lock(wctx, "a"); waitErr <- err }()
	if err := <-waitErr; !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second Lock = %v, want the deadline", err)
	}
	u1()
	u1() // a second unlock is harmless
	k.mu.Lock()
	n := len(k.locks)
	k.mu.Unlock()
	if n != 0 {
		t.Errorf("%d keys left in the locker, want 0", n)
	}
}

// TestEventsCarryResponse checks the fields exports read: a fetch-done
// event has the response's status, size and type, an error event the
// HTTP status of a non-2xx answer, also for the waiters it fans out to.
func TestEventsCarryResponse(t *testing.T) {
	f := &fakeFetcher{fail: map[string]error{"bad": &HTTPError{URL: "bad", Status: 503, Text: "Service Unavailable"}}}
	for _, s := range []Strategy{None, Keyed} {
		t.Run(string(s), func(t *testing.T) {
			rec := newRecorder()
			l, err := NewLoader(Config{Strategy: s, Fetcher: f, Sink: rec.sink})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			if _, err := l.Get(ctx, "w", "good"); err != nil {
				t.Fatal(err)
			}
			if _, err := l.Fetch(ctx, "w", "good2"); err != nil {
				t.Fatal(err)
			}
			if _, err := l.Get(ctx, "w", "bad"); err == nil {
				t.Fatal("bad: no error")
			}
			var done, errs int
			for _, e := range rec.events {
				switch e.Kind {
				case KindFetchDone:
					done++
					want := len(`{"url":"` + e.Target + `"}`)
					if e.Status != 200 || e.Size != want || e.ContentType != "application/json" {
						t.Errorf("%s fetch-done: status %d, size %d, type %q; want 200, %d, application/json", e.Target, e.Status, e.Size, e.ContentType, want)
					}
					// Get stores what it fetched; the fetch step stores nothing.
					if wantStored := e.Target == "good"; e.Stored != wantStored {
						t.Errorf("%s fetch-done: Stored = %v; want %v", e.Target, e.Stored, wantStored)
					}
				case KindError:
					errs++
					if e.Status != 503 || e.Size != 0 {
						t.Errorf("error event: status %d, size %d; want 503, 0", e.Status, e.Size)
					}
				default:
					if e.Status != 0 || e.Size != 0 || e.ContentType != "" {
						t.Errorf("%s event carries a response: %+v", e.Kind, e)
					}
				}
			}
			if done != 2 || errs != 1 {
				t.Errorf("%d fetch-done, %d error events; want 2 and 1", done, errs)
			}
			b, err := json.Marshal(rec.events[len(rec.events)-1])
			if err != nil || !strings.Contains(string(b), `"status":503`) {
				t.Errorf("error event JSON %s (%v); want status 503", b, err)
			}
		})
	}
}

// countingStore counts the reads that reach the store.
type countingStore struct {
	MemoryStore
	gets atomic.Int64
}

func (c *countingStore) Get(ctx context.Context, url string) (Response, bool, error) {
	c.gets.Add(1)
	return c.MemoryStore.Get(ctx, url)
}

// TestWaitersSkipTheStore: callers that waited for a fetch of this run
// are answered with what the run stored, not by one store read each (on
// IndexedDB a read is a transaction: 2,000 waiters re-reading one entry
// took seconds). A warm store is still read, and its answers are hits.
func TestWaitersSkipTheStore(t *testing.T) {
	const workers = 200
	scen := mustParse(t, "w x200: get u0\n")
	for _, s := range []Strategy{Lock, Keyed, Singleflight, CrossTab} {
		t.Run(string(s), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			store := new(countingStore)
			f := &fakeFetcher{delay: 20 * time.Millisecond}
			st, err := Run(ctx, scen, Options{Strategy: s, Fetcher: f, Store: store, CrossTab: new(keyedLocker)})
			if err != nil {
				t.Fatal(err)
			}
			// The lock strategies' first holder reads once; singleflight's
			// leader reads once, inside its flight.
			// A few callers may read before the fetch is stored.
			if g := store.gets.Load(); g > workers/4 {
				t.Errorf("cold run: %d store reads for %d callers of one URL; want the waiters to skip the store", g, workers)
			}
			// Singleflight callers join the flight or find the stored
			// response: only the leader reads, once.
			if g := store.gets.Load(); s == Singleflight && g != 1 {
				t.Errorf("cold run: %d store reads under singleflight; want the leader's one", g)
			}
			if st.Fetches != 1 || st.Deduped != workers-1 {
				t.Errorf("cold run: %+v; want 1 fetch, %d deduplicated", st, workers-1)
			}

			// A new run on the warm store: every answer is a cache hit.
			store.gets.Store(0)
			st, err = Run(ctx, scen, Options{Strategy: s, Fetcher: f, Store: store, CrossTab: new(keyedLocker)})
			if err != nil {
				t.Fatal(err)
			}
			if st.Fetches != 0 || st.Hits != workers || st.Shared != 0 {
				t.Errorf("warm run: %+v; want %d cache hits and nothing else", st, workers)
			}
			if store.gets.Load() == 0 {
				t.Error("warm run never read the store")
			}
		})
	}
}

// TestFailedPutIsNotStored: a response whose Put failed reaches the
// caller, and its fetch-done event says it was not stored.
func TestFailedPutIsNotStored(t *testing.T) {
	rec := newRecorder()
	l, err := NewLoader(Config{Strategy: Keyed, Fetcher: &fakeFetcher{}, Store: brokenStore{}, Sink: rec.sink})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Get(context.Background(), "w", "u"); err != nil {
		t.Fatal(err)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	for _, e := range rec.events {
		if e.Kind == KindFetchDone {
			if e.Stored {
				t.Errorf("fetch-done after a failed Put says Stored: %+v", e)
			}
			return
		}
	}
	t.Fatal("no fetch-done event")
}
