package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/stampede-playground/stampede/app/stampede"
)

// drawLog records, in order, the draws and the yields of a test page.
type drawLog struct {
	mu  sync.Mutex
	got []string
}

func (l *drawLog) add(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.got = append(l.got, s)
}

func (l *drawLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.got, " ")
}

// yield is an Env.Yield that returns at once and logs "y".
func (l *drawLog) yield(context.Context) error { l.add("y"); return nil }

// testView follows a runner as a page's view does and logs its draws.
type testView struct {
	app.Compo
	runView

	name string
	log  *drawLog
}

func (v *testView) OnMount(ctx app.Context) { v.follow(ctx, func() { v.log.add(v.name) }) }
func (v *testView) Render() app.UI          { return app.Elem("span").Text(v.name) }

// testHost is a page: the runner's home, with its views.
type testHost struct {
	app.Compo

	run   *runner
	views []app.UI
}

func (h *testHost) OnMount(ctx app.Context) { h.run.home = ctx }
func (h *testHost) Render() app.UI          { return app.Div().Body(h.views...) }

// turnPage mounts a host with views a and b (drawn in turns, as the log
// and the timeline) and s (drawn after the turns, as #run-stats).
func turnPage(t *testing.T) (*runner, app.ClientDispatcher, *drawLog) {
	t.Helper()
	log := &drawLog{}
	r := newRunner(Env{Yield: log.yield})
	h := &testHost{run: r, views: []app.UI{
		&testView{runView: runView{run: r, every: time.Hour}, name: "a", log: log},
		&testView{runView: runView{run: r, every: time.Hour}, name: "b", log: log},
		&testView{runView: runView{run: r, settle: true}, name: "s", log: log},
	}}
	d := app.NewClientTester(h)
	t.Cleanup(d.Close)
	d.Consume()
	return r, d, log
}

// settle consumes until r takes no more turns, at most n times.
func settle(d app.ClientDispatcher, r *runner, n int) {
	d.Consume()
	for ; r.draws.on && n > 0; n-- {
		d.Consume()
	}
	d.Consume()
}

// TestDrawTurns: the views that draw a run's history take turns, a
// browser task (a yield) apart, each drawing once however many changes
// came while it waited; #run-stats and a run's result come after them.
func TestDrawTurns(t *testing.T) {
	r, d, log := turnPage(t)
	var result []string
	d.Dispatch(app.Dispatch{Mode: app.Update, Source: r.home.Src(), Function: func(ctx app.Context) {
		r.changed()
		r.changed() // a second change before their turns: each still draws once
		r.afterDraws(func() { result = append(result, log.String()) })
	}})
	settle(d, r, 20)
	got := log.String()
	// a and b take turns in the order they were asked, which is map
	// order; s comes last, after the last yield.
	if got != "a y b y s" && got != "b y a y s" {
		t.Errorf("draws: %q; want a y b y s (or b first)", got)
	}
	if len(result) != 1 || (result[0] != "a y b y" && result[0] != "b y a y") {
		t.Errorf("the result came after %q; want once, after the turns' last yield", result)
	}
	if r.draws.on || len(r.draws.turns) > 0 {
		t.Errorf("turns still on: %+v", r.draws)
	}
}

// TestDrawTurnsNatively: without a Yield (natively, the other tests) the
// views draw at once.
func TestDrawTurnsNatively(t *testing.T) {
	log := &drawLog{}
	r := newRunner(Env{})
	h := &testHost{run: r, views: []app.UI{
		&testView{runView: runView{run: r, every: time.Hour}, name: "a", log: log},
		&testView{runView: runView{run: r, settle: true}, name: "s", log: log},
	}}
	d := app.NewClientTester(h)
	defer d.Close()
	d.Consume()
	d.Dispatch(app.Dispatch{Mode: app.Update, Source: h, Function: func(app.Context) { r.changed() }})
	d.Consume()
	if got := log.String(); got != "a s" && got != "s a" {
		t.Errorf("draws: %q; want a and s, no yield", got)
	}
}

func TestStager(t *testing.T) {
	chunk := func(s string) []string { // "a b" → [a b]; "-" → nil
		if s == "-" {
			return nil
		}
		return strings.Fields(s)
	}
	list := func(cs ...string) [][]string {
		out := make([][]string, len(cs))
		for i, c := range cs {
			out[i] = chunk(c)
		}
		return out
	}
	for _, tt := range []struct {
		name        string
		shown, want [][]string
		steps       [][][]string // what is shown after each step, until nothing is pending
	}{
		{"from nothing, a chunk a step", nil, list("a b", "c d", "e"),
			[][][]string{list("a b", "-", "-"), list("a b", "c d", "-"), list("a b", "c d", "e")}},
		{"unchanged chunks stay, a changed one is a step", list("a b", "c d"), list("a b", "c x"),
			[][][]string{list("a b", "c x")}},
		{"emptied chunks cost no step", list("a", "b", "c"), list("-", "-", "z"),
			[][][]string{list("-", "-", "z")}},
		{"a shorter list drops the chunks past its end at once", list("a", "b", "c"), list("a"),
			[][][]string{list("a")}},
		{"nothing to do", list("a"), list("a"), nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := stager[string]{shown: tt.shown, want: tt.want}
			var got [][][]string
			for s.pending() {
				if len(got) > 10 {
					t.Fatal("never done")
				}
				s.step()
				got = append(got, slices.Clone(s.shown))
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.steps) {
				t.Errorf("steps %v; want %v", got, tt.steps)
			}
		})
	}
}

// TestTimelineTraceSteps: the timeline's trace is read tlStep events a
// turn, is the trace of all of them, and is read again only when the
// events change.
func TestTimelineTraceSteps(t *testing.T) {
	r, d, log := turnPage(t)
	n := 2*tlStep + 10
	events := make([]stampede.Event, n)
	for i := range events {
		events[i] = ev(i+1, fmt.Sprintf("w#%d", i/4), []stampede.Kind{stampede.KindRequest, stampede.KindLockWait, stampede.KindLockAcquired, stampede.KindLockReleased}[i%4], "")
	}
	r.run.events = events
	var tl tlTrace
	yields := func() int { return strings.Count(log.String(), "y") }
	d.Dispatch(app.Dispatch{Mode: app.Update, Source: r.home.Src(), Function: func(ctx app.Context) { tl.follow(r, ctx) }})
	settle(d, r, 20)
	if tl.done.tr == nil || !tl.done.same(events) {
		t.Fatal("the trace was not read")
	}
	// Three steps: the first in the caller's turn, two more in turns.
	if got := yields(); got != 2 {
		t.Errorf("%d yields; want 2 (three steps of %d for %d events)", got, tlStep, n)
	}
	if got := len(tl.done.tr.Lanes); got != n/4+1 {
		t.Errorf("%d lanes; want %d", got, n/4+1)
	}
	rev := tl.done.rev
	d.Dispatch(app.Dispatch{Mode: app.Update, Source: r.home.Src(), Function: func(ctx app.Context) { tl.follow(r, ctx) }})
	settle(d, r, 20)
	if tl.done.rev != rev || yields() != 2 {
		t.Errorf("the same events were read again (rev %d → %d)", rev, tl.done.rev)
	}
	r.run.events = events[:10:10]
	d.Dispatch(app.Dispatch{Mode: app.Update, Source: r.home.Src(), Function: func(ctx app.Context) { tl.follow(r, ctx) }})
	settle(d, r, 20)
	if !tl.done.same(events[:10]) || len(tl.done.tr.Lanes) != 3 {
		t.Errorf("after the events changed: %d lanes; want 3", len(tl.done.tr.Lanes))
	}
}

// TestTimelineInTurns: in a page, the timeline lays out in one draw
// turn and draws that layout in the next, showing the layout it had
// until then.
func TestTimelineInTurns(t *testing.T) {
	log := &drawLog{}
	r := newRunner(Env{Yield: log.yield})
	tl := newTimeline().inTurns(r).Events(seedEvents()).Groups(seedGroups).Wall(505 * time.Millisecond)
	h := &testHost{run: r, views: []app.UI{tl}}
	d := app.NewClientTester(h)
	defer d.Close()
	settle(d, r, 20)
	// The page's home is set when it mounts, after its views: the first
	// layout comes with the first change.
	d.Dispatch(app.Dispatch{Mode: app.Update, Source: tl, Function: func(ctx app.Context) { tl.relayout(ctx) }})
	settle(d, r, 20)
	if !strings.Contains(app.HTMLString(h), ">400 ms<") || tl.drawn == nil {
		t.Fatalf("the first layout is not drawn: %s", app.HTMLString(h))
	}
	yields := strings.Count(log.String(), "y")
	// A longer run: the axis reaches 1000 ms, two turns later.
	d.Dispatch(app.Dispatch{Mode: app.Update, Source: tl, Function: func(ctx app.Context) {
		tl.Iwall = 1100 * time.Millisecond
		tl.relayout(ctx)
	}})
	d.Consume()
	if h := app.HTMLString(h); strings.Contains(h, ">1000 ms<") {
		t.Errorf("the new layout is drawn in the turn that lays it out")
	}
	settle(d, r, 20)
	if h := app.HTMLString(h); !strings.Contains(h, ">1000 ms<") {
		t.Errorf("the new layout is never drawn")
	}
	if got := strings.Count(log.String(), "y") - yields; got != 2 {
		t.Errorf("%d turns for a layout; want 2 (lay out, draw)", got)
	}
}

// TestStatusWaitsForTurns: #run-stats draws what the runner held when it
// last followed it: drawn again for another reason while the views
// still take turns, it does not show the run's end early.
func TestStatusWaitsForTurns(t *testing.T) {
	log := &drawLog{}
	r := newRunner(Env{Yield: log.yield})
	status := &runStatus{runView: runView{run: r, settle: true}}
	h := &testHost{run: r, views: []app.UI{
		&testView{runView: runView{run: r, every: time.Hour}, name: "a", log: log},
		status,
	}}
	d := app.NewClientTester(h)
	defer d.Close()
	d.Consume()
	d.Dispatch(app.Dispatch{Mode: app.Update, Source: h, Function: func(app.Context) {
		r.run.state = runDone
		r.changed()
	}})
	d.Dispatch(app.Dispatch{Mode: app.Update, Source: status, Function: func(app.Context) {}}) // drawn again meanwhile
	d.Consume()
	if !r.draws.on {
		t.Fatal("no turn is on: the test shows nothing")
	}
	if got := app.HTMLString(status); !strings.Contains(got, `data-state="idle"`) {
		t.Errorf("while the views take turns, #run-stats shows %s; want idle still", got)
	}
	settle(d, r, 20)
	if got := app.HTMLString(status); !strings.Contains(got, `data-state="done"`) {
		t.Errorf("after the turns, #run-stats shows %s; want done", got)
	}
}

// TestDrawTurnsDismounted: a view dismounted while it waits for its turn
// is skipped, the turns still end, and mounted again it draws again.
func TestDrawTurnsDismounted(t *testing.T) {
	log := &drawLog{}
	r := newRunner(Env{Yield: log.yield})
	a := &testView{runView: runView{run: r, every: time.Hour}, name: "a", log: log}
	b := &testView{runView: runView{run: r, every: time.Hour}, name: "b", log: log}
	h := &testHost{run: r, views: []app.UI{a, b}}
	d := app.NewClientTester(h)
	defer d.Close()
	d.Consume()
	var settled bool
	d.Dispatch(app.Dispatch{Mode: app.Update, Source: h, Function: func(app.Context) {
		r.changed()
		r.afterDraws(func() { settled = true })
		h.views = nil // both leave the page before they draw
	}})
	settle(d, r, 20)
	if !settled || r.draws.on {
		t.Fatalf("the turns never ended (settled %v, on %v)", settled, r.draws.on)
	}
	before := log.String()
	h.views = []app.UI{a, b}
	d.Dispatch(app.Dispatch{Mode: app.Update, Source: h, Function: func(app.Context) {}})
	d.Consume()
	d.Dispatch(app.Dispatch{Mode: app.Update, Source: h, Function: func(app.Context) { r.changed() }})
	settle(d, r, 20)
	after := strings.TrimSpace(strings.TrimPrefix(log.String(), before))
	if !strings.Contains(after, "a") || !strings.Contains(after, "b") {
		t.Errorf("mounted again, the views drew %q; want a and b", after)
	}
}

// sights is a fake Env.OnScreen: it keeps each view's seen func, in the
// order the views mounted.
type sights struct {
	mu   sync.Mutex
	seen []func(bool)
}

func (s *sights) onScreen(_ app.Value, seen func(bool)) func() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seen = append(s.seen, seen)
	return func() {}
}

// sightPage mounts views a and b, drawn in turns, on a runner whose
// OnScreen is sight; busy says whether a run goes on as they mount. step
// runs fn on the page and returns what was drawn meanwhile.
func sightPage(t *testing.T, busy bool) (r *runner, sight *sights, step func(fn func()) string) {
	t.Helper()
	log := &drawLog{}
	sight = &sights{}
	r = newRunner(Env{Yield: log.yield, OnScreen: sight.onScreen})
	r.busy = busy
	h := &testHost{run: r, views: []app.UI{
		&testView{runView: runView{run: r, every: time.Hour}, name: "a", log: log},
		&testView{runView: runView{run: r, every: time.Hour}, name: "b", log: log},
	}}
	d := app.NewClientTester(h)
	t.Cleanup(d.Close)
	d.Consume()
	if len(sight.seen) != 2 {
		t.Fatalf("OnScreen called for %d views; want 2", len(sight.seen))
	}
	step = func(fn func()) string {
		t.Helper()
		before := len(log.String())
		d.Dispatch(app.Dispatch{Mode: app.Update, Source: h, Function: func(app.Context) { fn() }})
		settle(d, r, 20)
		return strings.TrimSpace(log.String()[before:])
	}
	return r, sight, step
}

// TestHiddenViewsWaitForSight: while a run goes on, a view out of sight
// does not draw; it draws once it comes into sight, and at the run's end
// whether seen or not. A view in sight draws as before.
func TestHiddenViewsWaitForSight(t *testing.T) {
	r, sight, step := sightPage(t, false)
	step(func() {
		sight.seen[0](false) // a scrolled out of sight
		sight.seen[1](true)
	})

	if got := step(func() { r.busy = true; r.changed() }); got != "b y" {
		t.Errorf("a change while a is out of sight drew %q; want b only", got)
	}
	if got := step(func() { sight.seen[0](true) }); got != "a y" {
		t.Errorf("a coming into sight drew %q; want a, which missed a change", got)
	}
	if got := step(func() { sight.seen[1](false) }); got != "" {
		t.Errorf("b going out of sight drew %q; want nothing", got)
	}
	// Both have drawn this run once (every is an hour): b out of sight
	// skips, a waits for its time.
	if got := step(func() { r.busy = false; r.changed() }); got != "a y b y" && got != "b y a y" {
		t.Errorf("the run's end drew %q; want both views, in sight or not", got)
	}
	if got := step(r.changed); got != "a y b y" && got != "b y a y" {
		t.Errorf("a change outside a run drew %q; want both views", got)
	}
}

// TestViewsUnseenUntilReported: a view mounted while a run goes on does
// not draw the run's changes until OnScreen has said it is in sight.
func TestViewsUnseenUntilReported(t *testing.T) {
	r, sight, step := sightPage(t, true)
	if got := step(r.changed); got != "" {
		t.Errorf("a change in a run before any report drew %q; want nothing", got)
	}
	if got := step(func() { sight.seen[0](true) }); got != "a y" {
		t.Errorf("a reported in sight drew %q; want a, which missed a change", got)
	}
	if got := step(func() { sight.seen[1](false) }); got != "" {
		t.Errorf("b reported out of sight drew %q; want nothing", got)
	}
	if got := step(func() { r.busy = false; r.changed() }); got != "a y b y" && got != "b y a y" {
		t.Errorf("the run's end drew %q; want both views", got)
	}
}
