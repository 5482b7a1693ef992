package stampede

import (
	"context"
	"time"
)

// Reading the cache: what the run holds, what the store holds, fresh or
// expired, and the events that say so.

// entryState is what a lookup found for a URL.
type entryState uint8

const (
	entryMissing entryState = iota // nothing stored
	entryFresh                     // an entry within its time to live
	entryExpired                   // an entry past it
)

// peek reads url's entry without a word: this run's copy when it is
// fresh, else the store's. A store that fails to read counts as a miss,
// or as this run's expired copy when it has one.
func (l *Loader) peek(ctx context.Context, url string) (Response, entryState) {
	now := time.Now()
	mine, ok := l.storedByRun(url)
	switch {
	case ok && !mine.Expired(now, l.cfg.TTL):
		return mine, entryFresh
	case ok && l.cfg.Strategy != CrossTab:
		// Expired, and only crosstab looks for a newer entry another
		// tab stored: the others would read the store on every request
		// until the refresh lands (under steady load in wasm, reads
		// queued ahead of the refresh's write and delayed it for seconds).
		return mine, entryExpired
	}
	// Nothing of this run's, or crosstab's expired: the store may hold a
	// newer entry, put there by another tab.
	r, found, err := l.store.Get(ctx, url)
	switch {
	case err == nil && found && !r.Expired(now, l.cfg.TTL):
		l.stored.Store(url, r)
		return r, entryFresh
	case err == nil && found:
		l.stored.Store(url, r) // the next caller need not read it again
		return r, entryExpired
	case ok:
		return mine, entryExpired
	}
	return Response{}, entryMissing
}

// lookup is peek, answering c with a fresh entry (a cache-hit) and
// reporting an expired one.
func (l *Loader) lookup(ctx context.Context, c caller, url string, waited time.Duration) (Response, entryState) {
	r, st := l.peek(ctx, url)
	if l.quiet {
		return r, st
	}
	switch st {
	case entryFresh:
		l.emitHit(c, r, url, waited, "the lock")
	case entryExpired:
		l.emitExpired(c, url, r)
	}
	return r, st
}

// emitExpired reports that c found r past its time to live.
func (l *Loader) emitExpired(c caller, url string, r Response) {
	e := l.event(c, url, KindExpired)
	at := r.ExpiresAt(l.cfg.TTL)
	e.ExpiresAt = l.since(at)
	e.Detail = "expired " + round(time.Since(at)).String() + " ago"
	e.By, e.ByRun = r.FetchedBy, r.RunID
	l.cfg.Sink(e)
}

// freshHit answers c with the fresh entry this run holds for url, if any,
// without a lock or a store read.
func (l *Loader) freshHit(c caller, url string) (Response, bool) {
	r, ok := l.storedByRun(url)
	if !ok || r.Expired(time.Now(), l.cfg.TTL) {
		return Response{}, false
	}
	if !l.quiet {
		l.emitHit(c, r, url, 0, "")
	}
	return r, true
}

// storedByRun is the response this run stored for url, if any.
func (l *Loader) storedByRun(url string) (Response, bool) {
	v, ok := l.stored.Load(url)
	if !ok {
		return Response{}, false
	}
	return v.(Response), true
}

// emitHit emits a cache-hit answered with r after waiting for what.
func (l *Loader) emitHit(c caller, r Response, url string, waited time.Duration, what string) {
	e := l.event(c, url, KindCacheHit)
	if waited > 0 {
		e.Detail = "after waiting " + round(waited).String() + " for " + what
	}
	e.By, e.ByRun = r.FetchedBy, r.RunID
	l.answer(c, e)
}

// emitStale emits a cache-hit answered with r, past its time to live.
func (l *Loader) emitStale(c caller, r Response, url string) {
	e := l.event(c, url, KindCacheHit)
	at := r.ExpiresAt(l.cfg.TTL)
	e.Stale, e.ExpiresAt = true, l.since(at)
	e.Detail = "stale: expired " + round(time.Since(at)).String() + " ago, refreshing in the background"
	e.By, e.ByRun = r.FetchedBy, r.RunID
	l.answer(c, e)
}
