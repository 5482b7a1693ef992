package ui

import (
	"fmt"
	"strconv"
	"time"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/stampede-playground/stampede/app/stampede"
)

// Replay: after a run, the page steps through its events one by one; the
// log, the counters and the timeline show the run as it was at the
// cursor. Left and right arrows step, space plays and pauses.

// replayState is the replay's cursor. The zero value is "not replaying":
// everything is shown.
type replayState struct {
	on      bool
	pos     int  // events shown, 0 to len(p.events)
	playing bool // a play loop is stepping
	gen     int  // tags the play loop, so a pause or a new run ends it
}

// replayTick is how often play steps; replaySteps is about how many ticks
// a whole replay takes, so a long run replays in seconds.
const (
	replayTick  = 60 * time.Millisecond
	replaySteps = 200
)

// shownEvents are the events the log and the timeline show: all of them,
// or those before the replay's cursor.
func (p *Playground) shownEvents() []stampede.Event {
	if p.rp.on && p.rp.pos <= len(p.events) {
		return p.events[:p.rp.pos]
	}
	return p.events
}

// shownStats are the counters: the run's, or those of the events before
// the cursor, derived the one way stats are (Stats.Add). Other tabs'
// events are not this run's.
func (p *Playground) shownStats() stampede.Stats {
	if !p.rp.on {
		return p.live
	}
	s := stampede.Stats{Strategy: p.live.Strategy, Workers: p.live.Workers}
	for _, e := range p.events[:p.rp.pos] {
		if e.Tab == "" {
			s.Add(e)
		}
	}
	return s
}

// canReplay: a finished run with events, and nothing running.
func (p *Playground) canReplay() bool { return !p.running && len(p.events) > 0 }

// resetReplay ends a replay; a new run calls it.
func (p *Playground) resetReplay() {
	p.rp = replayState{gen: p.rp.gen + 1}
}

// seek moves the cursor to pos events, within the run.
func (p *Playground) seek(pos int) {
	if !p.canReplay() {
		return
	}
	p.rp.on = true
	p.rp.pos = min(max(pos, 0), len(p.events))
	p.refreshView()
}

// step moves the cursor by d events; the first step back starts from
// the end of the run.
func (p *Playground) step(d int) {
	pos := p.rp.pos
	if !p.rp.on {
		pos = len(p.events)
	}
	p.pause()
	p.seek(pos + d)
}

func (p *Playground) pause() {
	if p.rp.playing {
		p.rp.playing = false
		p.rp.gen++
	}
}

// togglePlay plays from the cursor (from the start when at the end) or
// pauses.
func (p *Playground) togglePlay(ctx app.Context) {
	if p.rp.playing {
		p.pause()
		return
	}
	if !p.canReplay() {
		return
	}
	if !p.rp.on || p.rp.pos >= len(p.events) {
		p.seek(0)
	}
	p.rp.playing = true
	p.rp.gen++
	p.schedulePlay(ctx, p.rp.gen)
}

func (p *Playground) schedulePlay(ctx app.Context, gen int) {
	ctx.After(replayTick, func(ctx app.Context) {
		if p.playTick(gen) {
			p.schedulePlay(ctx, gen)
		}
	})
}

// playTick advances a playing replay by one tick's worth of events and
// reports whether play goes on.
func (p *Playground) playTick(gen int) bool {
	if gen != p.rp.gen || !p.rp.playing || !p.canReplay() {
		return false
	}
	p.seek(p.rp.pos + max(1, len(p.events)/replaySteps))
	if p.rp.pos >= len(p.events) {
		p.rp.playing = false
		return false
	}
	return true
}

// replayKey is the keyboard: arrows step, space plays or pauses. On the
// range input the browser moves the value itself and onReplayInput
// follows, so arrows are left to it there.
func (p *Playground) replayKey(ctx app.Context, key string, onRange bool) bool {
	switch key {
	case "ArrowLeft":
		if !onRange {
			p.step(-1)
		}
	case "ArrowRight":
		if !onRange {
			p.step(1)
		}
	case " ", "Spacebar":
		p.togglePlay(ctx)
	default:
		return false
	}
	return true
}

func (p *Playground) onReplayKey(ctx app.Context, e app.Event) {
	target := e.Get("target")
	onRange := target.Truthy() && target.Get("id").String() == "replay-pos"
	if target.Truthy() && target.Get("tagName").String() == "BUTTON" && e.Get("key").String() == " " {
		return // space on a button presses it
	}
	if p.replayKey(ctx, e.Get("key").String(), onRange) {
		e.PreventDefault()
	}
}

func (p *Playground) onReplayInput(ctx app.Context, e app.Event) {
	if n, err := strconv.Atoi(ctx.JSSrc().Get("value").String()); err == nil {
		p.pause()
		p.seek(n)
	}
}

func (p *Playground) onStepBack(ctx app.Context, e app.Event) { p.step(-1) }
func (p *Playground) onStep(ctx app.Context, e app.Event)     { p.step(1) }
func (p *Playground) onPlay(ctx app.Context, e app.Event)     { p.togglePlay(ctx) }

// replayLabel says where the cursor is.
func (p *Playground) replayLabel() string {
	switch {
	case p.running:
		return "Replay: after the run"
	case len(p.events) == 0:
		return "Replay: run a scenario first"
	case !p.rp.on:
		return fmt.Sprintf("Replay: all %d events shown; step back with ← or press Space to play", len(p.events))
	case p.rp.pos == 0:
		return fmt.Sprintf("Replay: before event 1 of %d", len(p.events))
	}
	e := p.events[p.rp.pos-1]
	return fmt.Sprintf("Replay: event %d of %d at %.1f ms: %s %s %s",
		p.rp.pos, len(p.events), ms(e), e.Worker, e.Kind, e.Target)
}

func (p *Playground) renderReplay() app.UI {
	off := !p.canReplay()
	pos := len(p.events)
	if p.rp.on {
		pos = p.rp.pos
	}
	btn := func(id, text, label string, h app.EventHandler) app.UI {
		b := app.Button().ID(id).Type("button").Text(text).Aria("label", label).OnClick(h)
		if off {
			b = b.Disabled(true)
		}
		return b
	}
	play, playLabel := "▶ play", "play the run"
	if p.rp.playing {
		play, playLabel = "❚❚ pause", "pause the replay"
	}
	rng := app.Input().ID("replay-pos").Type("range").Min(0).Max(len(p.events)).Step(1).Value(pos).
		Aria("describedby", "replay-label").OnInput(p.onReplayInput)
	if off {
		rng = rng.Disabled(true)
	}
	// The keys are handled by the timeline section around it.
	return app.Div().ID("replay").Class("replay").Role("group").Aria("label", "replay").Body(
		btn("replay-step-back", "◀", "step back one event", p.onStepBack),
		btn("replay-play", play, playLabel, p.onPlay),
		btn("replay-step", "▶", "step forward one event", p.onStep),
		app.Label().For("replay-pos").Class("visually-hidden").Text("replay position, in events"),
		rng,
		app.P().ID("replay-label").Class("status").Aria("live", "off").Text(p.replayLabel()),
	)
}

// The timeline section.

func (p *Playground) timelineModel() timelineModel {
	end := 0.0
	if p.rp.on && len(p.events) > 0 {
		end = ms(p.events[len(p.events)-1]) // a replay keeps the run's scale
	}
	lines := make([]string, len(p.groups))
	for i, g := range p.groups {
		lines[i] = g.Name
	}
	return buildTimeline(p.shownEvents(), lines, p.tlExpanded, end)
}

func (p *Playground) onTimelineDetail(ctx app.Context, e app.Event) {
	t := e.Get("target")
	for i := 0; i < 3 && t.Truthy(); i++ { // a title's rect, a rect's lane
		for _, attr := range []string{"data-bar", "data-row"} {
			if v := t.Call("getAttribute", attr); v.Truthy() {
				p.tlDetail = p.timelineModel().detailAt(v.String())
				return
			}
		}
		t = t.Get("parentNode")
	}
}

func (p *Playground) onExpand(ctx app.Context, e app.Event) {
	p.toggleBand(ctx.JSSrc().Get("dataset").Get("group").String())
}

// toggleBand expands a folded band into a lane per worker, or folds it.
func (p *Playground) toggleBand(group string) {
	if p.tlExpanded == nil {
		p.tlExpanded = map[string]bool{}
	}
	p.tlExpanded[group] = !p.tlExpanded[group]
}

func (p *Playground) renderTimelineSection() app.UI {
	cursor := -1.0
	if p.rp.on && p.rp.pos > 0 {
		cursor = ms(p.events[p.rp.pos-1])
	}
	return app.Section().ID("timeline").Class("timeline").Aria("label", "timeline").
		OnKeyDown(p.onReplayKey).Body(
		app.H2().Class("tl-title").Text("Timeline"),
		app.If(len(p.events) == 0,
			app.P().Class("status").Text("The run draws here: a lane per worker, each fetch, wait and hit in time."),
		).Else(
			renderTimeline(p.timelineModel(), cursor, p.tlDetail, p.onTimelineDetail, p.onExpand, p.tlExpanded),
		),
		renderTimelineLegend(),
		p.renderReplay(),
	)
}
