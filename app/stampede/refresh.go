package stampede

import (
	"context"
	"time"
)

// The two strategies for an entry about to expire, or just expired,
// while requests keep coming: swr answers with the stale entry and
// refreshes behind the callers' backs; xfetch refreshes before expiry,
// one caller at random. Both hold a lock per URL (keyed) for the fetch,
// and on an empty cache behave as keyed.

// getStale is swr, stale-while-revalidate (HTTP's Cache-Control
// directive, the SWR library, Varnish's grace): a fresh entry is a hit;
// an expired one is answered at once, marked stale, and one background
// refresh per URL fetches the new one under the URL's lock. Nobody waits
// unless the cache is empty:
//
//	entry = cache.get(url)
//	if entry is None:
//	    return await get_stuff(url)        # as keyed: lock, check, fetch
//	if entry.expired and url not in refreshing:
//	    refreshing[url] = asyncio.create_task(refresh(url))
//	return entry.value                     # stale or not, at once
func (l *Loader) getStale(ctx context.Context, c caller, url string) (Response, error) {
	r, st := l.lookup(ctx, c, url, 0)
	switch st {
	case entryFresh:
		return r, nil
	case entryExpired:
		if !l.quiet {
			l.emitStale(c, r, url)
		}
		l.refreshInBackground(ctx, c, url)
		return r, nil
	}
	return l.getLocked(ctx, c, url)
}

// refreshInBackground starts a refresh of url unless one is running. It
// holds url's lock, checks the store again (a cold caller or another tab
// may have refreshed it), and fetches. It runs under ctx, the run's, and
// Wait waits for it; its events say Background and answer nobody.
func (l *Loader) refreshInBackground(ctx context.Context, c caller, url string) {
	l.mu.Lock()
	if l.refreshing[url] {
		l.mu.Unlock()
		return
	}
	if l.refreshing == nil {
		l.refreshing = make(map[string]bool)
	}
	l.refreshing[url] = true
	l.mu.Unlock()

	c.background = true
	l.bg.Add(1)
	go func() {
		defer l.bg.Done()
		defer func() {
			l.mu.Lock()
			delete(l.refreshing, url)
			l.mu.Unlock()
		}()
		unlock, _, err := l.acquire(ctx, c, url, url)
		if err != nil {
			l.emitError(c, url, err)
			return
		}
		defer l.release(c, url, unlock)
		_, st := l.peek(ctx, url)
		if st == entryFresh {
			return
		}
		if _, err := l.fetchStore(ctx, c, url, replaces(st)); err != nil {
			l.emitError(c, url, err)
		}
	}()
}

// getEarly is xfetch, probabilistic early expiration (Vattani,
// Chierichetti and Lowenstein, VLDB 2015): a caller that finds a fresh
// entry refreshes it early, and synchronously, when EarlyRefresh says so
// (now − delta·beta·ln(rand()) ≥ expiry); the others keep the fresh
// value. Only one early refresh per URL runs at a time: the caller that
// decides tries url's lock and, finding it held (someone is refreshing),
// keeps the fresh value too. A miss or an expired entry is keyed's:
//
//	entry = cache.get(url)
//	if entry is None or entry.expired:
//	    return await get_stuff(url)        # as keyed: lock, check, fetch
//	if now - entry.delta * beta * log(random()) >= entry.expiry:
//	    if not locks[url].locked():
//	        async with locks[url]:
//	            return await fetch_and_store(url)
//	return entry.value
func (l *Loader) getEarly(ctx context.Context, c caller, url string) (Response, error) {
	r, st := l.peek(ctx, url)
	if st != entryFresh {
		return l.getLocked(ctx, c, url)
	}
	expiry := r.ExpiresAt(l.cfg.TTL)
	if l.cfg.TTL <= 0 || !EarlyRefresh(time.Now(), expiry, r.Delta, l.beta, l.rand()) {
		if !l.quiet {
			l.emitHit(c, r, url, 0, "")
		}
		return *r, nil
	}
	unlock, ok := l.keyed.tryLock(url)
	if !ok { // another caller holds url's lock: it is refreshing
		if !l.quiet {
			l.emitHit(c, r, url, 0, "")
		}
		return *r, nil
	}
	l.emit(c, url, KindLockAcquired, "early refresh: the lock was free", "")
	defer l.release(c, url, unlock)
	// Checked again under the lock: a refresh may have ended between
	// our read and the lock.
	if now, st := l.peek(ctx, url); st == entryFresh && now.storedAt().After(r.storedAt()) {
		if !l.quiet {
			l.emitHit(c, now, url, 0, "")
		}
		return *now, nil
	}
	return l.fetchStore(ctx, c, url, replacing{exists: true, early: true, expiry: expiry})
}
