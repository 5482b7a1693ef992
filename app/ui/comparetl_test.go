package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/stampede-playground/stampede/app/stampede"
)

func TestBandsOf(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	ev := func(at int, w string, k stampede.Kind) stampede.Event {
		return stampede.Event{At: ms(at), Worker: w, Target: "u", Kind: k}
	}
	bands := bandsOf([]stampede.Event{
		ev(0, "c#1", stampede.KindRequest), ev(0, "c#2", stampede.KindRequest),
		ev(0, "c#1", stampede.KindLockWait), ev(1, "c#1", stampede.KindLockAcquired),
		ev(0, "c#2", stampede.KindLockWait),
		{At: ms(10), Worker: "c#1", Target: "u", Kind: stampede.KindFetchStart, AddedLatency: ms(9)}, ev(30, "c#1", stampede.KindFetchDone),
		ev(31, "c#2", stampede.KindLockAcquired), ev(31, "c#2", stampede.KindCacheHit),
		ev(0, "d", stampede.KindWorkStart), ev(50, "d", stampede.KindWorkDone),
		{At: ms(5), Worker: "x", Tab: "t1", Kind: stampede.KindFetchStart}, // another tab's: not drawn
	})
	if len(bands) != 2 || bands[0].Group != "c" || bands[0].Workers != 2 || bands[1].Group != "d" {
		t.Fatalf("bands = %+v; want c (2 workers) and d", bands)
	}
	want1 := []miniSpan{{"wait", 0, 1}, {"latency", 1, 10}, {"fetch", 10, 30}}
	want2 := []miniSpan{{"wait", 0, 31}, {"hit", 31, 31}}
	if got := bands[0].Lanes; len(got) != 2 || !equalSpans(got[0], want1) || !equalSpans(got[1], want2) {
		t.Errorf("lanes of c = %v; want %v and %v", got, want1, want2)
	}
	if got := bands[1].Lanes[0]; !equalSpans(got, []miniSpan{{"work", 0, 50}}) {
		t.Errorf("lane of d = %v", got)
	}
}

func equalSpans(a, b []miniSpan) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// A shared result is drawn as shared, not as a cache hit: an in-flight
// fetch's, and a once job's that another worker ran.
func TestBandsOfShared(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	bands := bandsOf([]stampede.Event{
		{At: ms(0), Worker: "c#1", Target: "u", Kind: stampede.KindFetchStart},
		{At: ms(1), Worker: "c#2", Target: "u", Kind: stampede.KindLockWait, By: "c#1"},
		{At: ms(20), Worker: "c#1", Target: "u", Kind: stampede.KindFetchDone, Stored: true},
		{At: ms(20), Worker: "c#2", Target: "u", Kind: stampede.KindShared, By: "c#1"},
		{At: ms(21), Worker: "c#3", Target: "u", Kind: stampede.KindCacheHit, By: "c#1"},
		{At: ms(22), Worker: "o", Target: "job", Kind: stampede.KindOnceDone, By: "c#1"},
	})
	want := [][]miniSpan{{{"fetch", 0, 20}}, {{"wait", 1, 20}, {"shared", 20, 20}}, {{"hit", 21, 21}}}
	if len(bands) != 2 || len(bands[0].Lanes) != 3 {
		t.Fatalf("bands = %+v; want c (3 lanes) and o", bands)
	}
	for i, w := range want {
		if got := bands[0].Lanes[i]; !equalSpans(got, w) {
			t.Errorf("lane %d of c = %v; want %v", i, got, w)
		}
	}
	if got := bands[1].Lanes[0]; !equalSpans(got, []miniSpan{{"shared", 22, 22}}) {
		t.Errorf("lane of o = %v; want its shared once job", got)
	}
	h := app.HTMLString(miniTimeline(bands, 30, "x"))
	if strings.Count(h, `data-k="shared"`) != 2 || strings.Count(h, `data-k="hit"`) != 1 {
		t.Errorf("small timeline draws shared results as hits: %s", h)
	}
}
