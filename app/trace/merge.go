package trace

import (
	"sort"
	"time"
)

// Place puts an interval on a drawing's axis, in its units (pixels,
// milliseconds): from lo to hi, widened as the drawing wants. ok false
// leaves the interval out.
type Place func(iv *Interval) (lo, hi float64, ok bool)

// Bar is what a drawing shows of one or more intervals of one kind.
type Bar struct {
	Kind   Kind
	Lo, Hi float64 // on the drawing's axis
	// Start is the first interval's start, End the latest end.
	Start, End time.Duration
	Open       bool        // one of them is still going
	Intervals  []*Interval // the intervals it draws, by start
}

// Bars places each interval as a bar of its own: kind by kind in drawing
// order (Kinds), each kind's intervals by start.
func Bars(ivs []*Interval, place Place) []Bar { return bars(ivs, place, false, 0) }

// Merge places intervals as Bars does, but draws the intervals of a kind
// that overlap, or start within slack of the end of the bar before, as
// one bar. It draws many lanes as one (crowd#1 … crowd#50 as a band)
// with about one bar per unit of the axis and kind.
func Merge(ivs []*Interval, place Place, slack float64) []Bar { return bars(ivs, place, true, slack) }

func bars(ivs []*Interval, place Place, merge bool, slack float64) []Bar {
	of := append([]*Interval(nil), ivs...)
	sort.SliceStable(of, func(i, j int) bool {
		if of[i].Kind != of[j].Kind {
			return of[i].Kind < of[j].Kind
		}
		return of[i].Start < of[j].Start
	})
	var out []Bar
	for _, iv := range of {
		lo, hi, ok := place(iv)
		if !ok {
			continue
		}
		if n := len(out); merge && n > 0 && out[n-1].Kind == iv.Kind && lo <= out[n-1].Hi+slack {
			last := &out[n-1]
			last.Hi = max(last.Hi, hi)
			last.End = max(last.End, iv.End)
			last.Open = last.Open || iv.Open
			last.Intervals = append(last.Intervals, iv)
			continue
		}
		out = append(out, Bar{Kind: iv.Kind, Lo: lo, Hi: hi, Start: iv.Start, End: iv.End, Open: iv.Open, Intervals: []*Interval{iv}})
	}
	return out
}
