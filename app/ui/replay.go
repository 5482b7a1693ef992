package ui

import (
	"fmt"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/stampede-playground/stampede/app/stampede"
)

// Replay: after a run, a cursor steps through its events; the log, the
// counters and the timeline's cursor line follow it. The cursor belongs
// to one run: a new run (runN changes) turns it off, and while a run is
// going it is off and its controls are disabled.

// replayState is the page's replay cursor. The zero value is off.
type replayState struct {
	run     int  // the run the cursor belongs to; 0 or a stale run means off
	pos     int  // events shown: p.events[:pos]
	playing bool // play advances pos every playEvery
	tick    int  // tags the pending play step, so a paused or stale one is dropped
}

// playEvery is the pace of play; a run of many events advances by
// several per step, so no replay plays longer than about playSteps steps.
const (
	playEvery = 150 * time.Millisecond
	playSteps = 100
)

// replayOn reports whether the cursor applies: it was moved after the
// current run ended.
func (p *Playground) replayOn() bool {
	return p.replay.run != 0 && p.replay.run == p.runN && !p.running
}

// replayPos is the cursor: events shown, len(p.events) when replay is off.
func (p *Playground) replayPos() int {
	if !p.replayOn() {
		return len(p.events)
	}
	return min(max(p.replay.pos, 0), len(p.events))
}

// shownEvents are the events the log shows: all, or those before the cursor.
func (p *Playground) shownEvents() []stampede.Event {
	return p.events[:p.replayPos()]
}

// shownStats are the counters: the run's, or those of the events before
// the cursor, derived with Stats.Add as the run's are. Other tabs'
// events are not this run's and are not counted.
func (p *Playground) shownStats() stampede.Stats {
	if !p.replayOn() {
		return p.live
	}
	return prefixStats(p.live, p.events[:p.replayPos()])
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

// canReplay reports whether the replay controls work.
func (p *Playground) canReplay() bool { return !p.running && len(p.events) > 0 }

// seek moves the cursor to pos (clamped) and turns replay on.
func (p *Playground) seek(pos int) {
	if !p.canReplay() {
		return
	}
	p.replay.run = p.runN
	p.replay.pos = min(max(pos, 0), len(p.events))
	p.refreshView()
}

// step moves the cursor by d events and pauses play.
func (p *Playground) step(d int) {
	p.pause()
	p.seek(p.replayPos() + d)
}

func (p *Playground) pause() {
	if p.replay.playing {
		p.replay.playing = false
		p.replay.tick++
	}
}

// togglePlay plays from the cursor (from the start when it is at the
// end) or pauses.
func (p *Playground) togglePlay(ctx app.Context) {
	if p.replay.playing {
		p.pause()
		return
	}
	if !p.canReplay() {
		return
	}
	pos := p.replayPos()
	if pos >= len(p.events) {
		pos = 0
	}
	p.seek(pos)
	p.replay.playing = true
	p.replay.tick++
	p.schedulePlay(ctx)
}

func (p *Playground) schedulePlay(ctx app.Context) {
	tick := p.replay.tick
	ctx.After(playEvery, func(ctx app.Context) {
		if p.replay.tick == tick {
			p.playStep(ctx)
		}
	})
}

// playStep advances a playing cursor by one step and schedules the next.
func (p *Playground) playStep(ctx app.Context) {
	if !p.replay.playing || !p.replayOn() {
		p.replay.playing = false
		return
	}
	stride := max(1, (len(p.events)+playSteps-1)/playSteps)
	p.seek(p.replayPos() + stride)
	if p.replayPos() >= len(p.events) {
		p.replay.playing = false
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
func (p *Playground) replayKey(ctx app.Context, a replayKey) {
	switch a {
	case keyBack:
		p.step(-1)
	case keyForward:
		p.step(+1)
	case keyPlay:
		p.togglePlay(ctx)
	}
}

func (p *Playground) onReplayPos(ctx app.Context, e app.Event) {
	var pos int
	if _, err := fmt.Sscan(ctx.JSSrc().Get("value").String(), &pos); err != nil {
		return
	}
	p.pause()
	p.seek(pos)
}

func (p *Playground) onStepBack(ctx app.Context, e app.Event) { p.step(-1) }
func (p *Playground) onStep(ctx app.Context, e app.Event)     { p.step(+1) }
func (p *Playground) onPlay(ctx app.Context, e app.Event)     { p.togglePlay(ctx) }

// onTimelineClick scrubs: a click on the timeline's SVG moves the cursor
// to the last event at or before the time under the pointer.
func (p *Playground) onTimelineClick(ctx app.Context, e app.Event) {
	target := e.Get("target")
	if !p.canReplay() || !target.Truthy() {
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
	m := layoutTimeline(p.events, p.groups, nil, wallOf(p.live), -1)
	if x < timelinePlotX0 {
		return // the labels, or a band's button
	}
	t := m.Min + time.Duration((x-timelinePlotX0)/(timelinePlotX1-timelinePlotX0)*float64(m.Wall))
	p.pause()
	p.seek(eventsUpTo(p.events, t))
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
func (p *Playground) syncReplayRange() {
	el := app.Window().GetElementByID("replay-pos")
	if !el.Truthy() {
		return
	}
	el.Set("max", len(p.events))
	el.Set("value", p.replayPos())
}

// renderTimeline is the timeline with the replay controls under it.
func (p *Playground) renderTimeline() app.UI {
	pos, n := p.replayPos(), len(p.events)
	cursor := time.Duration(-1)
	if p.replayOn() {
		cursor = 0
		if pos > 0 {
			cursor = p.events[pos-1].At
		}
	}
	off := !p.canReplay()
	play := "▶ Play"
	if p.replay.playing {
		play = "❚❚ Pause"
	}
	where := replayWhere(p.events, pos, p.replayOn())
	rng := app.Input().ID("replay-pos").Type("range").Min(0).Max(n).Step(1).Value(pos).
		Aria("describedby", "replay-at").Aria("valuetext", where).OnInput(p.onReplayPos)
	back := app.Button().ID("replay-step-back").Type("button").Aria("label", "step back one event").
		Text("◀ Back").OnClick(p.onStepBack)
	fwd := app.Button().ID("replay-step").Type("button").Aria("label", "step forward one event").
		Text("Step ▶").OnClick(p.onStep)
	pl := app.Button().ID("replay-play").Type("button").Aria("pressed", p.replay.playing).Text(play).OnClick(p.onPlay)
	if off {
		rng, back, fwd, pl = rng.Disabled(true), back.Disabled(true), fwd.Disabled(true), pl.Disabled(true)
	}
	return app.Div().Class("timeline-wrap").Body(
		app.Div().Class("timeline-click").OnClick(p.onTimelineClick).Body(
			newTimeline().Events(p.events).Groups(p.groups).Wall(wallOf(p.live)).Cursor(cursor),
		),
		app.Div().ID("replay").Class("replay").Role("group").Aria("label", "replay").Body(
			app.Label().For("replay-pos").Text("Replay"),
			back, pl, fwd, rng,
			app.Output().ID("replay-at").For("replay-pos").Aria("live", "polite").Text(where),
			&replayKeys{Ipage: p},
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

// replayKeys listens for the replay keys on the document while mounted.
// The listener runs synchronously in the browser's event dispatch, so it
// can preventDefault (an arrow would otherwise move the range input too,
// and space scroll the page); go-app's own handlers run later on the UI
// goroutine, too late for that. It renders nothing visible.
type replayKeys struct {
	app.Compo

	Ipage *Playground // the page whose cursor the keys move

	listener app.Func
}

func (k *replayKeys) OnMount(ctx app.Context) {
	k.listener = app.FuncOf(func(this app.Value, args []app.Value) any {
		if len(args) == 0 {
			return nil
		}
		e := args[0]
		target := e.Get("target")
		if !target.Truthy() || e.Get("ctrlKey").Bool() || e.Get("altKey").Bool() || e.Get("metaKey").Bool() {
			return nil
		}
		if target.Get("closest").Type() != app.TypeFunction || !target.Call("closest", "#replay, #timeline").Truthy() {
			return nil
		}
		typ := ""
		if t := target.Get("type"); t.Type() == app.TypeString {
			typ = t.String()
		}
		a := replayKeyAction(e.Get("key").String(), strings.ToLower(target.Get("tagName").String()), typ)
		if a == keyNone {
			return nil
		}
		e.Call("preventDefault")
		// Dispatched with the page as its source, so the page renders
		// and a play step's ctx.After dispatches to the page too.
		if page := k.Ipage; page != nil {
			ctx.Dispatcher().Dispatch(app.Dispatch{Mode: app.Update, Source: page, Function: func(ctx app.Context) {
				page.replayKey(ctx, a)
			}})
		}
		return nil
	})
	app.Window().Get("document").Call("addEventListener", "keydown", k.listener)
}

func (k *replayKeys) OnDismount() {
	if k.listener != nil {
		app.Window().Get("document").Call("removeEventListener", "keydown", k.listener)
		k.listener.Release()
		k.listener = nil
	}
}

func (k *replayKeys) Render() app.UI { return app.Span().Hidden(true) }
