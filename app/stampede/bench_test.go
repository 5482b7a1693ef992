package stampede

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"golang.org/x/sync/singleflight"
)

// instantFetcher answers at once, so benchmarks measure the guard.
var instantFetcher = FetcherFunc(func(ctx context.Context, url string) (Response, error) {
	return Response{Status: 200, Body: []byte("{}")}, nil
})

// stampedeRound runs callers goroutines that all get one URL through get.
func stampedeRound(callers int, get func(worker string)) {
	var wg sync.WaitGroup
	wg.Add(callers)
	for range callers {
		go func() {
			defer wg.Done()
			get("w")
		}()
	}
	wg.Wait()
}

// BenchmarkGet measures one round of C concurrent callers of one URL,
// from an empty store, under each strategy.
func BenchmarkGet(b *testing.B) {
	ctx := context.Background()
	for _, s := range []Strategy{None, Lock, Keyed, Singleflight, PerCall} {
		for _, c := range []int{1, 100, 10000} {
			b.Run(fmt.Sprintf("%s/callers=%d", s, c), func(b *testing.B) {
				for b.Loop() {
					l, err := NewLoader(Config{Strategy: s, Fetcher: instantFetcher})
					if err != nil {
						b.Fatal(err)
					}
					stampedeRound(c, func(w string) { _, _ = l.Get(ctx, w, "u") })
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*c), "ns/caller")
			})
		}
	}
}

// BenchmarkSingleflightOverhead compares the singleflight strategy with
// the same check-fetch-store written directly on x/sync/singleflight,
// both with a memory store and no event sink.
func BenchmarkSingleflightOverhead(b *testing.B) {
	ctx := context.Background()
	for _, c := range []int{1, 100, 10000} {
		b.Run(fmt.Sprintf("engine/callers=%d", c), func(b *testing.B) {
			for b.Loop() {
				l, _ := NewLoader(Config{Strategy: Singleflight, Fetcher: instantFetcher})
				stampedeRound(c, func(w string) { _, _ = l.Get(ctx, w, "u") })
			}
		})
		b.Run(fmt.Sprintf("direct/callers=%d", c), func(b *testing.B) {
			for b.Loop() {
				var g singleflight.Group
				store := new(MemoryStore)
				stampedeRound(c, func(string) {
					if _, ok, _ := store.Get(ctx, "u"); ok {
						return
					}
					_, _, _ = g.Do("u", func() (any, error) {
						if r, ok, _ := store.Get(ctx, "u"); ok {
							return r, nil
						}
						r, err := instantFetcher(ctx, "u")
						if err == nil {
							_ = store.Put(ctx, "u", r)
						}
						return r, err
					})
				})
			}
		})
	}
}
