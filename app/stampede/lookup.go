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

// peek, freshHit and storedByRun deal in *Response, pointing at this
// run's stored copy (never changed once stored), not in Response values:
// a Response is 19 words, passed on the stack, and each copy deepened
// the frames of a stampede's 10,000 goroutines, which then grew their
// stacks once more than the same code written directly (2 KB to 4 KB to
// 8 KB, each time copying the stack).

// peek reads url's entry without a word: this run's copy when it is
// fresh, else the store's. A store that fails to read counts as a miss,
// or as this run's expired copy when it has one. It returns nil when
// nothing is stored.
func (l *Loader) peek(ctx context.Context, url string) (*Response, entryState) {
	now := l.now()
	mine := l.storedByRun(url)
	switch {
	case mine != nil && !l.expired(mine, now):
		return mine, entryFresh
	case mine != nil && l.cfg.Strategy != CrossTab:
		// Expired, and only crosstab looks for a newer entry another
		// tab stored: the others would read the store on every request
		// until the refresh lands (under steady load in wasm, reads
		// queued ahead of the refresh's write and delayed it for seconds).
		return mine, entryExpired
	}
	return l.peekStore(ctx, url, mine, now)
}

// peekStore is peek's read of the store, when this run holds nothing
// for url or (crosstab) holds it expired: the store may hold a newer
// entry, put there by another tab.
func (l *Loader) peekStore(ctx context.Context, url string, mine *Response, now time.Time) (*Response, entryState) {
	r, found, err := l.store.Get(ctx, url)
	switch {
	case err == nil && found && !r.Expired(now, l.cfg.TTL):
		l.stored.Store(url, &r)
		return &r, entryFresh
	case err == nil && found:
		l.stored.Store(url, &r) // the next caller need not read it again
		return &r, entryExpired
	case mine != nil:
		return mine, entryExpired
	}
	return nil, entryMissing
}

// now is the time expiry is judged by; with no ttl nothing expires, and
// the clock is not read.
func (l *Loader) now() time.Time {
	if l.cfg.TTL <= 0 {
		return time.Time{}
	}
	return time.Now()
}

// expired reports whether r is past its time to live at now (from
// l.now). It inlines, and with no ttl goes no further.
func (l *Loader) expired(r *Response, now time.Time) bool {
	return l.cfg.TTL > 0 && l.pastTTL(r, now)
}

// pastTTL is kept out of line: Expired copies the Response, and inlined
// that copy would sit in the frame of every hit, ttl or not.
//
//go:noinline
func (l *Loader) pastTTL(r *Response, now time.Time) bool {
	return r.Expired(now, l.cfg.TTL)
}

// lookup is peek, answering c with a fresh entry (a cache-hit) and
// reporting an expired one.
func (l *Loader) lookup(ctx context.Context, c caller, url string, waited time.Duration) (Response, entryState) {
	r, st := l.peek(ctx, url)
	if r == nil {
		return Response{}, st
	}
	if !l.quiet {
		switch st {
		case entryFresh:
			l.emitHit(c, r, url, waited, "the lock")
		case entryExpired:
			l.emitExpired(c, url, r)
		}
	}
	return *r, st
}

// emitExpired reports that c found r past its time to live.
func (l *Loader) emitExpired(c caller, url string, r *Response) {
	e := l.event(c, url, KindExpired)
	at := r.ExpiresAt(l.cfg.TTL)
	e.ExpiresAt = l.since(at)
	e.Detail = "expired " + round(time.Since(at)).String() + " ago"
	e.By, e.ByRun = r.FetchedBy, r.RunID
	l.cfg.Sink(e)
}

// freshHit answers c with the fresh entry this run holds for url, if any,
// without a lock or a store read; nil if none.
func (l *Loader) freshHit(c caller, url string) *Response {
	r := l.storedByRun(url)
	if r == nil || l.expired(r, l.now()) {
		return nil
	}
	if !l.quiet {
		l.emitHit(c, r, url, 0, "")
	}
	return r
}

// storedByRun is the response this run stored for url, or nil.
func (l *Loader) storedByRun(url string) *Response {
	v, _ := l.stored.Load(url)
	r, _ := v.(*Response)
	return r
}

// emitHit emits a cache-hit answered with r after waiting for what.
func (l *Loader) emitHit(c caller, r *Response, url string, waited time.Duration, what string) {
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
