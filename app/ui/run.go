package ui

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/stampede-playground/stampede/app/stampede"
)

// errBusy refuses a run while another is in progress: runs share the
// page's log and counters, so a second one is refused rather than queued.
var errBusy = errors.New("a run is already in progress")

// job is a checked run request.
type job struct {
	scenario *stampede.Scenario
	strategy stampede.Strategy
	latency  time.Duration
	timeout  time.Duration
}

// checkRequest checks a run request's scenario, strategy and latency. The
// messages are the parser's and the options' own, such as
// "line 3, col 10: unknown step ..." or `unknown strategy "foo": want ...`.
func checkRequest(req runRequest, crossTab bool) (job, error) {
	sc, err := stampede.Parse(req.Text)
	if err != nil {
		return job{}, err
	}
	st, err := checkStrategy(string(req.Strategy), crossTab)
	if err != nil {
		return job{}, err
	}
	lat, err := parseLatency(req.Latency)
	if err != nil {
		return job{}, err
	}
	to, err := parseTimeout(req.Timeout)
	if err != nil {
		return job{}, err
	}
	return job{scenario: sc, strategy: st, latency: lat, timeout: to}, nil
}

// startRun is the one way a run begins: the Run button, run=1 and
// window.stampede.run all call it on the UI goroutine. It returns at once;
// the run goes on in ctx.Async and the channel receives its result after
// the page shows it. An invalid request puts #run-stats in the error state.
func (p *Playground) startRun(ctx app.Context, req runRequest) (<-chan runResult, error) {
	if p.running {
		return nil, errBusy
	}
	if !p.ready {
		return nil, errors.New("the page is still opening its cache: try again in a moment")
	}
	j, err := checkRequest(req, p.env.CrossTab != nil)
	if err == nil && p.env.Fetcher == nil {
		err = errors.New("this page has no fetcher: it runs only in a browser")
	}
	if err != nil {
		p.state, p.result = stateError, runResult{Err: err.Error()}
		return nil, err
	}

	p.runN++
	n := p.runN
	runID := p.runID(n)
	p.runSettings = req.settings // what the export says was run
	if req.settings != p.settings {
		p.setSettings(req.settings) // the page shows what an API run runs
		p.pushEditorText()
	}
	p.syncURL()

	runCtx, cancel := context.WithCancel(ctx)
	log := stampede.NewLog(logSize)
	p.running, p.cancel = true, cancel
	p.state, p.result = stateRunning, runResult{RunID: runID}
	p.live = stampede.Stats{Strategy: j.strategy, Workers: j.scenario.TotalWorkers()}
	p.events, p.total, p.dropped = nil, 0, 0
	p.runStart = time.Now()
	p.groups = groupsOf(j.scenario)
	if !p.hasGroup(p.filter.Group) {
		p.filter.Group = ""
	}
	p.message = ""
	p.refreshView()

	opts := p.options(j, j.strategy, log, runID)
	out := make(chan runResult, 1)
	ctx.Async(func() {
		r := runResult{RunID: runID}
		if req.Fresh {
			if err := opts.Store.Clear(runCtx); err != nil {
				r.Err = "clearing the cache before the run: " + err.Error()
			}
		}
		if r.Err == "" {
			r.Stats, r.Stopped, r.Err = p.execute(ctx, runCtx, n, j.scenario, opts)
		}
		ctx.Dispatch(func(ctx app.Context) { p.finish(ctx, n, r, out) })
	})
	return out, nil
}

// execute runs the scenario while a follower streams the log to the page
// in batches. It runs off the UI goroutine.
func (p *Playground) execute(ctx app.Context, runCtx context.Context, n int, sc *stampede.Scenario, opts stampede.Options) (stampede.Stats, bool, string) {
	done := make(chan struct{})
	followed := make(chan struct{})
	start := time.Now() // Run's own start, within microseconds
	ctx.Async(func() {
		defer close(followed)
		follow(opts.Log, done, batchEvery, func(b batch) {
			publishEvents(p.env.Tabs, p.tab, opts.RunID, start, b.Events)
			ctx.Dispatch(func(ctx app.Context) { p.applyBatch(n, b); p.cacheAfterBatch(ctx, b.Events) })
		})
	})
	st, err := stampede.Run(runCtx, sc, opts)
	close(done)
	<-followed // its last batch is dispatched before the result
	stopped, msg := ended(runCtx, err)
	return st, stopped, msg
}

// runID names run n. The tab id keeps two tabs' run ids apart, so a hit
// on another tab's fetch can say so.
func (p *Playground) runID(n int) string {
	return fmt.Sprintf("run-%d-%d-%s", n, time.Now().UnixMilli(), p.tab)
}

// options are the engine's options for job j under strategy s on this
// page: its fetcher, store and cross-tab locks.
func (p *Playground) options(j job, s stampede.Strategy, log *stampede.Log, runID string) stampede.Options {
	return stampede.Options{
		Strategy: s,
		Latency:  j.latency,
		Timeout:  j.timeout,
		Fetcher:  p.env.Fetcher,
		Store:    p.store,
		CrossTab: p.env.CrossTab,
		Log:      log,
		RunID:    runID,
	}
}

// ended says how a run that returned err ended: stopped when runCtx was
// cancelled (by Stop or by leaving the page), else err's message, "" for
// none.
func ended(runCtx context.Context, err error) (stopped bool, msg string) {
	switch {
	case err == nil:
		return false, ""
	case runCtx.Err() != nil:
		return true, ""
	}
	return false, err.Error()
}

// applyBatch adds a batch of run n to the page.
func (p *Playground) applyBatch(n int, b batch) {
	if n != p.runN {
		return
	}
	p.events = appendBounded(p.events, b.Events, logSize)
	p.live, p.total, p.dropped = b.Stats, b.Total, b.Dropped
	p.refreshView()
}

// finish ends run n on the page, then hands the result to out once the
// page shows it, so a script that awaits a run reads an updated DOM.
func (p *Playground) finish(ctx app.Context, n int, r runResult, out chan<- runResult) {
	if n != p.runN {
		return
	}
	p.endBusy()
	p.result = r
	p.refreshView()     // the whole log, no longer the live window
	p.refreshCache(ctx) // the listing shows what the run stored
	if r.Err != "" {
		p.state = stateError
	} else {
		p.state = stateDone
		p.live = r.Stats
		p.api.setLastRun(r)
	}
	ctx.Defer(func(app.Context) {
		p.syncReplayRange()
		out <- r
	})
}

// endBusy ends the page's busy state after a run or a compare: Run is
// enabled again and the run's context is released.
func (p *Playground) endBusy() {
	p.running = false
	if p.cancel != nil {
		p.cancel()
		p.cancel = nil
	}
}

func (p *Playground) hasGroup(name string) bool {
	for _, g := range p.groups {
		if g.Name == name {
			return true
		}
	}
	return false
}
