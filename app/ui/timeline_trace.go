package ui

import (
	"time"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/stampede-playground/stampede/app/stampede"
	"github.com/stampede-playground/stampede/app/trace"
)

// The timeline's trace, read in steps. Reading the 10,000 events a big
// run keeps into a trace took 40–60 ms of the page's thread, every time
// the timeline followed the run; the replay panel now reads them
// tlStep at a time, one draw turn (draws.go) each, and the timeline
// draws once the trace is read. A trace is read once per change of the
// events: replay, bands and marks reuse it.

// tlStep is how many events the replay panel reads into the timeline's
// trace per draw turn.
const tlStep = 2500

// traceRef is a trace and the events it was read from. go-app compares a
// component's fields with reflect.DeepEqual: rev tells two traces apart
// at once, and the same trace is the same pointer.
type traceRef struct {
	rev    int
	tr     *trace.Trace
	events []stampede.Event
	wall   time.Duration // the run's wall time when they were read
}

// same reports whether events are those the trace was read from.
func (t traceRef) same(events []stampede.Event) bool {
	return t.tr != nil && sameEvents(t.events, events)
}

// tlTrace reads the runner's events into the timeline's trace.
type tlTrace struct {
	done    traceRef         // the last trace read
	reading []stampede.Event // the events being read; nil when none are
	wall    time.Duration    // the wall time then
	b       *trace.Builder
	again   bool // the events changed while they were read
}

// follow reads the run's events unless they are read or being read, in
// turns of r on ctx's component (which draws the timeline). The wall
// time drawn is the one of the events read: a timeline drawn while its
// next trace is read does not change.
func (t *tlTrace) follow(r *runner, ctx app.Context) {
	events := r.run.events
	switch {
	case t.reading != nil:
		t.again = !sameEvents(t.reading, events)
		return
	case t.done.same(events):
		if w := wallOf(r.run.live); w != t.done.wall {
			t.done.rev, t.done.wall = t.done.rev+1, w // the same trace, drawn to the run's end
		}
		return
	}
	t.reading, t.wall, t.b, t.again = events, wallOf(r.run.live), trace.NewBuilder(len(events)), false
	t.step(r, ctx)
}

// step reads the next tlStep events, and the rest in later turns.
func (t *tlTrace) step(r *runner, ctx app.Context) {
	n := t.b.Len()
	t.b.Add(t.reading[n:min(n+tlStep, len(t.reading))])
	if t.b.Len() < len(t.reading) {
		r.drawTurn(ctx, func(ctx app.Context) { t.step(r, ctx) })
		return
	}
	t.done = traceRef{rev: t.done.rev + 1, tr: t.b.Trace(), events: t.reading, wall: t.wall}
	// The turn's update draws the timeline with it.
	t.reading, t.b = nil, nil
	if t.again {
		r.drawTurn(ctx, func(ctx app.Context) { t.follow(r, ctx) })
	}
}

// sameEvents reports whether a and b are the same events of one array.
func sameEvents(a, b []stampede.Event) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

// of returns the trace of events: the one read, or one read now.
func (t *tlTrace) of(events []stampede.Event) *trace.Trace {
	if t.done.same(events) {
		return t.done.tr
	}
	return trace.Build(events)
}
