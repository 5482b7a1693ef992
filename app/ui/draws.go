package ui

import (
	"context"

	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// Draw turns. go-app renders every component marked for update in one
// frame, and on js/wasm that frame is one task of the page's thread: when
// a run's batch, or its end, reaches the log, the timeline, the load
// chart and the cache inspector together, the browser waited for all
// four (the end of a 10,000-worker run: about 400 ms). The views whose
// drawing grows with the run (those with a runView.every) therefore take
// turns: one draws, the browser gets a task (Env.Yield), the next draws.
// A view already waiting for its turn is not queued again; it draws what
// the runner holds when its turn comes.
//
// #run-stats draws after the turns (runView.settle), and a run's result
// is handed out after them too: a script that waits for data-state="done"
// or for window.stampede.run's promise reads every view drawn.
//
// Natively (Env.Yield nil, the tests) there are no turns: every update
// is dispatched at once, as go-app does.

// drawQueue is the runner's turns.
type drawQueue struct {
	turns   []func() // the views waiting, first first
	on      bool     // a turn is drawing, or waiting for the browser's task after it
	settled []func() // called when no turn is left
}

// drawing reports whether the page takes turns: in a browser, once the
// page is mounted.
func (r *runner) drawing() bool { return r.env.Yield != nil && r.home != nil }

// drawTurn dispatches update to the view of ctx in its turn.
func (r *runner) drawTurn(ctx app.Context, update func(app.Context)) {
	if !r.drawing() {
		ctx.Dispatch(update)
		return
	}
	r.draws.turns = append(r.draws.turns, func() {
		if !ctx.Src().Mounted() {
			r.nextTurn() // dismounted while it waited: nothing to draw
			return
		}
		ctx.Dispatch(update)
		// After the frame that draws it: Defer runs once go-app has
		// rendered the components marked for update, on the page, which
		// stays mounted while the runner has views.
		r.home.Defer(func(ctx app.Context) {
			ctx.Async(func() {
				_ = r.env.Yield(context.Background())
				ctx.Dispatcher().Dispatch(app.Dispatch{Mode: app.Next, Source: ctx.Src(), Function: func(app.Context) { r.nextTurn() }})
			})
		})
	})
	if !r.draws.on {
		r.draws.on = true
		r.nextTurn()
	}
}

// nextTurn starts the next turn, or, with none left, calls what waited
// for the turns to end.
func (r *runner) nextTurn() {
	if len(r.draws.turns) == 0 {
		r.draws.on = false
		fns := r.draws.settled
		r.draws.settled = nil
		for _, fn := range fns {
			fn()
		}
		return
	}
	t := r.draws.turns[0]
	r.draws.turns = r.draws.turns[1:]
	t()
}

// afterDraws calls fn once no view waits for its turn: at once when none
// does.
func (r *runner) afterDraws(fn func()) {
	if !r.draws.on {
		fn()
		return
	}
	r.draws.settled = append(r.draws.settled, fn)
}
