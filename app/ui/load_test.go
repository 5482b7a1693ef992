package ui

import (
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
	for _, want := range []string{
		`data-bucket="0" data-fetches="1"`, "0–100 ms: 1 fetches, 100 answers, p99 99 ms, 0 stale",
		`data-bucket="1" data-fetches="0"`, "100–200 ms: 0 fetches, 1 answers, p99 300 ms, 0 stale",
		`data-max-ms="300"`,
	} {
		if !strings.Contains(h, want) {
			t.Errorf("the chart lacks %q:\n%s", want, h)
		}
	}
}
