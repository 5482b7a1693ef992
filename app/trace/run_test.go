package trace

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stampede-playground/stampede/app/stampede"
)

// TestBuildRun reads real runs of the engine under every strategy that
// needs no browser: every interval ends, the counts match the run's
// stats, and every answer is linked to the fetch or once job that served
// it, in this run (the store starts empty). Entries expire, a steady line
// overlaps its repetitions, and swr refreshes in the background.
func TestBuildRun(t *testing.T) {
	sc, err := stampede.Parse(`a x3: once warm 5ms; get data/a.json
b x2: fetch data/a.json; get data/a.json
c: get data/bad.json; work 2ms
s x2 every 4ms for 20ms: get data/a.json
`)
	if err != nil {
		t.Fatal(err)
	}
	fetcher := stampede.FetcherFunc(func(ctx context.Context, url string) (stampede.Response, error) {
		time.Sleep(2 * time.Millisecond)
		if strings.Contains(url, "bad") {
			return stampede.Response{}, &stampede.HTTPError{URL: url, Status: 500}
		}
		return stampede.Response{Status: 200, Body: []byte("{}")}, nil
	})
	for _, st := range []stampede.Strategy{stampede.None, stampede.Lock, stampede.Keyed, stampede.Singleflight, stampede.PerCall, stampede.SWR, stampede.XFetch} {
		t.Run(string(st), func(t *testing.T) {
			log := stampede.NewLog(0)
			stats, err := stampede.Run(context.Background(), sc, stampede.Options{
				Strategy: st, Fetcher: fetcher, Latency: time.Millisecond, TTL: 6 * time.Millisecond, Log: log, RunID: "r1",
			})
			if err != nil {
				t.Fatal(err)
			}
			events := log.Since(0)
			tr := Build(events)
			// A Builder fed in steps of any size reads the same trace.
			want := strings.Join(describe(tr), "\n")
			for _, step := range []int{1, 7, 50} {
				b := NewBuilder(0)
				for lo := 0; lo < len(events); lo += step {
					b.Add(events[lo:min(lo+step, len(events))])
				}
				if b.Len() != len(events) {
					t.Errorf("steps of %d: Len %d; want %d", step, b.Len(), len(events))
				}
				if got := strings.Join(describe(b.Trace()), "\n"); got != want {
					t.Errorf("steps of %d:\n%s\nwant\n%s", step, got, want)
				}
			}
			n := map[Kind]int{}
			for _, iv := range tr.Intervals {
				if iv.Kind != Error || !iv.Begin.Background { // a failed refresh fails no request
					n[iv.Kind]++
				}
				if iv.Open || iv.Finish == nil || iv.End < iv.Start {
					t.Errorf("%s %s: %v-%v, open %v", iv.Worker, iv.Kind, iv.Start, iv.End, iv.Open)
				}
			}
			if n[Fetch] != stats.Fetches || n[Latency] != stats.Fetches || n[Hit] != stats.Hits ||
				n[Error] != stats.Errors || n[Once] != stats.OnceRuns || n[Work] != 1 || len(tr.Lanes) != stats.Workers {
				t.Errorf("intervals %v, %d lanes; stats %+v", n, len(tr.Lanes), stats)
			}
			answers := n[Hit] + n[Shared]
			if len(tr.Links) != answers {
				t.Errorf("%d links for %d answers", len(tr.Links), answers)
			}
			for _, l := range tr.Links {
				switch {
				case l.From == nil || l.Elsewhere:
					t.Errorf("%s's %s: not linked to this run's fetch", l.To.Worker, l.To.Kind)
				case l.From.Worker != l.To.By() || l.From.Target != l.To.Target || l.From.Start > l.To.Start:
					t.Errorf("%s's %s linked to %s's %s of %s", l.To.Worker, l.To.Kind, l.From.Worker, l.From.Kind, l.From.Target)
				case l.To.Kind == Hit && !l.From.Finish.Stored:
					t.Errorf("%s's hit linked to a fetch that stored nothing", l.To.Worker)
				}
			}
		})
	}
}
