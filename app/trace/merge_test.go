package trace

import (
	"fmt"
	"strings"
	"testing"
)

func TestMerge(t *testing.T) {
	iv := func(k Kind, from, to float64, open bool) *Interval {
		return &Interval{Kind: k, Start: dur(from), End: dur(to), Open: open}
	}
	ms := func(iv *Interval) (float64, float64, bool) {
		return float64(iv.Start) / 1e6, float64(iv.End) / 1e6, true
	}
	ivs := []*Interval{
		iv(Fetch, 30, 40, false), iv(Hit, 1, 1, false), iv(Fetch, 0, 10, false),
		iv(Fetch, 5, 20, true), iv(Held, 0, 50, false),
	}
	spell := func(bars []Bar) string {
		var out []string
		for _, b := range bars {
			s := fmt.Sprintf("%s %g-%g ×%d", b.Kind, b.Lo, b.Hi, len(b.Intervals))
			if b.Open {
				s += " open"
			}
			out = append(out, s)
		}
		return strings.Join(out, ", ")
	}
	for _, tt := range []struct {
		name string
		bars []Bar
		want string
	}{
		// Kinds in drawing order, each by start.
		{"bars", Bars(ivs, ms), "held 0-50 ×1, fetch 0-10 ×1, fetch 5-20 ×1 open, fetch 30-40 ×1, hit 1-1 ×1"},
		// Overlapping intervals of a kind become one bar; others do not.
		{"merge", Merge(ivs, ms, 0), "held 0-50 ×1, fetch 0-20 ×2 open, fetch 30-40 ×1, hit 1-1 ×1"},
		{"slack", Merge(ivs, ms, 10), "held 0-50 ×1, fetch 0-40 ×3 open, hit 1-1 ×1"},
		{"left out", Merge(ivs, func(iv *Interval) (float64, float64, bool) {
			lo, hi, _ := ms(iv)
			return lo * 2, hi * 2, iv.Kind == Fetch && !iv.Open
		}, 0), "fetch 0-20 ×1, fetch 60-80 ×1"},
	} {
		if got := spell(tt.bars); got != tt.want {
			t.Errorf("%s: %s; want %s", tt.name, got, tt.want)
		}
	}
	if ivs[0].Start != dur(30) {
		t.Error("Merge reordered its argument")
	}
	b := Merge(ivs, ms, 0)[1]
	if b.Start != dur(0) || b.End != dur(20) || b.Intervals[0].Start != dur(0) {
		t.Errorf("merged bar %v-%v, first from %v; want 0-20ms, first from 0", b.Start, b.End, b.Intervals[0].Start)
	}
}
