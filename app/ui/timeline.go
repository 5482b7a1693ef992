package ui

import (
	"fmt"
	"math"
	"sort"
	"strconv"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/stampede-playground/stampede/app/stampede"
)

// The timeline: a swimlane per worker, time on the x axis. A scenario line
// with many replicas (`crowd x50`) is one band with a count until it is
// expanded, so a 1,000-worker run stays a few dozen rows and a few
// thousand shapes.

// Bar kinds, also the data-k values the stylesheet colours.
const (
	barWait    = "wait"    // lock-wait to lock-acquired, or to the shared answer
	barLatency = "latency" // the added latency before a fetch
	barFetch   = "fetch"   // fetch-start to fetch-done
	barHit     = "hit"     // a cache hit: an instant
	barShared  = "shared"  // an in-flight result shared: an instant
	barWork    = "work"    // work-start to work-done
	barOnce    = "once"    // a once job running
	barErr     = "err"     // an error: an instant
)

// barKinds are the legend's entries, in its order.
var barKinds = [][2]string{
	{barFetch, "network fetch"},
	{barLatency, "added latency"},
	{barWait, "waiting for the lock or an in-flight fetch"},
	{barHit, "cache hit"},
	{barShared, "shared in-flight result"},
	{barWork, "work (no cache, no lock)"},
	{barOnce, "once job"},
	{barErr, "error"},
}

// Bounds that keep a big run cheap to draw.
const (
	bandLanes   = 8   // a folded band draws its workers in this many lanes
	maxExpanded = 40  // workers of an expanded band drawn as lanes
	maxRows     = 120 // rows drawn at most
	maxBars     = 4000
	maxLinks    = 300
)

// bar is a stretch, or an instant, of one lane, in ms since the run began.
type bar struct {
	Kind     string
	From, To float64
	Detail   string // what hovering or focusing the bar shows
}

// row is one lane of the drawing: a worker, or a band of a group's
// workers folded into Lanes sub-lanes.
type row struct {
	Worker  string // the worker's name, or the group's for a band
	Label   string
	Count   int    // workers in it: 1, or a band's size
	Group   string // the scenario line, for the expand button
	Remote  string // another tab's id, "" for this tab's own workers
	Lanes   [][]bar
	Summary string // the lane's story, read when it is focused
}

// link joins a deduplicated request to the fetch that served it.
type link struct {
	X1, X2     float64 // ms: the fetch's end, the answer
	Row1, Row2 int
	Detail     string
}

// timelineModel is what the timeline draws, derived from events alone.
type timelineModel struct {
	Rows    []row
	Links   []link
	EndMs   float64 // the x axis runs from 0 to EndMs
	Bands   []row   // groups with more than one worker, for the expand buttons
	Omitted string  // what was left out to stay bounded, "" when nothing
}

// workerTrack is one worker's bars as the events build them.
type workerTrack struct {
	name, group, remote string
	bars                []bar
	mark                float64 // the last request or lock-acquired
	waitAt, fetchAt     float64 // -1 when not waiting, not fetching
	workAt, onceAt      float64
	waits, fetches      int
	hits, shared, errs  int
}

// fetchEnd is where a worker's fetch of a target ended, for links.
type fetchEnd struct {
	worker, target, remote string
	at                     float64
}

// dedupAt is a request answered by another worker's fetch.
type dedupAt struct {
	worker, by, target, remote string
	at                         float64
	kind                       string
}

func ms(e stampede.Event) float64 { return float64(e.At.Microseconds()) / 1000 }

// buildTimeline turns events into rows, one per worker or band, in the
// order of lines (the scenario's worker lines; others follow in the order
// they appear). expanded names the groups drawn as one lane per worker;
// endMs, when larger than the last event, fixes the x axis (a replay
// keeps the whole run's scale).
func buildTimeline(events []stampede.Event, lines []string, expanded map[string]bool, endMs float64) timelineModel {
	tracks := map[string]*workerTrack{}
	var order []*workerTrack
	var ends []fetchEnd
	var dedups []dedupAt
	for _, e := range events {
		if e.Worker == "" {
			continue
		}
		key := e.Tab + "\x00" + e.Worker
		w, ok := tracks[key]
		if !ok {
			w = &workerTrack{name: e.Worker, group: e.Group(), remote: e.Tab, waitAt: -1, fetchAt: -1, workAt: -1, onceAt: -1}
			tracks[key] = w
			order = append(order, w)
		}
		at := ms(e)
		if at > endMs {
			endMs = at
		}
		w.step(e, at, &ends, &dedups)
	}
	m := timelineModel{EndMs: math.Max(endMs, 1)}
	rank := map[string]int{}
	for i, l := range lines {
		rank[l] = i + 1
	}
	sort.SliceStable(order, func(i, j int) bool {
		ri, rj := rank[order[i].group], rank[order[j].group]
		if order[i].remote != order[j].remote {
			return order[i].remote < order[j].remote // this tab's own first
		}
		return ri != 0 && (rj == 0 || ri < rj)
	})
	// Bars closer than a drawing unit merge in a band.
	m.Rows, m.Bands, m.Omitted = rowsOf(order, expanded, m.EndMs/(tlWidth-tlLabelW))
	m.Links = linksOf(m.Rows, ends, dedups)
	return m
}

// step adds one event to the worker's bars.
func (w *workerTrack) step(e stampede.Event, at float64, ends *[]fetchEnd, dedups *[]dedupAt) {
	add := func(k string, from float64, detail string) {
		w.bars = append(w.bars, bar{k, from, at, detail})
	}
	endWait := func(how string) {
		if w.waitAt >= 0 && at-w.waitAt >= 0.5 { // an uncontended lock is no wait
			add(barWait, w.waitAt, fmt.Sprintf("%s waited %.0f ms for %s (%s)", w.name, at-w.waitAt, e.Target, how))
			w.waits++
		}
		w.waitAt = -1
	}
	by := ""
	if e.By != "" && e.By != e.Worker {
		by = " by " + e.By
	}
	switch e.Kind {
	case stampede.KindRequest:
		w.mark = at
	case stampede.KindLockWait:
		w.waitAt = at
	case stampede.KindLockAcquired:
		endWait("the lock")
		w.mark = at
	case stampede.KindCacheHit:
		endWait("the lock, then a cache hit")
		add(barHit, at, fmt.Sprintf("%.1f ms %s: cache hit on %s%s", at, w.name, e.Target, by))
		w.hits++
		if e.By != "" {
			*dedups = append(*dedups, dedupAt{w.name, e.By, e.Target, w.remote, at, barHit})
		}
	case stampede.KindShared:
		endWait("an in-flight fetch")
		add(barShared, at, fmt.Sprintf("%.1f ms %s: shared the in-flight result of %s%s", at, w.name, e.Target, by))
		w.shared++
		if e.By != "" {
			*dedups = append(*dedups, dedupAt{w.name, e.By, e.Target, w.remote, at, barShared})
		}
	case stampede.KindFetchStart:
		if at > w.mark+0.5 {
			add(barLatency, w.mark, fmt.Sprintf("%s: %.0f ms of added latency before fetching %s", w.name, at-w.mark, e.Target))
		}
		w.fetchAt = at
	case stampede.KindFetchDone:
		if w.fetchAt >= 0 {
			add(barFetch, w.fetchAt, fmt.Sprintf("%s fetched %s from the network in %.0f ms: %s", w.name, e.Target, at-w.fetchAt, e.Detail))
			w.fetchAt = -1
			w.fetches++
			*ends = append(*ends, fetchEnd{w.name, e.Target, w.remote, at})
		}
	case stampede.KindError:
		endWait("what failed")
		if w.fetchAt >= 0 {
			add(barFetch, w.fetchAt, fmt.Sprintf("%s's fetch of %s failed after %.0f ms", w.name, e.Target, at-w.fetchAt))
			w.fetchAt = -1
		}
		add(barErr, at, fmt.Sprintf("%.1f ms %s: error on %s: %s", at, w.name, e.Target, e.Detail))
		w.errs++
	case stampede.KindWorkStart:
		w.workAt = at
	case stampede.KindWorkDone:
		if w.workAt >= 0 {
			add(barWork, w.workAt, fmt.Sprintf("%s worked %.0f ms, needing no cache and no lock", w.name, at-w.workAt))
			w.workAt = -1
		}
	case stampede.KindOnceStart:
		w.onceAt = at
	case stampede.KindOnceDone:
		switch {
		case w.onceAt >= 0:
			add(barOnce, w.onceAt, fmt.Sprintf("%s ran once job %s for %.0f ms", w.name, e.Target, at-w.onceAt))
			w.onceAt = -1
		case e.By != "":
			endWait("a once job")
			add(barShared, at, fmt.Sprintf("%.1f ms %s: once job %s already run%s", at, w.name, e.Target, by))
			w.shared++
		}
	}
}

// summary is a worker's lane read aloud.
func (w *workerTrack) summary() string {
	return fmt.Sprintf("%s: %s, %s, %s, %s",
		w.name, fetchCount(w.fetches), plural(w.hits+w.shared, "deduplicated answer"),
		plural(w.waits, "wait"), plural(w.errs, "error"))
}

// rowsOf orders the workers by scenario line and folds the lines with
// many replicas into bands unless they are expanded.
func rowsOf(order []*workerTrack, expanded map[string]bool, near float64) (rows, bands []row, omitted string) {
	type group struct {
		key, name, remote string
		members           []*workerTrack
	}
	var groups []*group
	byKey := map[string]*group{}
	for _, w := range order {
		k := w.remote + "\x00" + w.group
		g, ok := byKey[k]
		if !ok {
			g = &group{key: k, name: w.group, remote: w.remote}
			byKey[k] = g
			groups = append(groups, g)
		}
		g.members = append(g.members, w)
	}
	label := func(name, remote string) string {
		if remote != "" {
			return "tab " + remote + ": " + name
		}
		return name
	}
	left := 0
	bars := 0
	for _, g := range groups {
		single := len(g.members) == 1 && g.members[0].name == g.name
		if !single {
			b := row{Worker: g.name, Label: fmt.Sprintf("%s ×%d", label(g.name, g.remote), len(g.members)),
				Count: len(g.members), Group: g.name, Remote: g.remote}
			bands = append(bands, b)
		}
		if single || (expanded[g.name] && g.remote == "") {
			members := g.members
			if len(members) > maxExpanded {
				left += len(members) - maxExpanded
				members = members[:maxExpanded]
			}
			for _, w := range members {
				if len(rows) == maxRows || bars+len(w.bars) > maxBars {
					left++
					continue
				}
				bars += len(w.bars)
				rows = append(rows, row{Worker: w.name, Label: label(w.name, w.remote), Count: 1, Group: g.name,
					Remote: w.remote, Lanes: [][]bar{w.bars}, Summary: w.summary()})
			}
			continue
		}
		if len(rows) == maxRows {
			left += len(g.members)
			continue
		}
		r := foldBand(g.name, label(g.name, g.remote), g.remote, g.members, near)
		for _, l := range r.Lanes {
			bars += len(l)
		}
		rows = append(rows, r)
	}
	if left > 0 {
		omitted = fmt.Sprintf("%s not drawn, to keep the timeline readable", plural(left, "worker"))
	}
	return rows, bands, omitted
}

// foldBand draws a group's workers in bandLanes lanes, worker i in lane
// i % bandLanes, merging the bars of a kind that overlap.
func foldBand(name, label, remote string, members []*workerTrack, near float64) row {
	n := min(bandLanes, len(members))
	lanes := make([][]bar, n)
	var fetches, dedup, waits, errs int
	for i, w := range members {
		lanes[i%n] = append(lanes[i%n], w.bars...)
		fetches += w.fetches
		dedup += w.hits + w.shared
		waits += w.waits
		errs += w.errs
	}
	for i := range lanes {
		lanes[i] = mergeBars(lanes[i], near)
	}
	return row{
		Worker: name, Label: fmt.Sprintf("%s ×%d", label, len(members)), Count: len(members), Group: name,
		Remote: remote, Lanes: lanes,
		Summary: fmt.Sprintf("%s, %d workers: %s, %s, %s, %s", label, len(members),
			fetchCount(fetches), plural(dedup, "deduplicated answer"), plural(waits, "wait"), plural(errs, "error")),
	}
}

// mergeBars merges bars of one kind that overlap or are nearer than near
// (ms); a merged bar says how many it stands for.
func mergeBars(bars []bar, near float64) []bar {
	sort.SliceStable(bars, func(i, j int) bool {
		if bars[i].Kind != bars[j].Kind {
			return bars[i].Kind < bars[j].Kind
		}
		return bars[i].From < bars[j].From
	})
	var out []bar
	count := 0
	for _, b := range bars {
		if n := len(out); n > 0 && out[n-1].Kind == b.Kind && b.From <= out[n-1].To+near {
			out[n-1].To = math.Max(out[n-1].To, b.To)
			count++
			out[n-1].Detail = fmt.Sprintf("%d × %s, %.0f to %.0f ms", count, kindLabel(b.Kind), out[n-1].From, out[n-1].To)
			continue
		}
		count = 1
		out = append(out, b)
	}
	return out
}

func fetchCount(n int) string {
	if n == 1 {
		return "1 network fetch"
	}
	return fmt.Sprintf("%d network fetches", n)
}

func kindLabel(k string) string {
	for _, kv := range barKinds {
		if kv[0] == k {
			return kv[1]
		}
	}
	return k
}

// linksOf joins each deduplicated answer to the end of the fetch that
// served it: the server's latest fetch of that target that ended before
// the answer. Both ends must be on drawn rows.
func linksOf(rows []row, ends []fetchEnd, dedups []dedupAt) []link {
	rowOf := map[string]int{}
	for i, r := range rows {
		rowOf[r.Remote+"\x00"+r.Worker] = i
	}
	find := func(remote, worker string) (int, bool) {
		if i, ok := rowOf[remote+"\x00"+worker]; ok {
			return i, true
		}
		i, ok := rowOf[remote+"\x00"+stampede.GroupOf(worker)] // folded in a band
		return i, ok
	}
	var links []link
	seen := map[string]bool{}
	for _, d := range dedups {
		if len(links) == maxLinks {
			break
		}
		best := -1.0
		for _, f := range ends {
			if f.worker == d.by && f.target == d.target && f.remote == d.remote && f.at <= d.at+0.5 && f.at > best {
				best = f.at
			}
		}
		if best < 0 {
			continue // served by a fetch of an earlier run or another tab
		}
		r1, ok1 := find(d.remote, d.by)
		r2, ok2 := find(d.remote, d.worker)
		if !ok1 || !ok2 || r1 == r2 {
			continue
		}
		k := fmt.Sprintf("%d %d %.0f %.0f", r1, r2, best, d.at)
		if seen[k] {
			continue // the same line drawn again, from a band
		}
		seen[k] = true
		links = append(links, link{best, d.at, r1, r2,
			fmt.Sprintf("%s was answered by %s's fetch of %s", d.worker, d.by, d.target)})
	}
	return links
}

// Drawing.

// The drawing's box, in SVG units; CSS scales it to the section's width.
// It is about the column's width in pixels on a 1280-pixel screen, so
// text and bars are drawn near their natural size.
const (
	tlWidth  = 720.0
	tlLabelW = 118.0 // the lane names
	tlAxisH  = 20.0
	tlRowH   = 26.0
	tlBandH  = 48.0
	tlPad    = 4.0
)

func (m timelineModel) rowHeight(r row) float64 {
	if r.Count > 1 && len(r.Lanes) > 1 {
		return tlBandH
	}
	return tlRowH
}

func (m timelineModel) x(t float64) float64 {
	return tlLabelW + t/m.EndMs*(tlWidth-tlLabelW-tlPad)
}

// ticks are round times for the axis, about five.
func ticks(end float64) []float64 {
	step := math.Pow(10, math.Floor(math.Log10(end/5)))
	for _, f := range []float64{1, 2, 5, 10} {
		if end/(step*f) <= 6 {
			step *= f
			break
		}
	}
	var out []float64
	for t := 0.0; t <= end+1e-9; t += step {
		out = append(out, t)
	}
	return out
}

func svgEl(tag string) app.HTMLElem { return app.Elem(tag).XMLNS(svgNS) }

// renderTimeline draws the model. cursor >= 0 draws the replay's cursor
// at that time. onDetail receives hover and focus (one handler on the
// SVG reads the data-detail of what the pointer or focus is on).
func renderTimeline(m timelineModel, cursor float64, detail string, onDetail app.EventHandler, onExpand app.EventHandler, expanded map[string]bool) app.UI {
	var shapes []app.UI
	y := tlAxisH
	rowY := make([]float64, len(m.Rows))
	for i, r := range m.Rows {
		rowY[i] = y
		y += m.rowHeight(r) + tlPad
	}
	height := y
	// The axis.
	for _, t := range ticks(m.EndMs) {
		x := m.x(t)
		shapes = append(shapes,
			svgEl("line").Attr("x1", f2(x)).Attr("x2", f2(x)).Attr("y1", f2(tlAxisH-4)).Attr("y2", f2(height)).DataSet("k", "tick"),
			svgEl("text").Attr("x", f2(x)).Attr("y", "13").Attr("text-anchor", "middle").DataSet("k", "tick-label").
				Text(strconv.FormatFloat(t, 'f', -1, 64)+" ms"),
		)
	}
	for i := range m.Rows {
		shapes = append(shapes, renderRow(m, i, rowY[i]))
	}
	for _, l := range m.Links {
		y1 := rowY[l.Row1] + m.rowHeight(m.Rows[l.Row1])/2
		y2 := rowY[l.Row2] + m.rowHeight(m.Rows[l.Row2])/2
		shapes = append(shapes,
			svgEl("line").
				Attr("x1", f2(m.x(l.X1))).Attr("y1", f2(y1)).Attr("x2", f2(m.x(l.X2))).Attr("y2", f2(y2)).
				DataSet("k", "link").Body(svgEl("title").Text(l.Detail)),
			svgEl("circle").Attr("cx", f2(m.x(l.X2))).Attr("cy", f2(y2)).Attr("r", "3.5").DataSet("k", "link-end"))
	}
	if cursor >= 0 {
		x := m.x(cursor)
		shapes = append(shapes, svgEl("line").ID("timeline-cursor").
			Attr("x1", f2(x)).Attr("x2", f2(x)).Attr("y1", "0").Attr("y2", f2(height)).DataSet("k", "cursor"))
	}
	svg := svgEl("svg").Attr("viewBox", fmt.Sprintf("0 0 %.0f %.0f", tlWidth, height)).
		Attr("role", "group").Aria("label", "timeline of the run: a lane per worker, time across").
		Style("aspect-ratio", fmt.Sprintf("%.0f / %.0f", tlWidth, height)).
		DataSet("end-ms", fmt.Sprintf("%.1f", m.EndMs))
	if onDetail != nil {
		svg = svg.On("mouseover", onDetail).On("focusin", onDetail)
	}
	return app.Div().Class("tl-body").Body(
		svg.Body(shapes...),
		app.P().ID("timeline-detail").Class("status", "tl-detail").Text(detailOr(detail)),
		app.If(m.Omitted != "", app.P().ID("timeline-omitted").Class("status", "note").Text(m.Omitted)),
		app.If(len(m.Bands) > 0, app.Div().Class("tl-bands").Body(
			app.Span().Class("status").Text("Bands:"),
			app.Range(m.Bands).Slice(func(i int) app.UI {
				b := m.Bands[i]
				open := expanded[b.Group]
				text := "expand " + b.Label
				if open {
					text = "fold " + b.Label
				}
				btn := app.Button().Type("button").Class("tl-expand").DataSet("group", b.Group).
					Aria("expanded", open).Text(text)
				if b.Remote != "" {
					return btn.Disabled(true).Title("another tab's workers stay folded")
				}
				if onExpand != nil {
					btn = btn.OnClick(onExpand, b.Group)
				}
				return btn
			}),
		)),
	)
}

func detailOr(s string) string {
	if s == "" {
		return "Point at or Tab to a bar for its details."
	}
	return s
}

// renderRow draws row ri: its name, its bars, and a focus target that
// reads the lane's story. Fetched or typed text (URLs, error messages)
// goes only into text nodes (titles), never into attributes: a bar
// carries its place, data-bar="row:lane:bar", and barDetail looks it up.
// Worker names are letters, digits, '_', '-' and '.' (the parser checks).
func renderRow(m timelineModel, ri int, y float64) app.UI {
	r := m.Rows[ri]
	h := m.rowHeight(r)
	g := svgEl("g").DataSet("worker", r.Worker).DataSet("row", ri).Attr("tabindex", "0").Aria("label", r.Summary)
	if r.Count > 1 {
		g = g.DataSet("count", r.Count)
	}
	if r.Remote != "" {
		g = g.DataSet("remote", r.Remote)
	}
	parts := []app.UI{
		svgEl("rect").Attr("x", "0").Attr("y", f2(y)).Attr("width", f2(tlWidth)).Attr("height", f2(h)).DataSet("k", "lane"),
		svgEl("text").Attr("x", "4").Attr("y", f2(y+h/2+5)).DataSet("k", "lane-label").Text(r.Label),
	}
	laneH := h / float64(max(1, len(r.Lanes)))
	var instants []app.UI
	for li, lane := range r.Lanes {
		ly := y + float64(li)*laneH
		for bi, b := range lane {
			place := fmt.Sprintf("%d:%d:%d", ri, li, bi)
			x := m.x(b.From)
			w := m.x(b.To) - x
			switch b.Kind {
			case barHit, barShared, barErr:
				instants = append(instants, svgEl("rect").Attr("x", f2(x-2)).Attr("y", f2(ly)).
					Attr("width", "4").Attr("height", f2(laneH)).DataSet("k", b.Kind).DataSet("bar", place).
					Body(svgEl("title").Text(b.Detail)))
				continue
			}
			if w < 1 {
				w = 1
			}
			inset := 0.0
			if b.Kind == barWait || b.Kind == barLatency {
				inset = laneH * 0.2 // waits draw thinner: time passing, nothing done
			}
			parts = append(parts, svgEl("rect").Attr("x", f2(x)).Attr("y", f2(ly+inset)).
				Attr("width", f2(w)).Attr("height", f2(laneH-2*inset)).DataSet("k", b.Kind).DataSet("bar", place).
				Body(svgEl("title").Text(b.Detail)))
		}
	}
	return g.Body(append(parts, instants...)...)
}

// detailAt is what the timeline says of a place: a bar's "row:lane:bar"
// or a lane's "row".
func (m timelineModel) detailAt(place string) string {
	var r, l, b int
	if n, _ := fmt.Sscanf(place, "%d:%d:%d", &r, &l, &b); n == 3 {
		if r < len(m.Rows) && l < len(m.Rows[r].Lanes) && b < len(m.Rows[r].Lanes[l]) {
			return m.Rows[r].Lanes[l][b].Detail
		}
		return ""
	}
	if i, err := strconv.Atoi(place); err == nil && i >= 0 && i < len(m.Rows) {
		return m.Rows[i].Summary
	}
	return ""
}

// renderLegend names the colours.
func renderTimelineLegend() app.UI {
	return app.Ul().Class("tl-legend").Aria("label", "timeline legend").Body(
		app.Range(barKinds).Slice(func(i int) app.UI {
			return app.Li().Class("tl-key").DataSet("k", barKinds[i][0]).Text(barKinds[i][1])
		}),
		app.Li().Class("tl-key").DataSet("k", "link").Text("answered by that fetch"),
	)
}
