package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

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
		start, view := time.Now(), ctx.Src()
		ctx.Dispatch(update)
		// After the frame that draws it: Defer runs once go-app has
		// rendered the components marked for update, on the page, which
		// stays mounted while the runner has views.
		r.home.Defer(func(ctx app.Context) {
			r.pacer.drew(start)
			if r.env.Measure != nil {
				r.measure("stampede:turn "+strings.TrimPrefix(fmt.Sprintf("%T", view), "*ui."), start)
			}
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
		r.settle()
		return
	}
	t := r.draws.turns[0]
	r.draws.turns = r.draws.turns[1:]
	t()
}

// afterDraws calls fn once no view waits for its turn: at once when none
// does, unless the runner is telling its watchers of a change, which may
// start turns.
func (r *runner) afterDraws(fn func()) {
	if !r.draws.on && r.changing == 0 {
		fn()
		return
	}
	r.draws.settled = append(r.draws.settled, fn)
}

// settle calls what waited for the turns.
func (r *runner) settle() {
	fns := r.draws.settled
	r.draws.settled = nil
	for _, fn := range fns {
		fn()
	}
}

// stager draws a long list in chunks, each a component of its own that
// go-app does not draw again while its items stay the same, and brings
// the chunks drawn up to the list one chunk per draw turn: drawing a
// finished run's 500 log lines, or 100 cache entries, in one go took the
// page's thread for 100–250 ms. Between two turns a view may show some
// chunks updated and some not; #run-stats waits for the turns.
type stager[T comparable] struct {
	shown  [][]T // what each chunk draws; nil for an empty one
	want   [][]T // the list, in chunks
	queued bool  // a turn to draw more is queued
}

// set makes want the list to draw and draws one chunk of it now; the
// rest follows in later turns of r, on ctx's view.
func (s *stager[T]) set(r *runner, ctx app.Context, want [][]T) {
	s.want = want
	if ctx == nil { // not mounted yet: the first render draws it all
		s.shown = slices.Clone(want)
		return
	}
	s.step()
	s.later(r, ctx)
}

// step draws one chunk more of the list: a chunk that empties, and those
// past the list's end, cost nothing and go at once.
func (s *stager[T]) step() {
	if len(s.shown) > len(s.want) {
		s.shown = slices.Clip(s.shown[:len(s.want)])
	}
	for len(s.shown) < len(s.want) {
		s.shown = append(s.shown, nil)
	}
	for i, w := range s.want {
		if w == nil {
			s.shown[i] = nil
		}
	}
	for i, w := range s.want {
		if !slices.Equal(s.shown[i], w) {
			s.shown[i] = w
			return
		}
	}
}

// pending reports whether a chunk drawn differs from the list.
func (s *stager[T]) pending() bool {
	if len(s.shown) != len(s.want) {
		return true
	}
	for i := range s.want {
		if !slices.Equal(s.shown[i], s.want[i]) {
			return true
		}
	}
	return false
}

// later draws the rest in the next turns of r.
func (s *stager[T]) later(r *runner, ctx app.Context) {
	if s.queued || !s.pending() {
		return
	}
	s.queued = true
	r.drawTurn(ctx, func(app.Context) {
		s.queued = false
		s.step()
		s.later(r, ctx)
	})
}

// chunks cuts items in pieces of size, the last one shorter.
func chunks[T any](items []T, size int) [][]T {
	var out [][]T
	for lo := 0; lo < len(items); lo += size {
		out = append(out, items[lo:min(lo+size, len(items))])
	}
	return out
}

// measure tells Env.Measure, when set, that name ran from start to now.
func (r *runner) measure(name string, start time.Time) {
	if r.env.Measure != nil {
		r.env.Measure(name, start)
	}
}

// after calls fn on the UI goroutine d from now, with ctx's component's
// context, without drawing that component again (ctx.After would: it
// dispatches an update).
func after(ctx app.Context, d time.Duration, fn func(app.Context)) {
	ctx.Async(func() {
		time.Sleep(d)
		ctx.Dispatcher().Dispatch(app.Dispatch{Mode: app.Next, Source: ctx.Src(), Function: fn})
	})
}
