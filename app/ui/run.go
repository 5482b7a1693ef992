package ui

import (
	"context"
	"time"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/stampede-playground/stampede/app/stampede"
	"github.com/stampede-playground/stampede/app/trace"
)

// workerGroup is a scenario line: crowd for crowd#1 … crowd#50.
type workerGroup struct {
	Name  string
	Count int
}

func groupsOf(s *stampede.Scenario) []workerGroup {
	gs := make([]workerGroup, len(s.Workers))
	for i, w := range s.Workers {
		gs[i] = workerGroup{w.Name, w.Count}
	}
	return gs
}

// start is the one way a run begins: the Run button, run=1 and
// window.stampede.run all call it on the UI goroutine. It returns at once;
// the run goes on in ctx.Async and the channel receives its result after
// the page shows it. An invalid request puts #run-stats in the error state.
func (r *runner) start(ctx app.Context, req runRequest) (<-chan runResult, error) {
	defer r.measure("stampede:start", time.Now())
	j, n, runCtx, err := r.begin(ctx, req, req.settings)
	if err != nil {
		if !refused(err) {
			r.run.state, r.run.result = runError, runResult{Err: err.Error()}
			r.changed()
		}
		return nil, err
	}
	runID := r.runID(n)
	prev := r.run
	r.run = runRecord{
		n:        n,
		state:    runRunning,
		result:   runResult{RunID: runID},
		settings: req.settings,
		live:     stampede.Stats{Strategy: j.strategy, Workers: j.scenario.TotalWorkers()},
		groups:   groupsOf(j.scenario),
		start:    time.Now(),
		load:     trace.NewLoad(loadEvery),
	}
	r.run.events = carryRemote(prev.events, prev.start, r.run.start)
	r.cursor = replayCursor{}
	r.ttl = j.ttl
	r.rev++
	r.changed()

	log := stampede.NewLog(logSize)
	opts := r.options(j, log, runID)
	out := make(chan runResult, 1)
	ctx.Async(func() {
		res := runResult{RunID: runID}
		if req.Fresh {
			if err := opts.Store.Clear(runCtx); err != nil {
				res.Err = "clearing the cache before the run: " + err.Error()
			}
		}
		if res.Err == "" {
			res.Stats, res.Stopped, res.Err = r.execute(ctx, runCtx, n, j.scenario, opts)
		}
		ctx.Dispatch(func(ctx app.Context) { r.finish(ctx, n, res, out) })
	})
	return out, nil
}

// remoteCarry is how far back a new run keeps the other tabs' lines.
const remoteCarry = 10 * time.Second

// carryRemote returns the other tabs' events among prev (timed from
// prevStart) that happened at most remoteCarry before start, timed from
// start (so before 0). A tab whose run begins just after another tab's
// fetch, the crosstab demo with a slow second tab, still shows the
// fetch that served it.
func carryRemote(prev []stampede.Event, prevStart, start time.Time) []stampede.Event {
	var out []stampede.Event
	for _, e := range prev {
		if e.Tab == "" {
			continue
		}
		at := prevStart.Add(e.At).Sub(start)
		if at < -remoteCarry {
			continue
		}
		e.At = at
		out = append(out, e)
	}
	return out
}

// execute runs the scenario while a follower streams the log to the page
// in batches. It runs off the UI goroutine.
func (r *runner) execute(ctx app.Context, runCtx context.Context, n int, sc *stampede.Scenario, opts stampede.Options) (stampede.Stats, bool, string) {
	done := make(chan struct{})
	followed := make(chan struct{})
	start := time.Now() // Run's own start, within microseconds
	ctx.Async(func() {
		defer close(followed)
		follow(opts.Log, done, batchEvery, func(b batch) {
			r.tellTabs(opts.RunID, start, b.Events)
			ctx.Dispatch(func(app.Context) { r.applyBatch(n, b) })
		})
	})
	st, err := stampede.Run(runCtx, sc, opts)
	close(done)
	<-followed // its last batch is dispatched before the result
	stopped, msg := ended(runCtx, err)
	return st, stopped, msg
}

// applyBatch adds a batch of run n.
func (r *runner) applyBatch(n int, b batch) {
	if n != r.run.n {
		return
	}
	start := time.Now()
	defer func() {
		r.pacer.drew(start)
		r.measure("stampede:batch", start)
	}()
	r.run.events = appendBounded(r.run.events, b.Events, logSize)
	r.run.live, r.run.total, r.run.dropped = b.Stats, b.Total, b.Dropped
	stored := false
	for _, e := range b.Events {
		r.run.load.Add(e)
		stored = stored || (e.Kind == stampede.KindFetchDone && e.Stored)
	}
	if stored {
		r.cacheGen++
	}
	r.rev++
	r.changed()
}

// finish ends run n, then hands the result to out once the page shows
// it, so a script that awaits a run reads an updated DOM.
func (r *runner) finish(ctx app.Context, n int, res runResult, out chan<- runResult) {
	if n != r.run.n {
		return
	}
	r.endBusy()
	r.run.result = res
	if res.Err != "" {
		r.run.state = runError
	} else {
		r.run.state = runDone
		r.run.live = res.Stats
	}
	r.cacheGen++ // the listing shows what the run stored
	r.rev++
	r.changed()
	// After the views' turns (draws.go), and after the frame that draws
	// #run-stats then.
	r.afterDraws(func() { ctx.Defer(func(app.Context) { out <- res }) })
}
