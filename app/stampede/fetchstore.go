package stampede

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// The critical section and the network: check, fetch, store; failures
// remembered for the callers that waited on them.

// checkFetchStore is the critical section. An expired entry is a miss.
func (l *Loader) checkFetchStore(ctx context.Context, c caller, url string, waited time.Duration) (Response, error) {
	r, st := l.lookup(ctx, c, url, waited)
	if st == entryFresh {
		return r, nil
	}
	return l.fetchStore(ctx, c, url, replaces(st))
}

// replacing is what a fetch replaces, as its events say: nothing, an
// expired entry, or (xfetch) a fresh one refreshed early.
type replacing struct {
	exists bool
	early  bool
	expiry time.Time // the entry's, when early
}

// replaces is what a fetch after a lookup that found st replaces.
func replaces(st entryState) replacing {
	return replacing{exists: st != entryMissing}
}

// fetchStore fetches url and stores the response; a failed fetch is
// noted for the callers that waited on it and never stored.
func (l *Loader) fetchStore(ctx context.Context, c caller, url string, old replacing) (Response, error) {
	r, took, err := l.fetch(ctx, c, url, old)
	if err != nil {
		l.noteFailure(url, c.worker, err)
		return Response{}, err
	}
	r.StoredAt = time.Now() // its time to live starts now
	// The entry is written whole in one Put; a failed Put leaves the old
	// state and the caller still gets its response.
	if err := l.store.Put(ctx, url, r); err != nil {
		r.StoredAt = time.Time{}
		if !l.quiet {
			l.emitDone(c, url, r, false, old, describe(r, took)+"; not cached: "+err.Error())
		}
		return r, nil
	}
	l.stored.Store(url, &r) // a copy, never changed once stored
	if !l.quiet {
		l.emitDone(c, url, r, true, old, describe(r, took))
	}
	return r, nil
}

// fetch makes one network request, after the added latency, and says how
// long the network took. The response's Delta is the whole wait, added
// latency included: what fetching it again costs a caller.
func (l *Loader) fetch(ctx context.Context, c caller, url string, old replacing) (Response, time.Duration, error) {
	begin := time.Now()
	if d := l.cfg.Latency; d > 0 {
		if err := sleep(ctx, d); err != nil {
			return Response{}, 0, fmt.Errorf("during %v added latency before fetching %s: %w", d, url, err)
		}
	}
	if !l.quiet {
		e := l.event(c, url, KindFetchStart)
		e.AddedLatency, e.Refresh, e.Early = l.cfg.Latency, old.exists, old.early
		switch {
		case old.early:
			e.ExpiresAt = l.since(old.expiry)
			e.Detail = "early refresh, " + round(old.expiry.Sub(begin)).String() + " before expiry"
		case old.exists:
			e.Detail = "refresh of an expired entry"
		}
		if e.AddedLatency > 0 {
			e.Detail = join(e.Detail, "after "+e.AddedLatency.String()+" added latency (not network time)")
		}
		l.cfg.Sink(e)
	}
	t0 := time.Now()
	fctx, cancel := context.WithTimeoutCause(ctx, l.cfg.Timeout, ErrTimeout)
	r, err := safeFetch(fctx, l.cfg.Fetcher, url)
	cancel()
	took := time.Since(t0)
	if err != nil {
		if ctx.Err() == nil && errors.Is(context.Cause(fctx), ErrTimeout) {
			err = fmt.Errorf("GET %s: %w after %v (%v)", url, ErrTimeout, l.cfg.Timeout, err)
		}
		return Response{}, took, err
	}
	r.URL = url
	r.FetchedAt = time.Now()
	r.FetchedBy = c.worker
	r.RunID = l.cfg.RunID
	r.StoredAt = time.Time{} // the Fetcher's word does not count: fetchStore sets it
	r.Delta = time.Since(begin)
	return r, took, nil
}

// join joins two parts of a detail with "; ", either may be empty.
func join(a, b string) string {
	if a == "" || b == "" {
		return a + b
	}
	return a + "; " + b
}

func (l *Loader) failuresOf(target string) int {
	if l.nfail.Load() == 0 {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.failures[target].n
}

func (l *Loader) failedSince(target string, seen int) (failure, bool) {
	if l.nfail.Load() == 0 {
		return failure{}, false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	f := l.failures[target]
	return f, f.n > seen
}

// shared is the error of a caller that waited while f happened.
func (f failure) shared() error {
	return fmt.Errorf("shared failure of %s's fetch: %w", f.by, f.err)
}

func (l *Loader) noteFailure(target, worker string, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.failures == nil {
		l.failures = make(map[string]failure)
	}
	f := l.failures[target]
	l.failures[target] = failure{n: f.n + 1, err: err, by: worker}
	l.nfail.Add(1) // after the map write: a reader that sees it sees the entry
}

// describe summarises a response for a fetch-done event.
func describe(r Response, network time.Duration) string {
	ct := r.ContentType
	if ct == "" {
		ct = "no content type"
	}
	return fmt.Sprintf("%d %s, %d B, network %v", r.Status, ct, r.Size(), round(network))
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// round shortens a duration for display.
func round(d time.Duration) time.Duration {
	switch {
	case d >= time.Second:
		return d.Round(time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(100 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}
