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

// BenchmarkOverhead is what `make bench` reports as engine overhead: at
// C concurrent callers of one URL from an empty store, each strategy's
// Loader.Get against the same check-fetch-store written directly on the
// standard tools, with no events (Sink nil) and with every event
// appended to a Log, as the playground does:
//
//   - singleflight: store check, then one singleflight.Group.Do that
//     checks the store again, fetches and puts;
//   - lock: one sync.Mutex around check, fetch, put;
//   - keyed: a sync.Mutex per URL (from a map under a sync.Mutex) around
//     check, fetch, put.
func BenchmarkOverhead(b *testing.B) {
	ctx := context.Background()
	for _, c := range []int{100, 10000} {
		for _, s := range []Strategy{Singleflight, Lock, Keyed} {
			b.Run(fmt.Sprintf("%s/engine/callers=%d", s, c), func(b *testing.B) {
				for b.Loop() {
					l, _ := NewLoader(Config{Strategy: s, Fetcher: instantFetcher})
					stampedeRound(c, func(w string) { _, _ = l.Get(ctx, w, "u") })
				}
			})
			b.Run(fmt.Sprintf("%s/logged/callers=%d", s, c), func(b *testing.B) {
				log := NewLog(DefaultLogSize)
				for b.Loop() {
					l, _ := NewLoader(Config{Strategy: s, Fetcher: instantFetcher, Sink: log.Append})
					stampedeRound(c, func(w string) { _, _ = l.Get(ctx, w, "u") })
				}
			})
			b.Run(fmt.Sprintf("%s/direct/callers=%d", s, c), func(b *testing.B) {
				for b.Loop() {
					get := directGet(s)
					stampedeRound(c, func(string) { _, _ = get(ctx, "u") })
				}
			})
		}
	}
}

// directGet is check-fetch-store for one round, guarded as strategy s
// says but written directly.
func directGet(s Strategy) func(ctx context.Context, url string) (Response, error) {
	store := new(MemoryStore)
	cfs := func(ctx context.Context, url string) (Response, error) {
		if r, ok, _ := store.Get(ctx, url); ok {
			return r, nil
		}
		r, err := instantFetcher(ctx, url)
		if err == nil {
			_ = store.Put(ctx, url, r)
		}
		return r, err
	}
	switch s {
	case Singleflight:
		var g singleflight.Group
		return func(ctx context.Context, url string) (Response, error) {
			if r, ok, _ := store.Get(ctx, url); ok {
				return r, nil
			}
			v, err, _ := g.Do(url, func() (any, error) { return cfs(ctx, url) })
			r, _ := v.(Response)
			return r, err
		}
	case Lock:
		var mu sync.Mutex
		return func(ctx context.Context, url string) (Response, error) {
			mu.Lock()
			defer mu.Unlock()
			return cfs(ctx, url)
		}
	case Keyed:
		var mu sync.Mutex
		locks := map[string]*sync.Mutex{}
		return func(ctx context.Context, url string) (Response, error) {
			mu.Lock()
			m := locks[url]
			if m == nil {
				m = new(sync.Mutex)
				locks[url] = m
			}
			mu.Unlock()
			m.Lock()
			defer m.Unlock()
			return cfs(ctx, url)
		}
	}
	panic("directGet: no direct form of " + string(s))
}
