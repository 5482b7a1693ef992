package stampede

import (
	"context"
	"sync"
	"time"
)

// Options configure a Run.
type Options struct {
	Strategy Strategy
	Latency  time.Duration // added before every network fetch
	Timeout  time.Duration // bounds each network fetch; 0 means DefaultTimeout
	TTL      time.Duration // how long an entry stays fresh; 0 never expires (Config.TTL)
	Beta     float64       // xfetch's beta; 0 means DefaultBeta (Config.Beta)
	// Rand is xfetch's random source (Config.Rand); nil for math/rand/v2.
	Rand     func() float64
	Fetcher  Fetcher
	Store    Store  // nil means a fresh MemoryStore
	CrossTab Locker // for the crosstab strategy
	// Log receives the run's events and keeps its Stats; nil means a
	// fresh Log of DefaultLogSize.
	Log   *Log
	RunID string
	// StartSlice, when > 0, starts the workers that many at a time, with
	// a pause of StartPause between two slices. On js/wasm every
	// goroutine shares the page's one thread and a started worker runs
	// until it first waits, so starting 10,000 at once is one long task
	// that freezes the page; the pause hands the thread back to the
	// browser between slices. Once ctx is done the rest start at once
	// (and stop at once).
	StartSlice int
	StartPause time.Duration
	// StartYield, when set, is the wait between two slices instead of
	// StartPause: in the browser, a sleep hands the thread over only if
	// it outlasts the work that is runnable behind it (the slice just
	// started), while the page's yield returns after a browser task.
	StartYield func(context.Context) error
	// Pace is Config.Pace: called after each wait and before each step,
	// it may block to let the browser in (app/ui's pacer).
	Pace func(context.Context) error
}

// Run starts one goroutine per worker, each running its steps in order
// (a steady line's, once per period: see Worker), and returns the Stats
// when all have finished, background refreshes included. Events stream
// into o.Log as they happen. A failed step is counted and the worker
// goes on. When ctx is cancelled every wait and fetch ends promptly, Run
// returns ctx's error with the Stats so far, and no goroutine of the run
// is left.
func Run(ctx context.Context, s *Scenario, o Options) (Stats, error) {
	log := o.Log
	if log == nil {
		log = NewLog(0)
	}
	start := time.Now()
	l, err := NewLoader(Config{
		Strategy: o.Strategy, Fetcher: o.Fetcher, Store: o.Store, CrossTab: o.CrossTab,
		Latency: o.Latency, Timeout: o.Timeout, Sink: log.Append, RunID: o.RunID, Start: start,
		TTL: o.TTL, Beta: o.Beta, Rand: o.Rand, Pace: o.Pace,
	})
	if err != nil {
		return Stats{}, err
	}
	log.setRunInfo(o.Strategy, s.TotalWorkers())

	var wg sync.WaitGroup
	started := 0
	for _, w := range s.Workers {
		for i, name := range w.Names() {
			if o.StartSlice > 0 && started > 0 && started%o.StartSlice == 0 && ctx.Err() == nil {
				if o.StartYield != nil {
					_ = o.StartYield(ctx)
				} else {
					_ = sleep(ctx, o.StartPause)
				}
			}
			started++
			wg.Go(func() {
				if w.Every > 0 {
					runSteady(ctx, l, name, w, i, start)
				} else {
					runSteps(ctx, l, caller{worker: name}, w.Steps)
				}
				detail := ""
				if ctx.Err() != nil {
					detail = "stopped: " + ctx.Err().Error()
				}
				l.emit(caller{worker: name}, "", KindDone, detail, "")
			})
		}
	}
	wg.Wait()
	l.Wait()
	log.setWall(time.Since(start))
	return log.Stats(), ctx.Err()
}

// runSteady starts replica i's repetitions of w on schedule, each in a
// goroutine of its own (open-model arrivals: see Worker), and waits for
// them all.
func runSteady(ctx context.Context, l *Loader, name string, w Worker, i int, start time.Time) {
	var reps sync.WaitGroup
	off := w.Offset(i)
	for k := range w.Repetitions(i) {
		at := start.Add(off + time.Duration(k)*w.Every)
		if d := time.Until(at); d > 0 {
			_ = sleep(ctx, d)
		}
		if ctx.Err() != nil {
			break
		}
		reps.Go(func() { runSteps(ctx, l, caller{worker: name, rep: k + 1}, w.Steps) })
	}
	reps.Wait()
}

// runSteps runs steps in order as c, until ctx is done.
func runSteps(ctx context.Context, l *Loader, c caller, steps []Step) {
	for _, st := range steps {
		if ctx.Err() != nil || l.pace(ctx) != nil {
			break
		}
		switch st.Kind {
		case StepGet:
			_, _ = l.get(ctx, c, st.URL)
		case StepFetch:
			_, _ = l.fetchStep(ctx, c, st.URL)
		case StepWork:
			_ = l.work(ctx, c, st.Dur)
		case StepOnce:
			_ = l.once(ctx, c, st.Name, st.Dur)
		}
	}
}
