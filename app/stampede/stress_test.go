package stampede

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// Reliability tests of the engine: faults fanned out, the per-fetch
// timeout, load, and random cancellation under -race. docs/reliability.md
// lists them.

// wideScenario is workers workers spread evenly over urls URLs, one get
// each, written as the text a person would paste.
func wideScenario(t *testing.T, workers, urls int) *Scenario {
	t.Helper()
	var b strings.Builder
	for i := range urls {
		fmt.Fprintf(&b, "u%d x%d: get data/u%d.json\n", i, workers/urls, i)
	}
	return mustParse(t, b.String())
}

// TestReliabLoad10kWorkers runs 10,000 workers on 100 URLs: every
// deduplicating strategy makes exactly one fetch per URL, and the counts
// add up although the log's ring dropped the oldest events.
func TestReliabLoad10kWorkers(t *testing.T) {
	defer goleak.VerifyNone(t)
	scen := wideScenario(t, MaxWorkers, 100)
	for _, s := range []Strategy{Keyed, Singleflight, Lock, CrossTab} {
		t.Run(string(s), func(t *testing.T) {
			f := &fakeFetcher{delay: time.Millisecond}
			store := new(MemoryStore)
			log := NewLog(0)
			st, err := Run(context.Background(), scen, Options{Strategy: s, Fetcher: f, Store: store, CrossTab: new(keyedLocker), Log: log})
			if err != nil {
				t.Fatal(err)
			}
			if st.Workers != 10000 || st.Requests != 10000 || st.Errors != 0 {
				t.Errorf("workers %d, requests %d, errors %d; want 10000, 10000, 0", st.Workers, st.Requests, st.Errors)
			}
			if st.Fetches != 100 || f.total.Load() != 100 {
				t.Errorf("fetches %d (fetcher saw %d); want 100", st.Fetches, f.total.Load())
			}
			if st.Deduped != 9900 || st.Hits+st.Shared != st.Deduped {
				t.Errorf("deduped %d, hits %d, shared %d; want 9900 = hits + shared", st.Deduped, st.Hits, st.Shared)
			}
			if keys, _ := store.Keys(context.Background()); len(keys) != 100 {
				t.Errorf("store holds %d URLs, want 100", len(keys))
			}
			kept := len(log.Since(0))
			if kept != DefaultLogSize || log.Dropped() != st.Events-kept || log.Len() != st.Events {
				t.Errorf("log keeps %d of %d events, says %d dropped; want the newest %d kept and the rest counted as dropped",
					kept, st.Events, log.Dropped(), DefaultLogSize)
			}
		})
	}
}

// TestReliabFaultsFanOut fails a URL every way a Fetcher reports a fault,
// with ten workers waiting on it: each worker gets the error, the store
// holds nothing for the URL, and the next run fetches it again.
func TestReliabFaultsFanOut(t *testing.T) {
	defer goleak.VerifyNone(t)
	faults := map[string]error{
		"HTTP 500":              &HTTPError{URL: "bad", Status: 500, Text: "Internal Server Error"},
		"HTTP 404":              &HTTPError{URL: "bad", Status: 404, Text: "Not Found"},
		"network failure":       errors.New("network failed or CORS refused the request"),
		"body over the limit":   fmt.Errorf("GET bad: %w", ErrTooLarge),
		"redirect cross-origin": errors.New("GET bad: redirected to another origin, refused"),
	}
	scen := mustParse(t, "crowd x10: get bad\nok: get good\n")
	for name, fault := range faults {
		for _, s := range []Strategy{None, Lock, Keyed, Singleflight, CrossTab, PerCall} {
			t.Run(name+"/"+string(s), func(t *testing.T) {
				f := &fakeFetcher{delay: 20 * time.Millisecond, fail: map[string]error{"bad": fault}}
				store := new(MemoryStore)
				log := NewLog(0)
				opts := Options{Strategy: s, Fetcher: f, Store: store, CrossTab: new(keyedLocker), Log: log}
				if s.dedups() {
					// The failing fetch answers once the other nine wait on
					// it, so a worker that starts late on a busy machine
					// cannot miss the failure and fetch again.
					f.gate = map[string]chan struct{}{"bad": openWhenWaiting(log, "bad", 9)}
				}
				st, err := Run(context.Background(), scen, opts)
				if err != nil {
					t.Fatal(err)
				}
				if st.Errors != 10 {
					t.Errorf("errors = %d, want 10: every waiting worker gets the fault", st.Errors)
				}
				if st.Requests != 11 || st.Fetches != f.fetches("bad")+f.fetches("good") {
					t.Errorf("requests %d, fetches %d (fetcher saw %d + %d)", st.Requests, st.Fetches, f.fetches("bad"), f.fetches("good"))
				}
				if s.dedups() && f.fetches("bad") != 1 {
					t.Errorf("%d fetches of the failing URL, want 1 shared by all", f.fetches("bad"))
				}
				if _, ok, _ := store.Get(context.Background(), "bad"); ok {
					t.Error("the failed response was stored")
				}
				if _, ok, _ := store.Get(context.Background(), "good"); !ok {
					t.Error("the good URL was not stored: a fault elsewhere broke the run")
				}
				before := f.fetches("bad")
				if _, err := Run(context.Background(), mustParse(t, "again: get bad"), opts); err != nil {
					t.Fatal(err)
				}
				if f.fetches("bad") != before+1 {
					t.Errorf("the next run made %d fetches of the failing URL, want 1", f.fetches("bad")-before)
				}
			})
		}
	}
}

// TestReliabTimeout: a fetch slower than the per-fetch timeout fails with
// ErrTimeout, fanned out to the waiters, and nothing is stored.
func TestReliabTimeout(t *testing.T) {
	defer goleak.VerifyNone(t)
	if DefaultTimeout != 30*time.Second {
		t.Errorf("DefaultTimeout = %v, want 30s", DefaultTimeout)
	}
	scen := mustParse(t, "crowd x10: get slow")
	for _, s := range []Strategy{Keyed, Singleflight, None} {
		t.Run(string(s), func(t *testing.T) {
			f := &fakeFetcher{delay: time.Hour}
			store := new(MemoryStore)
			log := NewLog(0)
			start := time.Now()
			st, err := Run(context.Background(), scen, Options{Strategy: s, Fetcher: f, Store: store, Timeout: 50 * time.Millisecond, Log: log})
			if err != nil {
				t.Fatal(err)
			}
			if took := time.Since(start); took > 5*time.Second {
				t.Errorf("the run took %v with a 50ms timeout", took)
			}
			if st.Errors != 10 {
				t.Errorf("errors = %d, want 10", st.Errors)
			}
			for _, e := range log.Since(0) {
				if e.Kind == KindError && !strings.Contains(e.Detail, "per-fetch timeout after 50ms") {
					t.Errorf("error event %q does not name the timeout", e.Detail)
					break
				}
			}
			if keys, _ := store.Keys(context.Background()); len(keys) != 0 {
				t.Errorf("store holds %v after timeouts", keys)
			}
		})
	}
	if _, err := NewLoader(Config{Fetcher: &fakeFetcher{}, Strategy: Keyed, Timeout: -time.Second}); err == nil {
		t.Error("a negative timeout was accepted")
	}
}

// TestReliabStressRandomCancel runs many scenarios under random
// strategies and cancels each at a random moment: Run returns promptly,
// every worker reports done, the counters agree with the fetcher and
// with each other, and no goroutine is left (run it with -race).
func TestReliabStressRandomCancel(t *testing.T) {
	defer goleak.VerifyNone(t)
	runs := 300
	if testing.Short() {
		runs = 60
	}
	rng := rand.New(rand.NewPCG(7, uint64(time.Now().UnixNano())))
	strategies := Strategies()
	for i := range runs {
		s := strategies[rng.IntN(len(strategies))]
		workers, urls := 1+rng.IntN(60), 1+rng.IntN(5)
		var b strings.Builder
		for w := range workers {
			fmt.Fprintf(&b, "w%d: get u%d; work %dms; get u%d; once j %dms\n", w, rng.IntN(urls), 1+rng.IntN(3), rng.IntN(urls), 1+rng.IntN(3))
		}
		scen := mustParse(t, b.String())
		f := &fakeFetcher{delay: time.Duration(rng.IntN(4000)) * time.Microsecond,
			fail: map[string]error{"u0": errors.New("flaky")}}
		if rng.IntN(2) == 0 {
			f.fail = nil
		}
		log := NewLog(0)
		ctx, cancel := context.WithCancel(context.Background())
		timer := time.AfterFunc(time.Duration(rng.IntN(8000))*time.Microsecond, cancel)
		done := make(chan struct{})
		var st Stats
		go func() {
			defer close(done)
			st, _ = Run(ctx, scen, Options{Strategy: s, Fetcher: f, CrossTab: new(keyedLocker), Log: log,
				Latency: time.Duration(rng.IntN(2)) * time.Millisecond})
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("run %d (%s) did not end within 10s of its cancel", i, s)
		}
		timer.Stop()
		cancel()
		if st.Deduped != st.Hits+st.Shared {
			t.Errorf("run %d (%s): deduped %d != hits %d + shared %d", i, s, st.Deduped, st.Hits, st.Shared)
		}
		if int64(st.Fetches) != f.total.Load() {
			t.Errorf("run %d (%s): fetches %d, fetcher saw %d", i, s, st.Fetches, f.total.Load())
		}
		if st.Hits+st.Shared+st.Errors+st.Fetches < st.Requests && ctx.Err() == nil {
			t.Errorf("run %d (%s): %+v: requests unaccounted for", i, s, st)
		}
		dones := 0
		for _, e := range log.Since(0) {
			if e.Kind == KindDone {
				dones++
			}
		}
		if dones != scen.TotalWorkers() {
			t.Errorf("run %d (%s): %d of %d workers reported done", i, s, dones, scen.TotalWorkers())
		}
	}
}

// openWhenWaiting returns a channel closed once log holds n lock-wait
// events on target: n callers wait for its lock or its in-flight fetch.
func openWhenWaiting(log *Log, target string, n int) chan struct{} {
	gate := make(chan struct{})
	wake, cancel := log.Subscribe()
	go func() {
		defer cancel()
		for range wake {
			waiting := 0
			for _, e := range log.Since(0) {
				if e.Kind == KindLockWait && e.Target == target {
					waiting++
				}
			}
			if waiting >= n {
				close(gate)
				return
			}
		}
	}()
	return gate
}
