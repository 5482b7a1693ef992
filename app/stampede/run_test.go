package stampede

import (
	"context"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// TestRunStartsInSlices checks that StartSlice starts the workers that
// many at a time, StartPause apart, and that a run stopped in the middle
// of its start still ends every worker.
func TestRunStartsInSlices(t *testing.T) {
	sc, err := Parse("crowd x5: work 10ms")
	if err != nil {
		t.Fatal(err)
	}
	// doneAt is when each worker's done event came, from the run's start.
	doneAt := func(ctx context.Context) ([]time.Duration, Stats, error) {
		log := NewLog(0)
		st, err := Run(ctx, sc, Options{Strategy: Keyed, Fetcher: instantFetcher, Log: log, StartSlice: 2, StartPause: time.Second})
		var at []time.Duration
		for _, e := range log.Since(0) {
			if e.Kind == KindDone {
				at = append(at, e.At.Truncate(time.Millisecond))
			}
		}
		return at, st, err
	}
	synctest.Test(t, func(t *testing.T) {
		at, _, err := doneAt(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		want := []time.Duration{10 * time.Millisecond, 10 * time.Millisecond, 1010 * time.Millisecond, 1010 * time.Millisecond, 2010 * time.Millisecond}
		if len(at) != len(want) {
			t.Fatalf("done events at %v; want %v", at, want)
		}
		for i := range want {
			if at[i] != want[i] {
				t.Fatalf("done events at %v; want %v: two workers a second", at, want)
			}
		}
	})
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
		defer cancel()
		start := time.Now()
		at, _, err := doneAt(ctx)
		if err == nil {
			t.Fatal("a run stopped during its start returned no error")
		}
		if len(at) != 5 {
			t.Fatalf("%d workers ended; want all 5, the unstarted ones at the stop", len(at))
		}
		if took := time.Since(start); took > 1500*time.Millisecond {
			t.Errorf("the stopped run took %v; want it to end at the stop (1.5 s)", took)
		}
	})
}

// TestRunStartYield: with StartYield, the run waits on it between two
// slices, not on StartPause: the next slice starts when it returns.
func TestRunStartYield(t *testing.T) {
	sc, err := Parse("crowd x5: work 10ms")
	if err != nil {
		t.Fatal(err)
	}
	synctest.Test(t, func(t *testing.T) {
		yields := 0
		yield := func(context.Context) error {
			yields++
			time.Sleep(3 * time.Second) // the browser's task, in virtual time
			return nil
		}
		log := NewLog(0)
		if _, err := Run(context.Background(), sc, Options{Strategy: Keyed, Fetcher: instantFetcher, Log: log,
			StartSlice: 2, StartPause: time.Hour, StartYield: yield}); err != nil {
			t.Fatal(err)
		}
		var at []time.Duration
		for _, e := range log.Since(0) {
			if e.Kind == KindDone {
				at = append(at, e.At.Truncate(time.Millisecond))
			}
		}
		want := []time.Duration{10 * time.Millisecond, 10 * time.Millisecond, 3010 * time.Millisecond, 3010 * time.Millisecond, 6010 * time.Millisecond}
		if yields != 2 || len(at) != len(want) || at[2] != want[2] || at[4] != want[4] {
			t.Errorf("%d yields, done events at %v; want 2 yields, %v", yields, at, want)
		}
	})
}

// TestRunPaces checks that Options.Pace is called before every step and
// after every lock wait, and that a Pace that blocks ends with the run.
func TestRunPaces(t *testing.T) {
	sc, err := Parse("w x5: get data/a.json; work 1ms")
	if err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int64
	pace := func(ctx context.Context) error { calls.Add(1); return nil }
	if _, err := Run(context.Background(), sc, Options{Strategy: Keyed, Fetcher: instantFetcher, Pace: pace}); err != nil {
		t.Fatal(err)
	}
	// 10 steps and 5 acquired locks.
	if n := calls.Load(); n != 15 {
		t.Errorf("Pace called %d times; want 15: before each of 10 steps and after each of 5 lock waits", n)
	}
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		block := func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }
		start := time.Now()
		st, err := Run(ctx, sc, Options{Strategy: Keyed, Fetcher: instantFetcher, Pace: block})
		if err == nil || time.Since(start) != time.Second || st.Requests != 0 {
			t.Errorf("Run with a blocking Pace: %v after %v, %d requests; want the context's error at 1s, nothing done", err, time.Since(start), st.Requests)
		}
	})
}
