package trace

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stampede-playground/stampede/app/stampede"
)

// bigRun is the newest 10,000 events (what the page keeps) of a keyed run
// of 10,000 workers over 100 URLs, `make bench`'s responsiveness run,
// with a fetcher that answers after a millisecond.
func bigRun(b *testing.B) []stampede.Event {
	b.Helper()
	var sb strings.Builder
	for k := range 100 {
		fmt.Fprintf(&sb, "u%d x100: get https://example.org/u%d\n", k, k)
	}
	sc, err := stampede.Parse(sb.String())
	if err != nil {
		b.Fatal(err)
	}
	log := stampede.NewLog(10000)
	_, err = stampede.Run(context.Background(), sc, stampede.Options{
		Strategy: stampede.Keyed,
		Fetcher: stampede.FetcherFunc(func(ctx context.Context, u string) (stampede.Response, error) {
			time.Sleep(time.Millisecond)
			return stampede.Response{Status: 200, Body: []byte("{}")}, nil
		}),
		Store: new(stampede.MemoryStore),
		Log:   log,
	})
	if err != nil {
		b.Fatal(err)
	}
	return log.Since(0)
}

// BenchmarkBuild is the live timeline's cost of reading a big run.
func BenchmarkBuild(b *testing.B) {
	events := bigRun(b)
	b.ReportMetric(float64(len(events)), "events")
	for b.Loop() {
		Build(events)
	}
}
