package ui

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/stampede-playground/stampede/app/stampede"
	"github.com/stampede-playground/stampede/app/trace"
)

// The timeline's drawing: a tlModel as SVG, through the helpers in
// svg.go. The SVG is styled by data-kind (a trace.Kind's name for a bar),
// data-tab and data-member.

// tlLabels are the legend's words for each kind of bar.
var tlLabels = [...]string{
	trace.Wait: "lock wait", trace.Held: "lock held", trace.Latency: "added latency", trace.Fetch: "network fetch",
	trace.Hit: "cache hit", trace.Shared: "shared result", trace.Work: "work", trace.Once: "once job", trace.Error: "error",
}

// tlLegend is the legend's order.
var tlLegend = []trace.Kind{trace.Wait, trace.Held, trace.Latency, trace.Fetch, trace.Hit, trace.Shared, trace.Work, trace.Once, trace.Error}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 1, 64)
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

// describeBar is a bar's short description, for its aria-label, and its
// details, for its <title> and the details line. The short one holds no
// URL or detail text: go-app's prerender writes attribute values
// unescaped, so text a user or a server supplied goes into text nodes
// only. (Worker names are letters, digits, '_', '-' and '.'.)
func describeBar(lane tlLane, b tlBar) (short, full string) {
	s := b.First
	when := ms(b.Start) + "–" + ms(b.End) + " ms"
	if b.Kind.Instant() && b.N == 1 {
		when = "at " + ms(b.Start) + " ms"
	}
	if b.N > 1 {
		short = fmt.Sprintf("%s: %d × %s, %s", lane.Label, b.N, tlLabels[b.Kind], when)
	} else {
		short = fmt.Sprintf("%s: %s, %s", lane.Label, tlLabels[b.Kind], when)
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
		if by := s.By(); by != "" && by != s.Worker {
			sb.WriteString(" · served by " + by)
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

func (t *timeline) renderSVG(m *tlModel, lanes []tlLaneDraw) app.UI {
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
	for _, l := range lanes {
		kids = append(kids, &tlLaneView{Ilane: l})
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

// tlLaneDraw is a lane as drawn: what renderLane needs, and nothing that
// points into the trace, so that go-app compares two cheaply.
type tlLaneDraw struct {
	Key, Tab, Title, Label, BgKind string
	Count                          int
	Member                         bool
	Y, H, LabelX, LabelY           string
	Bars                           []tlBarDraw
}

// tlBarDraw is a bar as drawn.
type tlBarDraw struct {
	X, Y, W, H        float64
	Kind, Short, Full string
	N                 int
	Open, Highlight   bool
}

// laneView is how lane l is drawn, with marks highlighted.
func laneView(l *tlLane, marks []tlMark) tlLaneDraw {
	label := stampede.Truncate(l.Label, maxLabelRunes)
	if l.Count > 0 {
		label = stampede.Truncate(l.Label, maxLabelRunes-5) + " ×" + strconv.Itoa(l.Count)
	}
	x := 6.0
	if l.Member {
		x = 16
		label = stampede.Truncate(l.Label, maxLabelRunes-1)
	}
	v := tlLaneDraw{Key: l.Key, Tab: l.Tab, Title: laneTitle(l), Label: label, BgKind: "lane-bg", Count: l.Count, Member: l.Member,
		Y: f1(l.Y), H: f1(l.H - 1), LabelX: f1(x), LabelY: f1(l.Y + l.H/2 + 4)}
	if l.Count > 0 {
		v.BgKind = "band-bg"
	}
	v.Bars = make([]tlBarDraw, len(l.Bars))
	for i, b := range l.Bars {
		y, hh := l.Y+3, l.H-7
		if b.Kind == trace.Held { // a strip under the lane's bars
			y, hh = l.Y+l.H-5, 3
		}
		if b.Kind.Instant() {
			y, hh = l.Y+1, l.H-3
		}
		short, full := describeBar(*l, b)
		v.Bars[i] = tlBarDraw{X: b.X, Y: y, W: b.W, H: hh, Kind: b.Kind.String(), Short: short, Full: full, N: b.N, Open: b.Open,
			Highlight: marked(marks, l.Key, b.Kind.String())}
	}
	return v
}

// tlLaneView draws one lane: a component, so that a lane that did not
// change since the timeline last drew is not drawn again.
type tlLaneView struct {
	app.Compo

	Ilane tlLaneDraw
}

func (v *tlLaneView) Render() app.UI {
	l := &v.Ilane
	g := svgEl("g").Attr("data-worker", l.Key).Attr("role", "group").Aria("label", l.Title)
	if l.Count > 0 {
		g = g.Attr("data-count", l.Count)
	}
	if l.Tab != "" {
		g = g.Attr("data-tab", l.Tab)
	}
	if l.Member {
		g = g.Attr("data-member", "true")
	}
	kids := []app.UI{
		svgEl("rect").Attr("data-kind", l.BgKind).
			Attr("x", 0).Attr("y", l.Y).Attr("width", timelineViewW).Attr("height", l.H),
		svgEl("text").Attr("data-kind", "label").Attr("x", l.LabelX).Attr("y", l.LabelY).Body(
			svgEl("title").Text(l.Title),
			app.Text(l.Label),
		),
	}
	for _, b := range l.Bars {
		r := svgRect(b.X, b.Y, b.W, b.H, 1).Attr("data-kind", b.Kind).
			Attr("tabindex", 0).Attr("role", "img").Aria("label", b.Short)
		if b.N > 1 {
			r = r.Attr("data-n", b.N)
		}
		if b.Open {
			r = r.Attr("data-open", "true")
		}
		if b.Highlight {
			r = r.Attr("data-highlight", "true")
		}
		kids = append(kids, r.Body(svgEl("title").Text(b.Full)))
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
	return app.Elem("ul").Class("timeline-legend").Aria("label", "timeline legend").Body(
		app.Range(tlLegend).Slice(func(i int) app.UI {
			return app.Elem("li").Body(
				app.Elem("span").Class("tl-swatch").DataSet("kind", tlLegend[i].String()),
				app.Text(tlLabels[tlLegend[i]]),
			)
		}),
		app.Elem("li").Body(app.Elem("span").Class("tl-swatch").DataSet("kind", "link"), app.Text("served by (link)")),
		app.Elem("li").Body(app.Elem("span").Class("tl-swatch").DataSet("kind", "remote"), app.Text("another tab (dashed)")),
		app.Elem("li").Body(app.Elem("span").Class("tl-swatch").DataSet("kind", "cursor"), app.Text("replay cursor")),
	)
}
