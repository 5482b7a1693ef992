package ui

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/stampede-playground/stampede/app/stampede"
)

// The timeline draws a run's events as an SVG swimlane per worker, time
// on the x axis. Everything it shows is derived from the events by
// layoutTimeline, a pure function; the component only adds which bands
// are expanded and which bar's details show.
//
// SVG in go-app v9.8.0: app.Elem creates an element with
// document.createElementNS only when XMLNS is set on that very element
// (go-app#890), so every SVG element is made by svgEl. Its Class does not
// work on SVG elements (it sets className, which SVG elements do not let
// a script replace: go-app#919), so the SVG is styled through data-kind
// and data-tab attributes instead of classes.

func svgEl(tag string) app.HTMLElem { return app.Elem(tag).XMLNS(svgNS) }

// Bar kinds, as data-kind on the SVG's rects.
const (
	barWait    = "wait"    // lock-wait to lock-acquired (or to shared)
	barHeld    = "held"    // lock-acquired to lock-released
	barLatency = "latency" // the added latency before a fetch-start
	barFetch   = "fetch"   // fetch-start to fetch-done
	barHit     = "hit"     // a cache hit
	barShared  = "shared"  // answered by another caller's fetch or once job
	barWork    = "work"    // work-start to work-done
	barOnce    = "once"    // a once job run by this worker
	barError   = "error"   // a failed request
)

// barKinds in drawing order: later kinds are drawn over earlier ones.
var barKinds = []string{barHeld, barWait, barLatency, barFetch, barWork, barOnce, barHit, barShared, barError}

// barLabels are the legend's words.
var barLabels = map[string]string{
	barWait: "lock wait", barHeld: "lock held", barLatency: "added latency", barFetch: "network fetch",
	barHit: "cache hit", barShared: "shared result", barWork: "work", barOnce: "once job", barError: "error",
}

// Bounds that keep a timeline of 10,000 events cheap to render.
const (
	maxBars         = 1200 // rects drawn in all; the rest are counted, not drawn
	maxLinks        = 200  // served-by links drawn
	tlMaxLanes      = 80   // rows: bands, lanes and expanded members
	maxExpanded     = 2    // bands expanded at once; expanding another closes the oldest
	maxMembers      = 20   // member lanes shown per expanded band
	maxLabelRunes   = 16   // lane labels are cut to this, the full name in a <title>
	timelineTicks   = 6    // at most this many tick labels
	timelineViewW   = 760  // the SVG's user units across; it scales to the panel
	timelinePlotX0  = 140  // where time 0 is drawn
	timelinePlotX1  = 750  // where the wall time is drawn
	timelineAxisH   = 24   // the tick labels' row
	timelineLaneH   = 28   // one worker's row
	timelineBandH   = 32   // a band's row
	timelineMarkerW = 4    // the width of an instant (hit, shared, error)
	timelineMinW    = 1    // bars shorter than this many units are not drawn (waits) or widened
)

// tlSpan is one bar of one worker, before layout.
type tlSpan struct {
	Kind       string
	Start, End time.Duration
	Worker     string // as in the event, without the tab
	Tab        string
	Target     string
	Detail     string
	By         string // the worker that served a hit or shared result
	Open       bool   // still going at the last event
	Seq        int    // the event that started it (instants: the event itself)
}

// spansOf turns events into each worker's bars, keyed by tab+"\x00"+worker,
// with the keys in order of first appearance. Bars still open at the last
// event end there, marked Open.
func spansOf(events []stampede.Event) (map[string][]*tlSpan, []string, time.Duration, time.Duration) {
	type open struct{ wait, held, fetch, work, once *tlSpan }
	opens := map[string]*open{}
	spans := map[string][]*tlSpan{}
	var keys []string
	var minAt, maxAt time.Duration
	for i, e := range events {
		if i == 0 || e.At < minAt {
			minAt = e.At
		}
		if e.At > maxAt {
			maxAt = e.At
		}
		key := e.Tab + "\x00" + e.Worker
		o := opens[key]
		if o == nil {
			o = &open{}
			opens[key] = o
			keys = append(keys, key)
		}
		start := func(k string) *tlSpan {
			return &tlSpan{Kind: k, Start: e.At, End: e.At, Worker: e.Worker, Tab: e.Tab, Target: e.Target, Detail: e.Detail, By: e.By, Seq: e.Seq}
		}
		end := func(s **tlSpan, detail string) {
			if *s == nil {
				return
			}
			(*s).End = e.At
			if detail != "" {
				(*s).Detail = detail
			}
			spans[key] = append(spans[key], *s)
			*s = nil
		}
		instant := func(k string) {
			spans[key] = append(spans[key], start(k))
		}
		switch e.Kind {
		case stampede.KindLockWait:
			o.wait = start(barWait)
		case stampede.KindLockAcquired:
			end(&o.wait, e.Detail)
			o.held = start(barHeld)
		case stampede.KindLockReleased:
			end(&o.held, "")
		case stampede.KindCacheHit:
			end(&o.wait, e.Detail) // a singleflight joiner answered by its leader's cache read
			instant(barHit)
		case stampede.KindShared:
			end(&o.wait, e.Detail)
			instant(barShared)
		case stampede.KindFetchStart:
			if d := e.AddedLatency; d > 0 {
				l := start(barLatency)
				l.Start = e.At - d
				spans[key] = append(spans[key], l)
			}
			o.fetch = start(barFetch)
		case stampede.KindFetchDone:
			end(&o.fetch, e.Detail)
		case stampede.KindWorkStart:
			o.work = start(barWork)
		case stampede.KindWorkDone:
			end(&o.work, e.Detail)
		case stampede.KindOnceStart:
			o.once = start(barOnce)
		case stampede.KindOnceDone:
			if o.once != nil && (e.By == "" || e.By == e.Worker) {
				end(&o.once, e.Detail)
			} else {
				end(&o.wait, "")
				instant(barShared)
			}
		case stampede.KindError:
			for _, s := range []**tlSpan{&o.wait, &o.fetch, &o.work, &o.once} {
				end(s, "")
			}
			instant(barError)
		}
	}
	for _, key := range keys {
		o := opens[key]
		for _, s := range []*tlSpan{o.held, o.wait, o.fetch, o.work, o.once} {
			if s != nil {
				s.End, s.Open = maxAt, true
				spans[key] = append(spans[key], s)
			}
		}
	}
	return spans, keys, minAt, maxAt
}

// tlBar is a drawn rect: one tlSpan, or several merged in a band.
type tlBar struct {
	Kind       string
	Start, End time.Duration
	X, W       float64
	N          int     // spans merged into it
	First      *tlSpan // the first of them, for the details
	Open       bool
}

// tlLane is a drawn row.
type tlLane struct {
	Key     string // data-worker: the worker, or the group for a band
	Label   string
	Tab     string // another tab's id, or ""
	Count   int    // workers in a band; 0 for a worker's own lane
	Member  bool   // a band member's lane, shown because the band is expanded
	Y, H    float64
	Bars    []tlBar
	Members int // members shown under an expanded band
}

// tlLink is a served-by link from a fetch (or once job) to the hit or
// shared result it answered.
type tlLink struct {
	From, To   string // lane keys
	By, Worker string // the serving and the served worker
	Path       string
}

// tlBand is a group of replicas that can be expanded.
type tlBand struct {
	Name     string
	Tab      string
	Count    int
	Expanded bool
}

// tlTick is a tick label on the time axis.
type tlTick struct {
	X     float64
	Label string
}

// tlModel is everything the timeline draws.
type tlModel struct {
	Lanes  []tlLane
	Links  []tlLink
	Bands  []tlBand
	Ticks  []tlTick
	Min    time.Duration // the time at the left edge
	Wall   time.Duration // the time tlSpan drawn
	Height float64
	Rects  int // bars drawn
	Spans  int // bars before merging
	Merged int // bars drawn merged into another in a band
	Hidden int // bars not drawn: over maxBars
	Lost   int // lanes not drawn: over tlMaxLanes
	Cursor float64
	HasCur bool
}

// x maps a time to user units.
func (m *tlModel) x(t time.Duration) float64 {
	if m.Wall <= 0 {
		return timelinePlotX0
	}
	return timelinePlotX0 + float64(t-m.Min)/float64(m.Wall)*(timelinePlotX1-timelinePlotX0)
}

// tlGroup is a scenario line as the timeline meets it in the events.
type tlGroup struct {
	key     string // tab + "\x00" + group
	name    string
	tab     string
	band    bool // replicas (name#N)
	count   int
	members []string // keys of its workers, in order of first appearance
	first   int
}

// layoutTimeline lays the events out. groups gives the scenario's lines
// (their order and replica counts; may be nil), expanded the bands shown
// with their members, wall the run's wall time when known (the axis
// covers at least that), cursor the time of the replay cursor (< 0 for
// none).
func layoutTimeline(events []stampede.Event, groups []workerGroup, expanded []string, wall, cursor time.Duration) tlModel {
	var m tlModel
	spans, keys, minAt, maxAt := spansOf(events)
	if minAt > 0 {
		minAt = 0
	}
	m.Min = minAt
	m.Wall = maxAt - minAt
	if wall-minAt > m.Wall {
		m.Wall = wall - minAt
	}
	if m.Wall < time.Millisecond {
		m.Wall = time.Millisecond
	}
	m.Ticks = ticks(m.Min, m.Wall, m.x)
	if cursor >= 0 && len(events) > 0 {
		m.Cursor, m.HasCur = m.x(cursor), true
	}

	// Groups, in the scenario's order, then in order of appearance; other
	// tabs' groups last.
	order := map[string]int{}
	declared := map[string]int{}
	for i, g := range groups {
		order["\x00"+g.Name] = i
		declared["\x00"+g.Name] = g.Count
	}
	byKey := map[string]*tlGroup{}
	var gs []*tlGroup
	for i, k := range keys {
		tab, worker, _ := strings.Cut(k, "\x00")
		name := stampede.GroupOf(worker)
		gk := tab + "\x00" + name
		g := byKey[gk]
		if g == nil {
			g = &tlGroup{key: gk, name: name, tab: tab, first: i, count: declared[gk]}
			byKey[gk] = g
			gs = append(gs, g)
		}
		if worker != name {
			g.band = true
		}
		g.members = append(g.members, k)
	}
	sort.SliceStable(gs, func(i, j int) bool {
		a, b := gs[i], gs[j]
		if (a.tab == "") != (b.tab == "") {
			return a.tab == ""
		}
		oa, ia := order[a.key]
		ob, ib := order[b.key]
		switch {
		case ia && ib:
			return oa < ob
		case ia != ib:
			return ia
		}
		return a.first < b.first
	})

	isExpanded := map[string]bool{}
	for _, e := range expanded {
		isExpanded[e] = true
	}
	// where a tlSpan is drawn: the member's own lane if shown, else its band
	type place struct{ lane, bar int }
	drawn := map[*tlSpan]place{}
	y := float64(timelineAxisH)
	addLane := func(l tlLane, sp []*tlSpan, merge bool) {
		if len(m.Lanes) >= tlMaxLanes {
			m.Lost++
			return
		}
		l.Y = y
		y += l.H
		li := len(m.Lanes)
		for _, kind := range barKinds {
			var of []*tlSpan
			for _, s := range sp {
				if s.Kind == kind {
					of = append(of, s)
				}
			}
			for _, b := range m.bars(kind, of, merge) {
				if m.Rects >= maxBars {
					m.Hidden += b.N
					continue
				}
				m.Rects++
				m.Spans += b.N
				m.Merged += b.N - 1
				l.Bars = append(l.Bars, b.tlBar)
				for _, s := range b.spans {
					drawn[s] = place{li, len(l.Bars) - 1}
				}
			}
		}
		m.Lanes = append(m.Lanes, l)
	}
	for _, g := range gs {
		label := g.name
		if g.tab != "" {
			label = g.tab + ":" + g.name
		}
		if !g.band {
			for _, k := range g.members {
				_, worker, _ := strings.Cut(k, "\x00")
				key := worker
				if g.tab != "" {
					key = g.tab + ":" + worker
				}
				addLane(tlLane{Key: key, Label: key, Tab: g.tab, H: timelineLaneH}, spans[k], false)
			}
			continue
		}
		count := max(g.count, len(g.members))
		exp := isExpanded[label]
		m.Bands = append(m.Bands, tlBand{Name: label, Tab: g.tab, Count: count, Expanded: exp})
		var all []*tlSpan
		for _, k := range g.members {
			all = append(all, spans[k]...)
		}
		band := tlLane{Key: label, Label: label, Tab: g.tab, Count: count, H: timelineBandH}
		if !exp {
			addLane(band, all, true)
			continue
		}
		shown := pickMembers(g.members, spans, maxMembers)
		band.Members = len(shown)
		addLane(band, all, true)
		for _, k := range shown {
			_, worker, _ := strings.Cut(k, "\x00")
			key := worker
			if g.tab != "" {
				key = g.tab + ":" + worker
			}
			addLane(tlLane{Key: key, Label: key, Tab: g.tab, Member: true, H: timelineLaneH}, spans[k], false)
		}
	}
	m.Height = y + 6

	// Links from the serving fetch (or once job) to each hit or shared
	// result, one per pair of drawn bars.
	type pair struct{ a, b place }
	seen := map[pair]bool{}
	for _, k := range keys {
		for _, s := range spans[k] {
			if (s.Kind != barHit && s.Kind != barShared) || s.By == "" || s.By == s.Worker {
				continue
			}
			src := servingSpan(spans[s.Tab+"\x00"+s.By], s)
			if src == nil {
				continue
			}
			a, okA := drawn[src]
			b, okB := drawn[s]
			if !okA || !okB || seen[pair{a, b}] {
				continue
			}
			seen[pair{a, b}] = true
			if len(m.Links) >= maxLinks {
				continue
			}
			la, lb := m.Lanes[a.lane], m.Lanes[b.lane]
			bb := lb.Bars[b.bar]
			x1, y1 := m.x(src.End), la.Y+la.H/2
			x2, y2 := bb.X+bb.W/2, lb.Y+lb.H/2
			if bb.N == 1 {
				x2 = m.x(s.Start)
			}
			m.Links = append(m.Links, tlLink{From: la.Key, To: lb.Key, By: s.By, Worker: s.Worker, Path: linkPath(x1, y1, x2, y2)})
		}
	}
	return m
}

// servingSpan finds, among the serving worker's bars, the fetch (or once
// job) that answered s: the last one of its target that started before s.
func servingSpan(of []*tlSpan, s *tlSpan) *tlSpan {
	var best *tlSpan
	for _, c := range of {
		if (c.Kind == barFetch || c.Kind == barOnce) && c.Target == s.Target && c.Start <= s.Start {
			best = c
		}
	}
	return best
}

// linkPath is a curve from the serving bar's end to the served marker.
func linkPath(x1, y1, x2, y2 float64) string {
	if math.Abs(y1-y2) < 1 { // the same lane: a small arch above it
		return fmt.Sprintf("M%s %s C%s %s %s %s %s %s", f1(x1), f1(y1-4), f1(x1), f1(y1-14), f1(x2), f1(y2-14), f1(x2), f1(y2-4))
	}
	// A bow to the right, so a link between bars that end and start at
	// the same time still shows.
	return fmt.Sprintf("M%s %s C%s %s %s %s %s %s", f1(x1), f1(y1), f1(x1+18), f1(y1), f1(x2+18), f1(y2), f1(x2), f1(y2))
}

func f1(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

// pickMembers chooses the member lanes an expanded band shows: those that
// fetched, ran a once job or failed first, then the others by replica
// number, at most n.
func pickMembers(members []string, spans map[string][]*tlSpan, n int) []string {
	busy := func(k string) bool {
		for _, s := range spans[k] {
			if s.Kind == barFetch || s.Kind == barOnce || s.Kind == barError {
				return true
			}
		}
		return false
	}
	num := func(k string) int {
		i := strings.LastIndexByte(k, '#')
		v, _ := strconv.Atoi(k[i+1:])
		return v
	}
	out := append([]string(nil), members...)
	sort.SliceStable(out, func(i, j int) bool {
		bi, bj := busy(out[i]), busy(out[j])
		if bi != bj {
			return bi
		}
		return num(out[i]) < num(out[j])
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
}

// mergedBar is a bar and the spans it draws.
type mergedBar struct {
	tlBar
	spans []*tlSpan
}

// bars turns one kind's spans of a lane into rects. In a band (merge)
// spans that overlap or lie within about a unit of each other become one
// rect, so a band draws at most about one rect per unit of width and
// kind. Waits too short to see are left out.
func (m *tlModel) bars(kind string, of []*tlSpan, merge bool) []mergedBar {
	instant := kind == barHit || kind == barShared || kind == barError
	var out []mergedBar
	sort.SliceStable(of, func(i, j int) bool { return of[i].Start < of[j].Start })
	for _, s := range of {
		x0, x1 := m.x(s.Start), m.x(s.End)
		if instant {
			x0, x1 = x0-timelineMarkerW/2, x0+timelineMarkerW/2
		} else if x1-x0 < timelineMinW {
			if kind == barWait || kind == barHeld {
				continue // a lock taken at once
			}
			x1 = x0 + timelineMinW
		}
		if merge && len(out) > 0 {
			last := &out[len(out)-1]
			if x0 <= last.X+last.W+timelineMinW {
				if x1 > last.X+last.W {
					last.W = x1 - last.X
				}
				if s.End > last.End {
					last.End = s.End
				}
				last.N++
				last.Open = last.Open || s.Open
				last.spans = append(last.spans, s)
				continue
			}
		}
		out = append(out, mergedBar{
			tlBar: tlBar{Kind: kind, Start: s.Start, End: s.End, X: x0, W: x1 - x0, N: 1, First: s, Open: s.Open},
			spans: []*tlSpan{s},
		})
	}
	return out
}

// ticks are about timelineTicks round times from min to min+wall.
func ticks(min, wall time.Duration, x func(time.Duration) float64) []tlTick {
	ms := float64(wall) / float64(time.Millisecond)
	step := 1.0
	for p := 0.001; ; p *= 10 {
		found := false
		for _, f := range []float64{1, 2, 5} {
			if ms/(p*f) <= timelineTicks-1 {
				step, found = p*f, true
				break
			}
		}
		if found {
			break
		}
	}
	var out []tlTick
	start := math.Ceil(float64(min)/float64(time.Millisecond)/step) * step
	for v := start; v <= float64(min+wall)/float64(time.Millisecond)+1e-9; v += step {
		out = append(out, tlTick{X: x(time.Duration(v * float64(time.Millisecond))), Label: fmtMs(v) + " ms"})
	}
	return out
}

func fmtMs(v float64) string {
	if math.Abs(v-math.Round(v)) < 1e-9 {
		return strconv.FormatFloat(math.Round(v), 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 1, 64)
}

// describeBar is a bar's short description, for its aria-label, and its
// details, for its <title> and the details line. The short one holds no
// URL or detail text: go-app's prerender writes attribute values
// unescaped, so text a user or a server supplied goes into text nodes
// only. (Worker names are letters, digits, '_', '-' and '.'.)
func describeBar(lane tlLane, b tlBar) (short, full string) {
	s := b.First
	when := ms(b.Start) + "–" + ms(b.End) + " ms"
	if (b.Kind == barHit || b.Kind == barShared || b.Kind == barError) && b.N == 1 {
		when = "at " + ms(b.Start) + " ms"
	}
	if b.N > 1 {
		short = fmt.Sprintf("%s: %d × %s, %s", lane.Label, b.N, barLabels[b.Kind], when)
	} else {
		short = fmt.Sprintf("%s: %s, %s", lane.Label, barLabels[b.Kind], when)
	}
	var sb strings.Builder
	sb.WriteString(short)
	if s != nil {
		if b.N > 1 {
			sb.WriteString("; first " + s.Worker)
		}
		if s.Target != "" {
			sb.WriteString(" · " + s.Target)
		}
		if s.By != "" && s.By != s.Worker {
			sb.WriteString(" · served by " + s.By)
		}
		if s.Detail != "" && b.N == 1 {
			sb.WriteString(" · " + s.Detail)
		}
	}
	if b.Open {
		sb.WriteString(" · still going")
	}
	if lane.Tab != "" {
		sb.WriteString(" · from another tab (" + lane.Tab + ")")
	}
	return short, sb.String()
}

func cut(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// timeline is the component: <section id="timeline">.
type timeline struct {
	app.Compo

	Ievents []stampede.Event
	Igroups []workerGroup
	Iwall   time.Duration
	Icursor time.Duration // the replay cursor's time; < 0 for none
	Imarks  []tlMark      // the bars and links a lesson points at

	expanded []string // band names, oldest first, at most maxExpanded
	detail   string   // the focused or hovered bar's details
}

func newTimeline() *timeline { return &timeline{Icursor: -1} }

// Events sets the run's events, oldest first.
func (t *timeline) Events(v []stampede.Event) *timeline { t.Ievents = v; return t }

// Groups sets the scenario's lines, for the lanes' order and the bands' counts.
func (t *timeline) Groups(v []workerGroup) *timeline { t.Igroups = v; return t }

// Wall sets the run's wall time, when known.
func (t *timeline) Wall(v time.Duration) *timeline { t.Iwall = v; return t }

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
	sec := app.Section().ID("timeline").Class("timeline").Aria("label", "timeline")
	if len(t.Ievents) == 0 {
		return sec.Body(
			app.P().Class("status").Text("The timeline draws each worker's lock waits, fetches and work once a run starts."),
		)
	}
	m := layoutTimeline(t.Ievents, t.Igroups, t.expanded, t.Iwall, t.Icursor)
	return sec.Body(
		app.If(len(m.Bands) > 0, t.renderBands(m.Bands)),
		app.Div().Class("timeline-scroll").Body(t.renderSVG(&m)),
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
		parts = append(parts, fmt.Sprintf("%d bars not drawn (at most %d)", m.Hidden, maxBars))
	}
	if m.Lost > 0 {
		parts = append(parts, fmt.Sprintf("%d lanes not drawn (at most %d)", m.Lost, tlMaxLanes))
	}
	return strings.Join(parts, "; ")
}

func (t *timeline) renderBands(bands []tlBand) app.UI {
	return app.Div().Class("timeline-bands").Body(
		app.Span().Class("timeline-bands-label").Text("Groups:"),
		app.Range(bands).Slice(func(i int) app.UI {
			b := bands[i]
			text := fmt.Sprintf("▸ show %s ×%d", b.Name, b.Count)
			if b.Expanded {
				text = fmt.Sprintf("▾ hide %s's lanes", b.Name)
				if b.Count > maxMembers {
					text = fmt.Sprintf("▾ hide %s's lanes (%d of %d shown)", b.Name, min(maxMembers, b.Count), b.Count)
				}
			}
			return app.Button().Type("button").Class("timeline-band").DataSet("band", b.Name).
				Aria("expanded", b.Expanded).Text(text).OnClick(t.onToggle)
		}),
	)
}

func (t *timeline) renderSVG(m *tlModel) app.UI {
	h := f1(m.Height)
	var kids []app.UI
	// grid and ticks
	for _, tk := range m.Ticks {
		kids = append(kids,
			svgEl("line").Attr("data-kind", "grid").Attr("x1", f1(tk.X)).Attr("x2", f1(tk.X)).
				Attr("y1", timelineAxisH-4).Attr("y2", h),
			svgEl("text").Attr("data-kind", "tick").Attr("x", f1(tk.X)).Attr("y", timelineAxisH-8).
				Attr("text-anchor", "middle").Text(tk.Label),
		)
	}
	for i := range m.Lanes {
		kids = append(kids, renderLane(&m.Lanes[i], i, t.Imarks))
	}
	if len(m.Links) > 0 {
		links := make([]app.UI, len(m.Links))
		for i, l := range m.Links {
			path := svgEl("path").Attr("data-kind", "link").Attr("data-from", l.From).Attr("data-to", l.To).Attr("d", l.Path)
			if marked(t.Imarks, l.To, "link") {
				path = path.Attr("data-highlight", "true")
			}
			links[i] = path.Body(svgEl("title").Text(l.Worker + " served by " + l.By + "'s fetch"))
		}
		kids = append(kids, svgEl("g").Attr("data-kind", "links").Body(links...))
	}
	if m.HasCur {
		kids = append(kids, svgEl("line").ID("timeline-cursor").Attr("data-kind", "cursor").
			Attr("x1", f1(m.Cursor)).Attr("x2", f1(m.Cursor)).Attr("y1", timelineAxisH-4).Attr("y2", h))
	}
	return svgEl("svg").Attr("xmlns", svgNS).Attr("viewBox", fmt.Sprintf("0 0 %d %s", timelineViewW, h)).
		Attr("role", "group").Aria("label", "swimlanes: one per worker or group of workers, time to the right").
		On("focusin", t.onPoint).On("mouseover", t.onPoint).
		Body(kids...)
}

func renderLane(l *tlLane, i int, marks []tlMark) app.UI {
	g := svgEl("g").Attr("data-worker", l.Key).Attr("role", "group").Aria("label", laneTitle(l))
	if l.Count > 0 {
		g = g.Attr("data-count", l.Count)
	}
	if l.Tab != "" {
		g = g.Attr("data-tab", l.Tab)
	}
	if l.Member {
		g = g.Attr("data-member", "true")
	}
	label := cut(l.Label, maxLabelRunes)
	if l.Count > 0 {
		label = cut(l.Label, maxLabelRunes-5) + " ×" + strconv.Itoa(l.Count)
	}
	x := 6.0
	if l.Member {
		x = 16
		label = cut(l.Label, maxLabelRunes-1)
	}
	kids := []app.UI{
		svgEl("rect").Attr("data-kind", map[bool]string{true: "band-bg", false: "lane-bg"}[l.Count > 0]).
			Attr("x", 0).Attr("y", f1(l.Y)).Attr("width", timelineViewW).Attr("height", f1(l.H-1)),
		svgEl("text").Attr("data-kind", "label").Attr("x", f1(x)).Attr("y", f1(l.Y+l.H/2+4)).Body(
			svgEl("title").Text(laneTitle(l)),
			app.Text(label),
		),
	}
	for _, b := range l.Bars {
		y, hh := l.Y+3, l.H-7
		if b.Kind == barHeld { // a strip under the lane's bars
			y, hh = l.Y+l.H-5, 3
		}
		if b.Kind == barHit || b.Kind == barShared || b.Kind == barError {
			y, hh = l.Y+1, l.H-3
		}
		short, desc := describeBar(*l, b)
		r := svgEl("rect").Attr("data-kind", b.Kind).Attr("x", f1(b.X)).Attr("y", f1(y)).
			Attr("width", f1(b.W)).Attr("height", f1(hh)).Attr("tabindex", 0).Attr("role", "img").
			Aria("label", short)
		if b.N > 1 {
			r = r.Attr("data-n", b.N)
		}
		if b.Open {
			r = r.Attr("data-open", "true")
		}
		if marked(marks, l.Key, b.Kind) {
			r = r.Attr("data-highlight", "true")
		}
		kids = append(kids, r.Body(svgEl("title").Text(desc)))
	}
	return g.Body(kids...)
}

func laneTitle(l *tlLane) string {
	switch {
	case l.Count > 0:
		return fmt.Sprintf("%s: %d workers (%s#1…%d), drawn as one band", l.Label, l.Count, l.Label, l.Count)
	case l.Tab != "":
		return l.Label + ", in another tab"
	}
	return l.Label
}

func renderTimelineLegend() app.UI {
	items := []string{barWait, barHeld, barLatency, barFetch, barHit, barShared, barWork, barOnce, barError}
	return app.Ul().Class("timeline-legend").Aria("label", "timeline legend").Body(
		app.Range(items).Slice(func(i int) app.UI {
			return app.Li().Body(
				app.Span().Class("tl-swatch").DataSet("kind", items[i]),
				app.Text(barLabels[items[i]]),
			)
		}),
		app.Li().Body(app.Span().Class("tl-swatch").DataSet("kind", "link"), app.Text("served by (link)")),
		app.Li().Body(app.Span().Class("tl-swatch").DataSet("kind", "remote"), app.Text("another tab (dashed)")),
		app.Li().Body(app.Span().Class("tl-swatch").DataSet("kind", "cursor"), app.Text("replay cursor")),
	)
}
