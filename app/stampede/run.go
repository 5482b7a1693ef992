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
	Fetcher  Fetcher
	Store    Store  // nil means a fresh MemoryStore
	CrossTab Locker // for the crosstab strategy
	// Log receives the run's events and keeps its Stats; nil means a
	// fresh Log of DefaultLogSize.
	Log   *Log
	RunID string
}

// Run starts one goroutine per worker, each running its steps in order,
// and returns the Stats when all have finished. Events stream into
// o.Log as they happen. A failed step is counted and the worker goes on.
// When ctx is cancelled every wait and fetch ends promptly, Run returns
// ctx's error with the Stats so far, and no goroutine of the run is left.
func Run(ctx context.Context, s *Scenario, o Options) (Stats, error) {
	log := o.Log
	if log == nil {
		log = NewLog(0)
	}
	start := time.Now()
	l, err := NewLoader(Config{
		Strategy: o.Strategy, Fetcher: o.Fetcher, Store: o.Store, CrossTab: o.CrossTab,
		Latency: o.Latency, Timeout: o.Timeout, Sink: log.Append, RunID: o.RunID, Start: start,
	})
	if err != nil {
		return Stats{}, err
	}
	log.setRunInfo(o.Strategy, s.TotalWorkers())

	var wg sync.WaitGroup
	for _, w := range s.Workers {
		for _, name := range w.Names() {
			wg.Add(1)
			go func() {
				defer wg.Done()
				runWorker(ctx, l, name, w.Steps)
			}()
		}
	}
	wg.Wait()
	log.setWall(time.Since(start))
	return log.Stats(), ctx.Err()
}

func runWorker(ctx context.Context, l *Loader, name string, steps []Step) {
	for _, st := range steps {
		if ctx.Err() != nil {
			break
		}
		switch st.Kind {
		case StepGet:
			_, _ = l.Get(ctx, name, st.URL)
		case StepFetch:
			_, _ = l.Fetch(ctx, name, st.URL)
		case StepWork:
			_ = l.Work(ctx, name, st.Dur)
		case StepOnce:
			_ = l.Once(ctx, name, st.Name, st.Dur)
		}
	}
	detail := ""
	if ctx.Err() != nil {
		detail = "stopped: " + ctx.Err().Error()
	}
	l.emit(name, "", KindDone, detail, "")
}
