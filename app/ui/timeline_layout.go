package ui

import (
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/stampede-playground/stampede/app/trace"
)

// The timeline's layout: where app/trace's intervals and links are drawn.
// layoutTrace is a pure function of the run's trace and the component's
// state; timeline_svg.go draws what it returns.

// Bounds that keep a timeline of 10,000 events cheap to render.
const (
	maxBars         = 1200 // rects drawn in all; the rest are counted, not drawn
	maxBarsLive     = 300  // the same while a run goes on and the timeline redraws
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

// tlBar is a drawn rect: one interval, or several merged in a band.
type tlBar struct {
	Kind       trace.Kind
	Start, End time.Duration
	X, W       float64
	N          int             // intervals merged into it
	First      *trace.Interval // the first of them, for the details
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
	Wall   time.Duration // the time drawn
	Height float64
	Rects  int // bars drawn
	Spans  int // intervals drawn, before merging
	Merged int // intervals drawn merged into another's bar in a band
	Hidden int // intervals not drawn: over maxBars
	Lost   int // lanes not drawn: over tlMaxLanes
	Cursor float64
	HasCur bool
	barCap int // at most this many bars drawn
}

// niceCeil is the least of 1, 2, 5 × 10ⁿ milliseconds at or above d.
func niceCeil(d time.Duration) time.Duration {
	for step := time.Millisecond; ; step *= 10 {
		for _, k := range []time.Duration{1, 2, 5} {
			if k*step >= d {
				return k * step
			}
		}
	}
}

// x maps a time to user units.
func (m *tlModel) x(t time.Duration) float64 {
	if m.Wall <= 0 {
		return timelinePlotX0
	}
	return timelinePlotX0 + float64(t-m.Min)/float64(m.Wall)*(timelinePlotX1-timelinePlotX0)
}

// tlGroup is a scenario line as the timeline meets it in the trace.
type tlGroup struct {
	key     string // tab + "\x00" + group
	name    string
	tab     string
	band    bool // replicas (name#N)
	count   int
	members []*trace.Lane // its workers, in order of first appearance
	first   int
}

// tlPlace is where an interval is drawn: the member's own lane if shown,
// else its band's.
type tlPlace struct{ lane, bar int }

// layoutTrace lays a run's trace out. groups gives the scenario's lines
// (their order and replica counts; may be nil), expanded the bands shown
// with their members, wall the run's wall time when known (the axis
// covers at least that), cursor the time of the replay cursor (< 0 for
// none). live is for a run that goes on: its axis grows in steps of 1, 2,
// 5 × 10ⁿ ms, so that a redraw moves no bar that was drawn, and fewer
// bars are drawn (maxBarsLive): each redraw then changes little of the
// page.
func layoutTrace(tr *trace.Trace, groups []workerGroup, expanded []string, wall, cursor time.Duration, live bool) tlModel {
	m := tlModel{barCap: maxBars}
	m.Min = min(tr.Min, 0)
	m.Wall = max(tr.Max-m.Min, wall-m.Min, time.Millisecond)
	if live {
		m.Wall, m.barCap = niceCeil(m.Wall), maxBarsLive
	}
	m.Ticks = ticks(m.Min, m.Wall, m.x)
	if cursor >= 0 && len(tr.Lanes) > 0 {
		m.Cursor, m.HasCur = m.x(cursor), true
	}
	isExpanded := map[string]bool{}
	for _, e := range expanded {
		isExpanded[e] = true
	}
	drawn := map[*trace.Interval]tlPlace{}
	y := float64(timelineAxisH)
	addLane := func(l tlLane, ivs []*trace.Interval, merge bool) {
		if len(m.Lanes) >= tlMaxLanes {
			m.Lost++
			return
		}
		l.Y = y
		y += l.H
		m.addBars(&l, len(m.Lanes), ivs, merge, drawn)
		m.Lanes = append(m.Lanes, l)
	}
	laneKey := func(g *tlGroup, lane *trace.Lane) string {
		if g.tab != "" {
			return g.tab + ":" + lane.Worker
		}
		return lane.Worker
	}
	for _, g := range tlGroups(tr, groups) {
		label := g.name
		if g.tab != "" {
			label = g.tab + ":" + g.name
		}
		if !g.band {
			for _, lane := range g.members {
				key := laneKey(g, lane)
				addLane(tlLane{Key: key, Label: key, Tab: g.tab, H: timelineLaneH}, lane.Intervals, false)
			}
			continue
		}
		count := max(g.count, len(g.members))
		exp := isExpanded[label]
		m.Bands = append(m.Bands, tlBand{Name: label, Tab: g.tab, Count: count, Expanded: exp})
		var all []*trace.Interval
		for _, lane := range g.members {
			all = append(all, lane.Intervals...)
		}
		band := tlLane{Key: label, Label: label, Tab: g.tab, Count: count, H: timelineBandH}
		if !exp {
			addLane(band, all, true)
			continue
		}
		shown := pickMembers(g.members, maxMembers)
		band.Members = len(shown)
		addLane(band, all, true)
		for _, lane := range shown {
			key := laneKey(g, lane)
			addLane(tlLane{Key: key, Label: key, Tab: g.tab, Member: true, H: timelineLaneH}, lane.Intervals, false)
		}
	}
	m.Height = y + 6
	m.addLinks(tr.Links, drawn)
	return m
}

// tlGroups are the trace's lanes by scenario line: in the scenario's
// order, then in order of appearance; other tabs' groups last.
func tlGroups(tr *trace.Trace, groups []workerGroup) []*tlGroup {
	order := map[string]int{}
	declared := map[string]int{}
	for i, g := range groups {
		order["\x00"+g.Name] = i
		declared["\x00"+g.Name] = g.Count
	}
	byKey := map[string]*tlGroup{}
	var gs []*tlGroup
	for i, lane := range tr.Lanes {
		name := lane.Group()
		gk := lane.Tab + "\x00" + name
		g := byKey[gk]
		if g == nil {
			g = &tlGroup{key: gk, name: name, tab: lane.Tab, first: i, count: declared[gk]}
			byKey[gk] = g
			gs = append(gs, g)
		}
		if lane.Worker != name {
			g.band = true
		}
		g.members = append(g.members, lane)
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
	return gs
}

// addBars draws ivs in lane l, the li-th lane, merging them in a band,
// and notes in drawn where each interval went. Waits and holds too short
// to see are left out; other short bars are widened to timelineMinW.
func (m *tlModel) addBars(l *tlLane, li int, ivs []*trace.Interval, merge bool, drawn map[*trace.Interval]tlPlace) {
	place := func(iv *trace.Interval) (float64, float64, bool) {
		x0, x1 := m.x(iv.Start), m.x(iv.End)
		switch {
		case iv.Kind.Instant():
			x0, x1 = x0-timelineMarkerW/2, x0+timelineMarkerW/2
		case x1-x0 >= timelineMinW:
		case iv.Kind == trace.Wait || iv.Kind == trace.Held:
			return 0, 0, false // a lock taken at once
		default:
			x1 = x0 + timelineMinW
		}
		return x0, x1, true
	}
	var bars []trace.Bar
	if merge {
		bars = trace.Merge(ivs, place, timelineMinW)
	} else {
		bars = trace.Bars(ivs, place)
	}
	for _, b := range bars {
		n := len(b.Intervals)
		if m.Rects >= m.barCap {
			m.Hidden += n
			continue
		}
		m.Rects++
		m.Spans += n
		m.Merged += n - 1
		l.Bars = append(l.Bars, tlBar{Kind: b.Kind, Start: b.Start, End: b.End, X: b.Lo, W: b.Hi - b.Lo, N: n, First: b.Intervals[0], Open: b.Open})
		for _, iv := range b.Intervals {
			drawn[iv] = tlPlace{li, len(l.Bars) - 1}
		}
	}
}

// addLinks draws a link from the serving fetch (or once job) to each hit
// or shared result another worker served, one per pair of drawn bars.
func (m *tlModel) addLinks(links []trace.Link, drawn map[*trace.Interval]tlPlace) {
	seen := map[[2]tlPlace]bool{}
	for _, ln := range links {
		src, s := ln.From, ln.To
		if src == nil || s.By() == s.Worker {
			continue
		}
		a, okA := drawn[src]
		b, okB := drawn[s]
		if !okA || !okB || seen[[2]tlPlace{a, b}] {
			continue
		}
		seen[[2]tlPlace{a, b}] = true
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
		m.Links = append(m.Links, tlLink{From: la.Key, To: lb.Key, By: s.By(), Worker: s.Worker, Path: linkPath(x1, y1, x2, y2)})
	}
}

// pickMembers chooses the member lanes an expanded band shows: those that
// fetched, ran a once job or failed first, then the others by replica
// number, at most n.
func pickMembers(members []*trace.Lane, n int) []*trace.Lane {
	busy := func(l *trace.Lane) bool {
		for _, iv := range l.Intervals {
			if iv.Kind == trace.Fetch || iv.Kind == trace.Once || iv.Kind == trace.Error {
				return true
			}
		}
		return false
	}
	num := func(l *trace.Lane) int {
		i := strings.LastIndexByte(l.Worker, '#')
		v, _ := strconv.Atoi(l.Worker[i+1:])
		return v
	}
	out := append([]*trace.Lane(nil), members...)
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
