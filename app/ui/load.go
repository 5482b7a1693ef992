package ui

import (
	"fmt"
	"time"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/stampede-playground/stampede/app/trace"
)

// loadPanel is <section id="load">: the run over time, from the runner's
// trace.Load. Per 100 ms it draws the network fetches started
// (rect[data-bucket][data-fetches]), the stale answers under them, the
// callers' p99 as a line, and a mark at each moment a stored entry
// expires. It follows the run live; a Load is capped (trace.MaxBuckets),
// so a 60 s run draws at most 700 bars.
type loadPanel struct {
	app.Compo
	runView
}

// loadEvery is the width of a bucket, as peakFetches counts them.
const loadEvery = 100 * time.Millisecond

// The drawing box; CSS stretches it to the panel's width.
const (
	loadW   = 600.0
	loadH   = 90.0
	loadTop = 6.0 // room above the tallest bar
)

func (p *loadPanel) Render() app.UI {
	r := p.run
	l := r.run.load
	sec := app.Elem("section").ID("load").Class("load").Aria("label", "load over time")
	if l == nil || len(l.Buckets) == 0 {
		return sec.DataSet("buckets", 0).Body(
			app.Elem("h2").Text("Load over time"),
			app.P().Class("status").Text("Run a scenario to see its network fetches per 100 ms; "+
				"a steady line (name xN every 100ms for 6s) with a ttl shows what happens at each expiry."),
		)
	}
	s := r.run.live
	return sec.DataSet("buckets", len(l.Buckets)).DataSet("peak-fetches", l.PeakFetches()).Body(
		app.Elem("h2").Text("Load over time"),
		app.P().ID("load-summary").Class("status").Text(fmt.Sprintf(
			"Network fetches per 100 ms: peak %d. Callers' p99 %.0f ms, p50 %.0f ms; %d stale answers; %d refreshes.",
			s.PeakFetches, s.P99Ms, s.P50Ms, s.Stale, s.Refreshes)),
		loadChart(l),
		app.P().Class("legend", "load-legend").Body(
			app.Elem("span").Class("load-key").DataSet("k", "fetch").Text("network fetches"),
			app.Elem("span").Class("load-key").DataSet("k", "stale").Text("stale answers"),
			app.Elem("span").Class("load-key").DataSet("k", "p99").Text("callers' p99 (right scale)"),
			app.Elem("span").Class("load-key").DataSet("k", "expiry").Text("an entry expires"),
		),
	)
}

// loadChart draws l as an inline SVG.
func loadChart(l *trace.Load) app.UI {
	n := max(len(l.Buckets), 10)
	bw := loadW / float64(n)
	peak := max(l.PeakFetches(), 1)
	// Each bucket's p99 sorts its callers' times: once per bucket.
	p99s := make([]time.Duration, len(l.Buckets))
	var maxP99 time.Duration
	for i := range l.Buckets {
		p99s[i] = l.Buckets[i].P99()
		maxP99 = max(maxP99, p99s[i])
	}
	y := func(v, top float64) float64 { return loadH - v/top*(loadH-loadTop) }
	shapes := []app.UI{svgEl("title").Text(fmt.Sprintf("network fetches per 100 ms, peak %d", l.PeakFetches()))}
	var p99 string
	for i := range l.Buckets {
		b := &l.Buckets[i]
		h := loadH - y(float64(b.Fetches), float64(peak))
		shapes = append(shapes, svgRect(float64(i)*bw, loadH-h, bw*0.9, h, 2).
			DataSet("bucket", i).DataSet("fetches", b.Fetches).DataSet("k", "fetch").
			Body(svgEl("title").Text(fmt.Sprintf("%d–%d ms: %d fetches, %d answers, p99 %d ms, %d stale",
				i*100, (i+1)*100, b.Fetches, b.Answers, p99s[i].Milliseconds(), b.Stale))))
		if b.Stale > 0 {
			shapes = append(shapes, svgRect(float64(i)*bw, loadH-3, bw*0.9, 3, 2).
				DataSet("k", "stale").DataSet("stale", b.Stale))
		}
		if b.Answers > 0 && maxP99 > 0 {
			p99 += svgNum(float64(i)*bw+bw/2, 1) + "," + svgNum(y(float64(p99s[i]), float64(maxP99)), 1) + " "
		}
	}
	if p99 != "" {
		shapes = append(shapes, svgEl("polyline").Attr("points", p99).Attr("fill", "none").
			DataSet("k", "p99").DataSet("max-ms", maxP99.Milliseconds()))
	}
	for _, at := range l.Expiries {
		x := float64(at) / float64(loadEvery) * bw
		if x > loadW {
			continue
		}
		shapes = append(shapes, svgEl("line").Attr("x1", svgNum(x, 1)).Attr("x2", svgNum(x, 1)).
			Attr("y1", "0").Attr("y2", svgNum(loadH, 1)).
			DataSet("k", "expiry").DataSet("expiry-ms", at.Milliseconds()))
	}
	return svgEl("svg").Attr("viewBox", fmt.Sprintf("0 0 %.0f %.0f", loadW, loadH)).
		Attr("preserveAspectRatio", "none").Attr("role", "img").
		Aria("label", fmt.Sprintf("network fetches per 100 ms over %d buckets, peak %d", len(l.Buckets), l.PeakFetches())).
		Body(shapes...)
}
