package ui

import (
	"fmt"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/stampede-playground/stampede/app/stampede"
	"github.com/stampede-playground/stampede/app/trace"
)

// The timeline draws a run's events as an SVG swimlane per worker, time
// on the x axis. Everything it shows comes from the run's trace
// (app/trace) through layoutTrace (timeline_layout.go), a pure
// function, and is drawn by timeline_svg.go; the component only adds
// which bands are expanded and which bar's details show.

// timeline is the component: <section id="timeline">.
type timeline struct {
	app.Compo

	Itrace  traceRef // the run's events as a trace (see tlTrace)
	Igroups []workerGroup
	Iwall   time.Duration
	Icursor time.Duration // the replay cursor's time; < 0 for none
	Imarks  []tlMark      // the bars and links a lesson points at
	Ilive   bool          // the run goes on: a steadier, lighter drawing

	expanded []string // band names, oldest first, at most maxExpanded
	detail   string   // the focused or hovered bar's details

	// In a page (inTurns), the timeline lays itself out in a draw turn
	// (draws.go) and draws the layout in the next: a 10,000-event
	// timeline's layout and drawing together held the page's thread
	// for about 100 ms. drawn is the layout drawn, until the next one.
	run    *runner
	drawn  *tlDrawn
	laying bool // a layout is queued
}

// tlDrawn is a layout and what it was laid out from.
type tlDrawn struct {
	key   tlKey
	m     tlModel
	lanes []tlLaneDraw
}

// tlKey is what a layout depends on.
type tlKey struct {
	trace           *trace.Trace
	traceRev        int
	groups          *workerGroup
	nGroups         int
	wall, cursor    time.Duration
	live            bool
	marks, expanded string
}

func (t *timeline) key() tlKey {
	k := tlKey{trace: t.Itrace.tr, traceRev: t.Itrace.rev, nGroups: len(t.Igroups),
		wall: t.Iwall, cursor: t.Icursor, live: t.Ilive, marks: fmt.Sprint(t.Imarks), expanded: strings.Join(t.expanded, "\x00")}
	if len(t.Igroups) > 0 {
		k.groups = &t.Igroups[0]
	}
	return k
}

// layout lays the timeline out from its inputs: no lanes without events.
func (t *timeline) layout() *tlDrawn {
	d := &tlDrawn{key: t.key()}
	tr := t.Itrace.tr
	if tr == nil || len(tr.Lanes) == 0 {
		return d
	}
	d.m = layoutTrace(tr, t.Igroups, t.expanded, t.Iwall, t.Icursor, t.Ilive)
	d.lanes = make([]tlLaneDraw, len(d.m.Lanes))
	for i := range d.m.Lanes {
		d.lanes[i] = laneView(&d.m.Lanes[i], t.Imarks)
	}
	return d
}

// inTurns makes the timeline lay out and draw in r's draw turns.
func (t *timeline) inTurns(r *runner) *timeline { t.run = r; return t }

// inPage reports whether the timeline takes draw turns: natively (the
// tests) there are none, and it lays out as it draws.
func (t *timeline) inPage() bool { return t.run != nil && t.run.drawing() }

func (t *timeline) OnMount(ctx app.Context)  { t.relayout(ctx) }
func (t *timeline) OnUpdate(ctx app.Context) { t.relayout(ctx) }
func (t *timeline) OnDismount()              { t.laying = false } // its turn is skipped

// relayout lays the timeline out again in a draw turn when its inputs
// changed, and draws that layout in the next.
func (t *timeline) relayout(ctx app.Context) {
	if !t.inPage() || t.laying || (t.drawn != nil && t.drawn.key == t.key()) {
		return
	}
	t.laying = true
	t.run.drawTurn(ctx, func(ctx app.Context) {
		d := t.layout()
		t.run.drawTurn(ctx, func(ctx app.Context) {
			t.drawn, t.laying = d, false
			t.relayout(ctx) // the inputs changed meanwhile
		})
	})
}

func newTimeline() *timeline { return &timeline{Icursor: -1} }

// Events sets the run's events, oldest first, read into a trace now.
// The page reads them in steps instead (tlTrace) and sets Trace.
func (t *timeline) Events(v []stampede.Event) *timeline {
	return t.Trace(traceRef{tr: trace.Build(v), events: v})
}

// Trace sets the run's events as a trace.
func (t *timeline) Trace(v traceRef) *timeline { t.Itrace = v; return t }

// Groups sets the scenario's lines, for the lanes' order and the bands' counts.
func (t *timeline) Groups(v []workerGroup) *timeline { t.Igroups = v; return t }

// Wall sets the run's wall time, when known.
func (t *timeline) Wall(v time.Duration) *timeline { t.Iwall = v; return t }

// Live says whether the run goes on (see layoutTrace).
func (t *timeline) Live(v bool) *timeline { t.Ilive = v; return t }

// Cursor sets the replay cursor's time; < 0 hides it.
func (t *timeline) Cursor(v time.Duration) *timeline { t.Icursor = v; return t }

// Marks sets the bars and links to highlight (data-highlight).
func (t *timeline) Marks(v []tlMark) *timeline { t.Imarks = v; return t }

// tlMark picks bars to highlight: those of Kind (a data-kind, or "link"
// for the links to a lane) in the lane or band named Lane, or in every
// lane when Lane is "".
type tlMark struct{ Kind, Lane string }

// marked reports whether marks pick the bars of kind in lane.
func marked(marks []tlMark, lane, kind string) bool {
	for _, m := range marks {
		if m.Kind == kind && (m.Lane == "" || m.Lane == lane || m.Lane == stampede.GroupOf(lane)) {
			return true
		}
	}
	return false
}

// toggle expands or collapses a band, keeping at most maxExpanded open.
func (t *timeline) toggle(name string) {
	for i, e := range t.expanded {
		if e == name {
			t.expanded = append(t.expanded[:i:i], t.expanded[i+1:]...)
			return
		}
	}
	t.expanded = append(t.expanded, name)
	if len(t.expanded) > maxExpanded {
		t.expanded = append([]string(nil), t.expanded[len(t.expanded)-maxExpanded:]...)
	}
}

func (t *timeline) onToggle(ctx app.Context, e app.Event) {
	t.toggle(ctx.JSSrc().Get("dataset").Get("band").String())
	t.relayout(ctx)
}

// onPoint shows the details of the bar under the pointer or with focus:
// one handler on the SVG for all its bars (focusin and mouseover bubble).
func (t *timeline) onPoint(ctx app.Context, e app.Event) {
	target := e.Get("target")
	if !target.Truthy() {
		return
	}
	if !target.Get("dataset").Get("kind").Truthy() || target.Get("tabIndex").Int() != 0 {
		return
	}
	if title := target.Call("querySelector", "title"); title.Truthy() {
		t.detail = title.Get("textContent").String()
	}
}

func (t *timeline) Render() app.UI {
	sec := app.Elem("section").ID("timeline").Class("timeline").Aria("label", "timeline")
	d := t.drawn
	if d == nil || !t.inPage() {
		d = t.layout() // not in a page's turns, or not laid out yet
	}
	if len(d.m.Lanes) == 0 {
		return sec.Body(
			app.P().Class("status").Text("The timeline draws each worker's lock waits, fetches and work once a run starts."),
		)
	}
	m := d.m
	return sec.Body(
		app.If(len(m.Bands) > 0, t.renderBands(m.Bands)),
		app.Div().Class("timeline-scroll").Body(t.renderSVG(&m, d.lanes)),
		app.P().ID("timeline-details").Class("status").Aria("live", "polite").Body(
			app.If(t.detail != "", app.Text(t.detail)).
				Else(app.Text("Hover over or focus a bar (Tab) for its details.")),
		),
		app.If(m.Hidden > 0 || m.Lost > 0 || m.Merged > 0,
			app.P().ID("timeline-note").Class("status").Text(timelineNote(&m)),
		),
		renderTimelineLegend(),
	)
}

// timelineNote says what the timeline merged or left out.
func timelineNote(m *tlModel) string {
	var parts []string
	if m.Merged > 0 {
		parts = append(parts, fmt.Sprintf("%d bars drawn as %d: a band merges its workers' bars that overlap", m.Spans, m.Rects))
	}
	if m.Hidden > 0 {
		parts = append(parts, fmt.Sprintf("%d bars not drawn (at most %d)", m.Hidden, m.barCap))
	}
	if m.Lost > 0 {
		parts = append(parts, fmt.Sprintf("%d lanes not drawn (at most %d)", m.Lost, tlMaxLanes))
	}
	return strings.Join(parts, "; ")
}

func (t *timeline) renderBands(bands []tlBand) app.UI {
	return app.Div().Class("timeline-bands").Body(
		app.Elem("span").Class("timeline-bands-label").Text("Groups:"),
		app.Range(bands).Slice(func(i int) app.UI {
			b := bands[i]
			text := fmt.Sprintf("▸ show %s ×%d", b.Name, b.Count)
			if b.Expanded {
				text = fmt.Sprintf("▾ hide %s's lanes", b.Name)
				if b.Count > maxMembers {
					text = fmt.Sprintf("▾ hide %s's lanes (%d of %d shown)", b.Name, min(maxMembers, b.Count), b.Count)
				}
			}
			return app.Elem("button").Attr("type", "button").Class("timeline-band").DataSet("band", b.Name).
				Aria("expanded", b.Expanded).Text(text).OnClick(t.onToggle)
		}),
	)
}
