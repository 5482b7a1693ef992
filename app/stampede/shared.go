package stampede

import (
	"context"
	"fmt"
	"time"
)

// The singleflight strategy: callers of one URL share its in-flight fetch.

// flight is what a singleflight flight returns: the response, and
// whether the leader found it in the store rather than fetching it.
type flight struct {
	r      Response
	cached bool
}

// getShared is the singleflight strategy: a caller that finds a fetch of
// url in flight waits for it and shares its result. The first caller of a
// URL leads a flight that reads the store and, on a miss, fetches; the
// others join it at once rather than each reading the store first (on
// IndexedDB, 2,000 such reads delayed the fetch itself). A joiner answered
// from the leader's store read counts a cache hit, from its fetch a
// shared result.
func (l *Loader) getShared(ctx context.Context, c caller, url string) (Response, error) {
	if r := l.freshHit(c, url); r != nil {
		return *r, nil
	}
	ran := false // set by our fn only if singleflight runs it; read after the result arrives
	l.mu.Lock()
	leader, waiting := l.inflight[url]
	if !waiting {
		if l.inflight == nil {
			l.inflight = make(map[string]string)
		}
		l.inflight[url] = c.worker
		// inflight and the group change together under mu (the flight
		// forgets its key as it leaves inflight), so this DoChan starts
		// a flight, counted here before the caller can return.
		l.bg.Add(1)
	}
	ch := l.group.DoChan(url, func() (any, error) {
		ran = true
		defer func() {
			l.mu.Lock()
			delete(l.inflight, url)
			l.group.Forget(url)
			l.mu.Unlock()
			l.bg.Done()
		}()
		r, st := l.lookup(ctx, c, url, 0)
		if st == entryFresh {
			return flight{r, true}, nil
		}
		r, err := l.fetchStore(ctx, c, url, replaces(st))
		return flight{r, false}, err
	})
	l.mu.Unlock()
	t0 := time.Now()
	if waiting && !l.quiet {
		l.emitEvent(c, url, KindLockWait, "in-flight fetch by "+leader, leader)
	}
	select {
	case res := <-ch:
		f, _ := res.Val.(flight)
		if ran {
			return f.r, res.Err
		}
		if err := l.pace(ctx); err != nil {
			return Response{}, fmt.Errorf("waiting %s for the in-flight fetch of %s: %w", round(time.Since(t0)), url, err)
		}
		if res.Err != nil {
			return Response{}, sharedFlightErr(res.Err)
		}
		if !l.quiet {
			l.emitJoined(c, url, &f, t0)
		}
		return f.r, nil
	case <-ctx.Done():
		// A flight we lead runs under our ctx, so it ends at once now;
		// Run waits for it (bg) before it returns.
		return Response{}, flightWaitErr(url, t0, ctx.Err())
	}
}

// emitJoined answers c, who joined a flight that ended with f.
func (l *Loader) emitJoined(c caller, url string, f *flight, t0 time.Time) {
	if f.cached {
		l.emitHit(c, &f.r, url, time.Since(t0), "the leader's cache read")
		return
	}
	e := l.event(c, url, KindShared)
	e.Detail, e.By = "waited "+round(time.Since(t0)).String(), f.r.FetchedBy
	l.answer(c, e)
}

// The errors of a joiner, out of getShared's frame.

func sharedFlightErr(err error) error {
	return fmt.Errorf("shared failure of the in-flight fetch: %w", err)
}

func flightWaitErr(url string, t0 time.Time, err error) error {
	return fmt.Errorf("waiting %s for the in-flight fetch of %s: %w", round(time.Since(t0)), url, err)
}
