package ui

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/stampede-playground/stampede/app/stampede"
	"github.com/stampede-playground/stampede/app/trace"
)

// The runner owns the page's runs: the store, the busy state, the one
// start path that the Run button, run=1, Compare and window.stampede
// share, cancellation, the current run's record and the replay cursor
// over it. The views are components that read it and call it; none of
// them reaches another through the page.
//
// A runner lives on the UI goroutine: every method is called there, and
// after every change it tells its watchers, each of which dispatches an
// update to its own component.

// runState is where the current run is, as #run-stats' data-state says.
type runState uint8

const (
	runIdle runState = iota
	runRunning
	runDone
	runError
)

func (s runState) String() string {
	switch s {
	case runRunning:
		return "running"
	case runDone:
		return "done"
	case runError:
		return "error"
	}
	return "idle"
}

// errBusy refuses a run while another is in progress: runs share the
// page's log and counters, so a second one is refused rather than queued.
var errBusy = errors.New("a run is already in progress")

// errOpening refuses a run before the store is open.
var errOpening = errors.New("the page is still opening its cache: try again in a moment")

// runRecord is the current or last run as the views show it.
type runRecord struct {
	n        int // the run's number; tags dispatches so a stale one is ignored
	state    runState
	result   runResult
	settings settings         // what it ran, for its export
	live     stampede.Stats   // counters, updated while running
	events   []stampede.Event // the newest logSize events, other tabs' included
	total    int              // events the run ever logged
	dropped  int              // events its Log's ring let go
	groups   []workerGroup
	start    time.Time   // the wall time its events' times count from
	load     *trace.Load // the run over time, from every event it logged
}

// runner is the page's runs. The zero value is not usable: see newRunner.
type runner struct {
	env Env
	tab string // this tab's id, on its run ids and its broadcast events

	store  stampede.Store
	ready  bool   // the store is open
	notice string // the store's fallback notice

	n      int // runs and compares started
	busy   bool
	cancel context.CancelFunc // cancels the running run or compare

	run    runRecord
	ttl    time.Duration // the last run's time to live, which the inspector's expiries use
	cursor replayCursor
	marks  runMarks // what a lesson points at on the timeline
	cmp    compareView
	remote map[string]string // another tab's run id -> that tab's id
	// peers is set once another tab of the origin has been heard from:
	// only then does a run tell the other tabs its events (tellTabs).
	// Set on the tab channel's goroutine, read on the log follower's.
	peers atomic.Bool
	// message is the outcome of the last Clear cache, shown by the editor.
	message string
	// cacheGen counts changes to what the store holds that the runner
	// knows of (a batch that stored entries, a clear): the cache
	// inspector reads the store again when it moves.
	cacheGen int
	// rev counts changes to the events or the cursor: the views that
	// derive from them recompute when it moves.
	rev int
	// pacer is the last run's, when it has one: the page's own drawing
	// counts in its budget (drew).
	pacer *pacer

	// show is the page's hook: a run through the API runs other settings
	// than the editor's, and the page shows them.
	show func(app.Context, settings)

	watchers map[int]func()
	nextW    int
	changing int // changed is telling the watchers

	// home is the page's context while it is mounted: draw turns end on
	// it (draws.go). Nil before: updates are dispatched at once.
	home  app.Context
	draws drawQueue
}

func newRunner(env Env) *runner {
	return &runner{env: env, tab: newTabID(), show: func(app.Context, settings) {}}
}

// watch calls fn after every change until the returned func is called.
func (r *runner) watch(fn func()) (stop func()) {
	if r.watchers == nil {
		r.watchers = map[int]func(){}
	}
	id := r.nextW
	r.nextW++
	r.watchers[id] = fn
	return func() { delete(r.watchers, id) }
}

// changed tells the watchers. What waits for the draw turns (afterDraws)
// waits at least for all of them: a view that takes turns may be told
// after one that waits for the turns.
func (r *runner) changed() {
	r.changing++
	for _, fn := range r.watchers {
		fn()
	}
	r.changing--
	if r.changing == 0 && !r.draws.on {
		r.settle()
	}
}

// runView is embedded by the views: while mounted, the view re-renders
// after every change of its runner. A view that derives state from the
// runner defines its own OnMount, calling follow with what to recompute.
type runView struct {
	run  *runner
	stop func()

	// every, when set, is the least time between two updates of the
	// view while a run goes on: a view whose drawing grows with the
	// run's events (the timeline, the load) follows a long run at that
	// pace instead of every batch, which would keep the page's one
	// thread busy drawing instead of running. Changes outside a run,
	// and a run's end, update it at once.
	every   time.Duration
	last    time.Time // when the view last updated
	pending bool      // an update is scheduled
	// settle makes the view draw after the views with every have drawn
	// (draws.go): #run-stats, whose data-state scripts wait on.
	settle bool
	queued bool // waiting for its turn, or for the turns to end
	// hidden says the view is out of sight (Env.OnScreen): a view with
	// every does not draw while a run goes on then, and skipped records
	// that it missed a change. It draws once it comes into sight, or
	// when the run ends, as every view does. A view counts as out of
	// sight until OnScreen first reports.
	hidden, skipped bool
}

func (v *runView) OnMount(ctx app.Context) { v.follow(ctx, func() {}) }

// follow makes the view call sync, then re-render, after every change of
// its runner (at most every v.every while a run goes on), until
// dismounted.
func (v *runView) follow(ctx app.Context, sync func()) {
	update := func(app.Context) {
		v.pending, v.queued, v.skipped, v.last = false, false, false, time.Now()
		sync()
	}
	draw := func() {
		switch {
		case v.queued:
			// its turn is coming, and it draws what the runner holds then
		case v.every > 0:
			v.queued = true
			v.run.drawTurn(ctx, update)
		case v.settle:
			v.queued = true
			v.run.afterDraws(func() { ctx.Dispatch(update) })
		default:
			ctx.Dispatch(update)
		}
	}
	stopWatch := v.run.watch(func() {
		wait := v.every - time.Since(v.last)
		switch {
		case v.unseen():
			v.skipped = true
		case v.every > 0 && v.run.busy && (v.pending || wait > 0):
			if !v.pending {
				v.pending = true
				after(ctx, wait, func(app.Context) { // not drawn until its turn
					if v.unseen() {
						v.pending, v.skipped = false, true
						return
					}
					draw()
				})
			}
		default:
			draw()
		}
	})
	stopSeen := func() {}
	if v.every > 0 && v.run.env.OnScreen != nil {
		// Out of sight until OnScreen's first report says otherwise: a
		// view that mounts while a run goes on (the panels below the
		// fold mount as a run=1 link's run starts) draws once it is
		// known to be seen, or at the run's end.
		v.hidden = true
		stopSeen = v.run.env.OnScreen(ctx.JSSrc(), func(seen bool) {
			ctx.Dispatcher().Dispatch(app.Dispatch{Mode: app.Next, Source: ctx.Src(), Function: func(app.Context) {
				v.hidden = !seen
				if seen && v.skipped {
					v.skipped = false
					draw()
				}
			}})
		})
	}
	v.stop = func() { stopWatch(); stopSeen() }
}

// unseen reports whether the view waits for sight to draw: it is out of
// sight while a run goes on.
func (v *runView) unseen() bool { return v.every > 0 && v.run.busy && v.hidden }

func (v *runView) OnDismount() {
	if v.stop != nil {
		v.stop()
		v.stop = nil
	}
	// A turn of a dismounted view is skipped (draws.go): mounted again,
	// the view must be able to ask for one.
	v.pending, v.queued, v.hidden, v.skipped = false, false, false, false
}

// runMarks are the timeline's marks for run n.
type runMarks struct {
	n    int
	list []tlMark
}

// pointAt highlights marks on the timeline of run n, until another run.
func (r *runner) pointAt(n int, marks []tlMark) {
	r.marks = runMarks{n: n, list: marks}
	r.changed()
}

// shownMarks are the timeline's marks for the run it shows.
func (r *runner) shownMarks() []tlMark {
	if r.marks.n != r.run.n {
		return nil
	}
	return r.marks.list
}

// opened takes the store the page opened.
func (r *runner) opened(s stampede.Store, notice string) {
	if s == nil {
		s = new(stampede.MemoryStore)
		if notice == "" {
			notice = "No cache store could be opened: the cache lives in memory and is lost when the page closes."
		}
	}
	r.store, r.notice, r.ready = s, notice, true
	r.changed()
}

// job is a checked run request.
type job struct {
	scenario *stampede.Scenario
	strategy stampede.Strategy
	latency  time.Duration
	timeout  time.Duration
	ttl      time.Duration
	beta     float64
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
	ttl, err := parseTTL(req.TTL)
	if err != nil {
		return job{}, err
	}
	beta, err := parseBeta(req.Beta)
	if err != nil {
		return job{}, err
	}
	return job{scenario: sc, strategy: st, latency: lat, timeout: to, ttl: ttl, beta: beta}, nil
}

// begin is the start every run and compare shares: it refuses while busy
// or opening, checks req, shows the settings shown on the page and takes
// the busy state. On success it returns the job, the run's number and
// the context the run goes on in. A refusal (errBusy, errOpening) changes
// nothing; any other error is the request's, for the caller to show.
func (r *runner) begin(ctx app.Context, req runRequest, shown settings) (job, int, context.Context, error) {
	if r.busy {
		return job{}, 0, nil, errBusy
	}
	if !r.ready {
		return job{}, 0, nil, errOpening
	}
	j, err := checkRequest(req, r.env.CrossTab != nil)
	if err == nil && r.env.Fetcher == nil {
		err = errors.New("this page has no fetcher: it runs only in a browser")
	}
	if err != nil {
		return job{}, 0, nil, err
	}
	r.n++
	r.show(ctx, shown)
	runCtx, cancel := context.WithCancel(ctx)
	r.busy, r.cancel = true, cancel
	r.message = ""
	return j, r.n, runCtx, nil
}

// refused reports whether begin's err is a refusal, not the request's.
func refused(err error) bool { return err == errBusy || err == errOpening }

// endBusy ends the busy state after a run or a compare: Run is enabled
// again and the run's context is released.
func (r *runner) endBusy() {
	r.busy = false
	if r.cancel != nil {
		r.cancel()
		r.cancel = nil
	}
}

// stop cancels the running run or compare.
func (r *runner) stop() {
	if r.cancel != nil {
		r.cancel()
	}
}

// runID names run n. The tab id keeps two tabs' run ids apart, so a hit
// on another tab's fetch can say so.
func (r *runner) runID(n int) string {
	return fmt.Sprintf("run-%d-%d-%s", n, time.Now().UnixMilli(), r.tab)
}

// options are the engine's options for job j on this page: its fetcher,
// store and cross-tab locks.
func (r *runner) options(j job, log *stampede.Log, runID string) stampede.Options {
	r.pacer = pacerFor(j.scenario, r.env.Yield)
	var pace func(context.Context) error
	if r.pacer != nil {
		pace = r.pacer.pace
	}
	return stampede.Options{
		Strategy: j.strategy,
		Latency:  j.latency,
		Timeout:  j.timeout,
		TTL:      j.ttl,
		Beta:     j.beta,
		Fetcher:  r.env.Fetcher,
		Store:    r.store,
		CrossTab: r.env.CrossTab,
		Log:      log,
		RunID:    runID,
		// A slice of workers starts, runs until each first waits, and
		// lets the browser in for a timer's turn before the next: a run
		// of 10,000 workers starts in 40 short tasks, not one long one.
		StartSlice: startSlice,
		StartPause: time.Millisecond,
		StartYield: r.env.Yield,
		Pace:       pace,
	}
}

// paceWorkers is the least number of workers a run needs for the pacer:
// a smaller run cannot keep the thread busy long between its waits, and
// its pauses (a browser task each, or on a busy machine a late timer)
// would only add to its callers' latency.
const paceWorkers = 1000

// pacerFor returns a new pacer for a run of sc, pausing on yield
// (Env.Yield; nil: a timer), or nil for a run too small to need one.
func pacerFor(sc *stampede.Scenario, yield func(context.Context) error) *pacer {
	if sc == nil || sc.TotalWorkers() < paceWorkers {
		return nil
	}
	p := newPacer()
	p.yield = yield
	return p
}

// startSlice is how many workers a run starts before it yields the page's
// thread to the browser (stampede.Options.StartSlice).
const startSlice = 250

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

// clearCache empties the store in the background: the page's one Clear
// path, for Clear cache, the inspector's Clear all and fresh=1.
func (r *runner) clearCache(ctx app.Context) {
	if !r.ready || r.busy {
		return
	}
	store := r.store
	r.message = "Clearing the cache…"
	r.changed()
	ctx.Async(func() {
		n := 0
		msg := ""
		err := guardStore(func() error {
			keys, err := store.Keys(ctx)
			if err == nil {
				n = len(keys)
			}
			return store.Clear(ctx)
		})
		if err != nil {
			msg = "Clearing the cache failed: " + err.Error()
		} else {
			msg = fmt.Sprintf("Cache cleared: %d entries removed.", n)
		}
		ctx.Dispatch(func(app.Context) {
			r.message = msg
			r.cacheGen++
			r.changed()
		})
	})
}

// guardStore calls fn, turning a store that panics into an error.
func guardStore(fn func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("the store panicked: %v", p)
		}
	}()
	return fn()
}

// crossTabNote says why crosstab is not available, or "" when it is.
func (r *runner) crossTabNote() string {
	if r.env.CrossTab != nil {
		return ""
	}
	if r.env.NoCrossTab != "" {
		return r.env.NoCrossTab
	}
	return stampede.ErrNoCrossTab.Error()
}
