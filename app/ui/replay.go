package ui

import (
	"fmt"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/stampede-playground/stampede/app/stampede"
)

// Replay: after a run, a cursor steps through its events; the log, the
// counters and the timeline's cursor line follow it. The cursor is the
// runner's, so every view reads the same one; it belongs to one run: a
// new run turns it off, and while a run is going it is off and the
// controls are disabled. Playing is the replay panel's own state.

// replayCursor is the runner's replay cursor. The zero value is off.
type replayCursor struct {
	run int // the run the cursor belongs to; 0 or a stale run means off
	pos int // events shown: events[:pos]
}

// playEvery is the pace of play; a run of many events advances by
// several per step, so no replay plays longer than about playSteps steps.
const (
	playEvery = 150 * time.Millisecond
	playSteps = 100
)

// replayOn reports whether the cursor applies: it was moved after the
// current run ended.
func (r *runner) replayOn() bool {
	return r.cursor.run != 0 && r.cursor.run == r.run.n && !r.busy
}

// replayPos is the cursor: events shown, all of them when replay is off.
func (r *runner) replayPos() int {
	if !r.replayOn() {
		return len(r.run.events)
	}
	return min(max(r.cursor.pos, 0), len(r.run.events))
}

// shownEvents are the events the views show: all, or those before the
// cursor.
func (r *runner) shownEvents() []stampede.Event {
	return r.run.events[:r.replayPos()]
}

// shownStats are the counters: the run's, or those of the events before
// the cursor, derived with Stats.Add as the run's are. Other tabs'
// events are not this run's and are not counted.
func (r *runner) shownStats() stampede.Stats {
	if !r.replayOn() {
		return r.run.live
	}
	return prefixStats(r.run.live, r.shownEvents())
}

func prefixStats(run stampede.Stats, events []stampede.Event) stampede.Stats {
	s := stampede.Stats{Strategy: run.Strategy, Workers: run.Workers}
	for _, e := range events {
		if e.Tab == "" {
			s.Add(e)
		}
	}
	return s
}

// canReplay reports whether the cursor can move.
func (r *runner) canReplay() bool { return !r.busy && len(r.run.events) > 0 }

// seek moves the cursor to pos (clamped) and turns replay on.
func (r *runner) seek(pos int) {
	if !r.canReplay() {
		return
	}
	r.cursor = replayCursor{run: r.run.n, pos: min(max(pos, 0), len(r.run.events))}
	r.rev++
	r.changed()
}

// replayPanel is the timeline with the replay controls under it. It owns
// whether a replay is playing; the cursor is the runner's.
type replayPanel struct {
	app.Compo

	runView

	playing bool // play advances the cursor every playEvery
	tick    int  // tags the pending play step, so a paused or stale one is dropped

	trace tlTrace // the run's events as the timeline's trace
}

func (p *replayPanel) OnMount(ctx app.Context) {
	p.follow(ctx, func() {
		if p.playing && !p.run.replayOn() {
			p.pause() // a new run took the cursor
		}
		p.trace.follow(p.run, ctx)
		ctx.Defer(func(app.Context) { p.syncRange() })
	})
	p.trace.follow(p.run, ctx)
}

func (p *replayPanel) OnDismount() {
	p.runView.OnDismount()
	p.pause()
}

// step moves the cursor by d events and pauses play.
func (p *replayPanel) step(d int) {
	p.pause()
	p.run.seek(p.run.replayPos() + d)
}

func (p *replayPanel) pause() {
	if p.playing {
		p.playing = false
		p.tick++
	}
}

// togglePlay plays from the cursor (from the start when it is at the
// end) or pauses.
func (p *replayPanel) togglePlay(ctx app.Context) {
	if p.playing {
		p.pause()
		return
	}
	r := p.run
	if !r.canReplay() {
		return
	}
	pos := r.replayPos()
	if pos >= len(r.run.events) {
		pos = 0
	}
	r.seek(pos)
	p.playing = true
	p.tick++
	p.schedulePlay(ctx)
}

func (p *replayPanel) schedulePlay(ctx app.Context) {
	tick := p.tick
	ctx.After(playEvery, func(ctx app.Context) {
		if p.tick == tick {
			p.playStep(ctx)
		}
	})
}

// playStep advances a playing cursor by one step and schedules the next.
func (p *replayPanel) playStep(ctx app.Context) {
	r := p.run
	if !p.playing || !r.replayOn() {
		p.playing = false
		return
	}
	n := len(r.run.events)
	stride := max(1, (n+playSteps-1)/playSteps)
	r.seek(r.replayPos() + stride)
	if r.replayPos() >= n {
		p.playing = false
		return
	}
	p.schedulePlay(ctx)
}

// Keyboard: with focus in the replay controls or the timeline, left and
// right arrows step and space plays or pauses. Keys typed into a text
// field are never taken; on a button, space keeps its own meaning (press).
type replayKey int

const (
	keyNone replayKey = iota
	keyBack
	keyForward
	keyPlay
)

// replayKeyAction says what key does when pressed on an element with the
// tag name tag (lower case) and, for inputs, the type typ.
func replayKeyAction(key, tag, typ string) replayKey {
	switch tag {
	case "textarea", "select":
		return keyNone
	case "input":
		if typ != "range" {
			return keyNone
		}
	}
	switch key {
	case "ArrowLeft", "Left":
		return keyBack
	case "ArrowRight", "Right":
		return keyForward
	case " ", "Spacebar":
		if tag == "button" {
			return keyNone
		}
		return keyPlay
	}
	return keyNone
}

// replayKey applies a key's action.
func (p *replayPanel) replayKey(ctx app.Context, a replayKey) {
	switch a {
	case keyBack:
		p.step(-1)
	case keyForward:
		p.step(+1)
	case keyPlay:
		p.togglePlay(ctx)
	}
}

func (p *replayPanel) onReplayPos(ctx app.Context, e app.Event) {
	var pos int
	if _, err := fmt.Sscan(ctx.JSSrc().Get("value").String(), &pos); err != nil {
		return
	}
	p.pause()
	p.run.seek(pos)
}

func (p *replayPanel) onStepBack(ctx app.Context, e app.Event) { p.step(-1) }
func (p *replayPanel) onStep(ctx app.Context, e app.Event)     { p.step(+1) }
func (p *replayPanel) onPlay(ctx app.Context, e app.Event)     { p.togglePlay(ctx) }

// onTimelineClick scrubs: a click on the timeline's SVG moves the cursor
// to the last event at or before the time under the pointer.
func (p *replayPanel) onTimelineClick(ctx app.Context, e app.Event) {
	r := p.run
	target := e.Get("target")
	if !r.canReplay() || !target.Truthy() {
		return
	}
	svg := target.Call("closest", "svg")
	if !svg.Truthy() {
		return
	}
	box := svg.Call("getBoundingClientRect")
	width := box.Get("width").Float()
	if width <= 0 {
		return
	}
	x := (e.Get("clientX").Float() - box.Get("left").Float()) / width * timelineViewW
	m := layoutTrace(p.trace.of(r.run.events), r.run.groups, nil, wallOf(r.run.live), -1, r.busy)
	if x < timelinePlotX0 {
		return // the labels, or a band's button
	}
	t := m.Min + time.Duration((x-timelinePlotX0)/(timelinePlotX1-timelinePlotX0)*float64(m.Wall))
	p.pause()
	r.seek(eventsUpTo(r.run.events, t))
}

// eventsUpTo counts the events at or before t: the cursor that shows them.
func eventsUpTo(events []stampede.Event, t time.Duration) int {
	n := 0
	for i, e := range events {
		if e.At <= t {
			n = i + 1
		}
	}
	return n
}

func wallOf(s stampede.Stats) time.Duration {
	return time.Duration(s.WallMs * float64(time.Millisecond))
}

// syncReplayRange sets the scrubber's max, then its value, on the page.
// go-app sets an element's attributes in map order: when a run's events
// grow, value=13 may be set while max is still 5, and the browser clamps
// it there, so a finished run's scrubber sat mid-way. Called through
// ctx.Defer after the events grew, once the render has happened.
func (p *replayPanel) syncRange() {
	el := app.Window().GetElementByID("replay-pos")
	if !el.Truthy() {
		return
	}
	el.Set("max", len(p.run.run.events))
	el.Set("value", p.run.replayPos())
}

func (p *replayPanel) Render() app.UI {
	r := p.run
	events := r.run.events
	pos, n := r.replayPos(), len(events)
	cursor := time.Duration(-1)
	if r.replayOn() {
		cursor = 0
		if pos > 0 {
			cursor = events[pos-1].At
		}
	}
	off := !r.canReplay()
	play := "▶ Play"
	if p.playing {
		play = "❚❚ Pause"
	}
	where := replayWhere(events, pos, r.replayOn())
	rng := app.Input().ID("replay-pos").Attr("type", "range").Min(0).Max(n).Step(1).Value(pos).
		Aria("describedby", "replay-at").Aria("valuetext", where).OnInput(p.onReplayPos)
	back := app.Elem("button").ID("replay-step-back").Attr("type", "button").Aria("label", "step back one event").
		Text("◀ Back").OnClick(p.onStepBack)
	fwd := app.Elem("button").ID("replay-step").Attr("type", "button").Aria("label", "step forward one event").
		Text("Step ▶").OnClick(p.onStep)
	pl := app.Elem("button").ID("replay-play").Attr("type", "button").Aria("pressed", p.playing).Text(play).OnClick(p.onPlay)
	if off {
		rng, back, fwd, pl = rng.Attr("disabled", true), back.Attr("disabled", true), fwd.Attr("disabled", true), pl.Attr("disabled", true)
	}
	return app.Div().Class("timeline-wrap").Body(
		app.Div().Class("timeline-click").OnClick(p.onTimelineClick).Body(
			newTimeline().inTurns(r).Trace(p.trace.done).Groups(r.run.groups).Wall(p.trace.done.wall).Live(r.busy).Cursor(cursor).Marks(r.shownMarks()),
		),
		app.Div().ID("replay").Class("replay").Role("group").Aria("label", "replay").Body(
			app.Elem("label").Attr("for", "replay-pos").Text("Replay"),
			back, pl, fwd, rng,
			app.Elem("output").ID("replay-at").Attr("for", "replay-pos").Aria("live", "polite").Text(where),
			&replayKeys{Ipanel: p},
		),
	)
}

// replayWhere says where the cursor is.
func replayWhere(events []stampede.Event, pos int, on bool) string {
	n := len(events)
	switch {
	case n == 0:
		return "nothing to replay yet"
	case !on:
		return fmt.Sprintf("all %d events: step back or drag to replay", n)
	case pos == 0:
		return fmt.Sprintf("event 0 of %d: before the run", n)
	}
	e := events[pos-1]
	w := e.Worker
	if e.Tab != "" {
		w = e.Tab + ":" + w
	}
	s := fmt.Sprintf("event %d of %d at %s ms: %s %s", pos, n, ms(e.At), w, e.Kind)
	if e.Target != "" {
		s += " " + e.Target
	}
	return strings.TrimSpace(s)
}

// replayKeys listens for the replay keys on the document while mounted
// (see docKeys). It renders nothing visible.
type replayKeys struct {
	app.Compo

	Ipanel *replayPanel // the panel whose cursor the keys move

	keys docKeys
}

func (k *replayKeys) OnMount(ctx app.Context) {
	k.keys.listen("#replay, #timeline", func(p keyPress) func() {
		a := replayKeyAction(p.Key, p.Tag, p.Type)
		panel := k.Ipanel
		if a == keyNone || panel == nil {
			return nil
		}
		// Dispatched with the panel as its source, so the panel renders
		// and a play step's ctx.After dispatches to the panel too.
		return func() {
			ctx.Dispatcher().Dispatch(app.Dispatch{Mode: app.Update, Source: panel, Function: func(ctx app.Context) {
				panel.replayKey(ctx, a)
			}})
		}
	})
}

func (k *replayKeys) OnDismount() { k.keys.stop() }

func (k *replayKeys) Render() app.UI { return app.Elem("span").Hidden(true) }
