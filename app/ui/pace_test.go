package ui

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stampede-playground/stampede/app/stampede"
)

// TestPacer: calls close together pass until the budget is spent, then
// all wait for one pause together; after a silence the budget is whole
// again; a cancelled context ends the wait.
func TestPacer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPacer()
		ctx := context.Background()
		// Busy: a call every millisecond, for 29 ms, pass.
		for range 30 {
			if err := p.pace(ctx); err != nil {
				t.Fatal(err)
			}
			time.Sleep(time.Millisecond)
		}
		if p.pauses != 0 {
			t.Fatalf("%d pauses within the budget; want none", p.pauses)
		}
		// Over the budget: ten callers at once share one pause.
		var wg sync.WaitGroup
		start := time.Now()
		for range 10 {
			wg.Go(func() { _ = p.pace(ctx) })
		}
		wg.Wait()
		if took := time.Since(start); p.pauses != 1 || took != p.pause {
			t.Errorf("%d pauses, %v; want the ten callers in one pause of %v", p.pauses, took, p.pause)
		}
		// After a silence longer than gap, the budget starts again.
		time.Sleep(10 * time.Millisecond)
		for range 20 {
			_ = p.pace(ctx)
			time.Sleep(time.Millisecond)
		}
		if p.pauses != 1 {
			t.Errorf("%d pauses after a silence; want the budget renewed", p.pauses)
		}
		// A caller whose context ends does not wait out the pause.
		p.pause = time.Hour
		time.Sleep(10 * time.Millisecond)
		for range 30 {
			_ = p.pace(ctx)
			time.Sleep(time.Millisecond)
		}
		cctx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		t0 := time.Now()
		if err := p.pace(cctx); err == nil || time.Since(t0) != time.Second {
			t.Errorf("pace with a context that ends = %v after %v; want its error when it ends (1s)", err, time.Since(t0))
		}
		time.Sleep(p.pause) // the pause itself ends
	})
}

func TestPacerOnlyForBigRuns(t *testing.T) {
	for _, c := range []struct {
		text string
		want bool
	}{
		{"w x999: get data/a.json", false},
		{"w x1000: get data/a.json", true},
		{"a x600: get data/a.json\nb x600: get data/b.json", true},
	} {
		sc, err := stampede.Parse(c.text)
		if err != nil {
			t.Fatal(err)
		}
		if got := pacerFor(sc, nil) != nil; got != c.want {
			t.Errorf("pacer for %q: %v; want %v", c.text, got, c.want)
		}
	}
}

// TestPacerYields: with a yield, a pause lasts until the yield returns
// (the browser's task), however long that takes, and not a timer.
func TestPacerYields(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		yields := 0
		p := newPacer()
		p.yield = func(context.Context) error {
			yields++
			<-release
			return nil
		}
		ctx := context.Background()
		for range 30 { // spend the budget
			_ = p.pace(ctx)
			time.Sleep(time.Millisecond)
		}
		var wg sync.WaitGroup
		passed := 0
		var mu sync.Mutex
		for range 10 {
			wg.Go(func() {
				_ = p.pace(ctx)
				mu.Lock()
				passed++
				mu.Unlock()
			})
		}
		time.Sleep(time.Hour) // far past any timer
		synctest.Wait()
		mu.Lock()
		if passed != 0 || yields != 1 {
			t.Errorf("before the yield returned: %d callers passed, %d yields; want 0 and one yield for all", passed, yields)
		}
		mu.Unlock()
		close(release)
		wg.Wait()
		if passed != 10 || p.pauses != 1 {
			t.Errorf("after the yield: %d callers passed in %d pauses; want 10 in one", passed, p.pauses)
		}
	})
}

// TestPacerCountsDrawing: the page's own drawing counts in the budget,
// so a caller after a long draw pauses at once, where after the same
// silence without drawing it would pass.
func TestPacerCountsDrawing(t *testing.T) {
	for _, drew := range []bool{false, true} {
		synctest.Test(t, func(t *testing.T) {
			p := newPacer()
			ctx := context.Background()
			start := time.Now()
			time.Sleep(40 * time.Millisecond) // a view drawing, or a silence
			if drew {
				p.drew(start)
			}
			if err := p.pace(ctx); err != nil {
				t.Fatal(err)
			}
			if want := map[bool]int{false: 0, true: 1}[drew]; p.pauses != want {
				t.Errorf("drew %v: %d pauses; want %d", drew, p.pauses, want)
			}
		})
	}
	var none *pacer
	none.drew(time.Now()) // a run without a pacer: nothing to count
}
