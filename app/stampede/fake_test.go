package stampede

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// fakeFetcher counts fetches per URL and answers after a delay. URLs in
// fail answer with that error; a URL in gate waits for the channel.
type fakeFetcher struct {
	delay  time.Duration
	delays map[string]time.Duration
	fail   map[string]error
	gate   map[string]chan struct{}
	panics bool
	// barrier holds every fetch until this many have started.
	barrier int64

	total atomic.Int64
	mu    sync.Mutex // protects count
	count map[string]int
}

func (f *fakeFetcher) Fetch(ctx context.Context, url string) (Response, error) {
	f.total.Add(1)
	f.mu.Lock()
	if f.count == nil {
		f.count = map[string]int{}
	}
	f.count[url]++
	d := f.delay
	if v, ok := f.delays[url]; ok {
		d = v
	}
	gate := f.gate[url]
	f.mu.Unlock()
	if f.panics {
		panic("boom")
	}
	for f.barrier > 0 && f.total.Load() < f.barrier {
		if err := sleep(ctx, time.Millisecond); err != nil {
			return Response{}, err
		}
	}
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return Response{}, ctx.Err()
		}
	}
	if err := sleep(ctx, d); err != nil {
		return Response{}, err
	}
	if err := f.fail[url]; err != nil {
		return Response{}, err
	}
	return Response{Status: 200, ContentType: "application/json", Body: []byte(`{"url":"` + url + `"}`)}, nil
}

func (f *fakeFetcher) fetches(url string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.count[url]
}

// brokenStore fails every call, or panics.
type brokenStore struct{ panics bool }

var errBroken = errors.New("store is broken")

func (b brokenStore) fail() error {
	if b.panics {
		panic("store boom")
	}
	return errBroken
}
func (b brokenStore) Get(context.Context, string) (Response, bool, error) {
	return Response{}, false, b.fail()
}
func (b brokenStore) Put(context.Context, string, Response) error { return b.fail() }
func (b brokenStore) Delete(context.Context, string) error        { return b.fail() }
func (b brokenStore) Keys(context.Context) ([]string, error)      { return nil, b.fail() }
func (b brokenStore) Clear(context.Context) error                 { return b.fail() }
