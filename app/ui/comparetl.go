package ui

import (
	"fmt"
	"time"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/stampede-playground/stampede/app/stampede"
	"github.com/stampede-playground/stampede/app/trace"
)

// The compare table's small timelines: one per strategy, on a common time
// scale, drawn from the run's trace (app/trace) with the timeline's SVG
// helpers (svg.go).

// miniSpan is a stretch of one lane's time, in ms since the run started.
// Hits, shared results and errors are instants: From == To.
type miniSpan struct {
	Kind     string // its data-k: one of miniKinds
	From, To float64
}

// miniBand is one scenario line in a small timeline: its workers folded
// into at most miniMaxLanes lanes (worker i draws in lane i %
// miniMaxLanes), each lane's spans of a kind merged where they overlap.
type miniBand struct {
	Group   string
	Workers int
	Lanes   [][]miniSpan
}

const (
	miniMaxLanes = 8 // lanes per band: a lane stays tall enough to see one fetch
	miniMaxBands = 8 // bands per timeline; further lines are left out
)

// miniKinds are the kinds of interval a small timeline draws, in drawing
// order (waits under fetches, instants on top), with their data-k. Lock
// holds and once jobs are not drawn.
var miniKinds = []struct {
	kind trace.Kind
	k    string
}{
	{trace.Work, "work"}, {trace.Wait, "wait"}, {trace.Latency, "latency"}, {trace.Fetch, "fetch"},
	{trace.Hit, "hit"}, {trace.Shared, "shared"}, {trace.Error, "err"},
}

// miniKey is the data-k of kind, or "" when a small timeline does not
// draw it.
func miniKey(kind trace.Kind) string {
	for _, m := range miniKinds {
		if m.kind == kind {
			return m.k
		}
	}
	return ""
}

// bandsOf turns a run's events into its small timeline: each worker's
// ended intervals of the kinds in miniKinds, by scenario line in order of
// appearance. Other tabs' events are left out.
func bandsOf(events []stampede.Event) []miniBand {
	var bands []miniBand
	lanes := map[int][][]*trace.Interval{} // band -> lane -> intervals
	bandIdx := map[string]int{}
	for _, lane := range trace.Build(events).Lanes {
		if lane.Tab != "" || lane.Worker == "" {
			continue
		}
		g := lane.Group()
		bi, ok := bandIdx[g]
		if !ok {
			if len(bands) == miniMaxBands {
				continue
			}
			bi = len(bands)
			bandIdx[g] = bi
			bands = append(bands, miniBand{Group: g})
		}
		b := &bands[bi]
		li := b.Workers % miniMaxLanes
		b.Workers++
		if li >= len(lanes[bi]) {
			lanes[bi] = append(lanes[bi], nil)
		}
		lanes[bi][li] = append(lanes[bi][li], lane.Intervals...)
	}
	msOf := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	place := func(iv *trace.Interval) (float64, float64, bool) {
		return msOf(iv.Start), msOf(iv.End), !iv.Open && miniKey(iv.Kind) != ""
	}
	for bi := range bands {
		for _, ivs := range lanes[bi] {
			var spans []miniSpan
			for _, b := range trace.Merge(ivs, place, 0) {
				spans = append(spans, miniSpan{miniKey(b.Kind), b.Lo, b.Hi})
			}
			bands[bi].Lanes = append(bands[bi].Lanes, spans)
		}
	}
	return bands
}

// compareScale is the time axis every small timeline shares, in ms.
func compareScale(rows []compareRow) float64 {
	scale := 1.0
	for _, r := range rows {
		if r.Result.Stats.WallMs > scale {
			scale = r.Result.Stats.WallMs
		}
	}
	return scale
}

// The small timeline's drawing box; CSS stretches it to the cell.
const (
	miniW = 300.0
	miniH = 48.0
)

// miniTimeline draws bands on a common time scale (ms) as an inline SVG,
// kind by kind in miniKinds' order. Colours come from the page's CSS by
// data-k.
func miniTimeline(bands []miniBand, scale float64, label string) app.UI {
	var shapes []app.UI
	if len(bands) > 0 {
		const gap = 2.0
		bandH := (miniH - gap*float64(len(bands)-1)) / float64(len(bands))
		for _, mk := range miniKinds {
			for bi, b := range bands {
				y0 := float64(bi) * (bandH + gap)
				laneH := bandH / float64(len(b.Lanes))
				for li, lane := range b.Lanes {
					for _, s := range lane {
						if s.Kind != mk.k {
							continue
						}
						x := s.From / scale * miniW
						w := (s.To - s.From) / scale * miniW
						if mk.kind.Instant() {
							x, w = x-0.6, 1.2 // a tick
						} else if w < 0.8 {
							w = 0.8
						}
						shapes = append(shapes, svgRect(x, y0+float64(li)*laneH, w, laneH, 2).DataSet("k", s.Kind))
					}
				}
			}
		}
	}
	return svgEl("svg").Attr("viewBox", fmt.Sprintf("0 0 %.0f %.0f", miniW, miniH)).
		Attr("preserveAspectRatio", "none").Attr("role", "img").Aria("label", label).
		DataSet("bands", len(bands)).
		Body(append([]app.UI{svgEl("title").Text(label)}, shapes...)...)
}

func compareLegend() app.UI {
	item := func(kind, label string) app.UI {
		return app.Elem("span").Class("mini-key").DataSet("k", kind).Text(label)
	}
	return app.P().ID("compare-legend").Class("legend", "compare-legend").Body(
		app.Elem("span").Text(fmt.Sprintf("Timelines, one band per scenario line, its workers in up to %d lanes:", miniMaxLanes)),
		item("fetch", "network fetch"),
		item("latency", "added latency"),
		item("wait", "waiting for a lock or an in-flight fetch"),
		item("hit", "cache hit"),
		item("shared", "shared result of another's fetch or once job"),
		item("err", "error"),
		item("work", "work"),
	)
}
