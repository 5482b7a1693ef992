package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/stampede-playground/stampede/app/stampede"
	"github.com/stampede-playground/stampede/app/trace"
)

// TestLoadChart: each bucket's bar carries its fetches and its callers'
// p99, and the p99 line's scale is the highest bucket's p99.
func TestLoadChart(t *testing.T) {
	l := trace.NewLoad(loadEvery)
	answer := func(at, took time.Duration) {
		l.Add(stampede.Event{At: at, Kind: stampede.KindCacheHit, Answer: true, Took: took})
	}
	l.Add(stampede.Event{At: 10 * time.Millisecond, Kind: stampede.KindFetchStart})
	for i := range 100 { // bucket 0: p99 of 1..100 ms is 99 ms
		answer(20*time.Millisecond, time.Duration(i+1)*time.Millisecond)
	}
	answer(150*time.Millisecond, 300*time.Millisecond) // bucket 1: p99 300 ms
	h := app.HTMLString(loadChart(l))
	// go-app writes an element's attributes in no fixed order: each bar
	// is checked on its own.
	bar := func(i int) string {
		for _, r := range strings.Split(h, "<rect")[1:] {
			if strings.Contains(r, fmt.Sprintf(`data-bucket="%d"`, i)) {
				return r
			}
		}
		return ""
	}
	for i, want := range []struct{ fetches, title string }{
		{`data-fetches="1"`, "0–100 ms: 1 fetches, 100 answers, p99 99 ms, 0 stale"},
		{`data-fetches="0"`, "100–200 ms: 0 fetches, 1 answers, p99 300 ms, 0 stale"},
	} {
		if b := bar(i); !strings.Contains(b, want.fetches) || !strings.Contains(b, want.title) {
			t.Errorf("bucket %d's bar is %q; want %s and the title %q", i, b, want.fetches, want.title)
		}
	}
	if !strings.Contains(h, `data-max-ms="300"`) {
		t.Errorf("the p99 line's scale is not the highest p99 (300 ms):\n%s", h)
	}
}
