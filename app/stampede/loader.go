package stampede

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"
)

// Config configures a Loader.
type Config struct {
	Strategy Strategy
	Fetcher  Fetcher // required
	Store    Store   // nil means a fresh MemoryStore
	// CrossTab is the Locker the crosstab strategy holds per URL; it is
	// required for that strategy and unused by the others.
	CrossTab Locker
	// Latency is added before every network fetch. It is labelled in the
	// fetch-start event so the log never passes it off as network time.
	Latency time.Duration
	// Timeout bounds each network fetch, from its request to its last
	// byte; zero means DefaultTimeout. A fetch that takes longer fails
	// with an error wrapping ErrTimeout.
	Timeout time.Duration
	Sink    func(Event) // receives every event; nil discards them
	RunID   string      // stamped on stored responses
	Start   time.Time   // event times count from here; zero means now
	// TTL is how long a stored entry stays fresh, from its StoredAt; an
	// entry is expired when now >= StoredAt+TTL (see Response.Expired).
	// 0 means entries never expire; at most MaxTTL.
	TTL time.Duration
	// Beta is xfetch's beta (how eagerly it refreshes early); 0 means
	// DefaultBeta, at most MaxBeta. Only xfetch reads it.
	Beta float64
	// Rand is xfetch's random source: each call returns a number in
	// (0, 1], uniformly; it must be safe for concurrent use. nil means
	// math/rand/v2. Tests inject one.
	Rand func() float64
}

// Loader answers requests for URLs through a Store, fetching on a miss, with
// check-fetch-store guarded as its Strategy says. A Loader is one run's
// state (its locks, in-flight fetches and once jobs); it is safe for
// concurrent use.
type Loader struct {
	cfg    Config
	store  safeStore
	locker Locker       // nil for None and Singleflight
	keyed  *keyedLocker // the locker, for swr and xfetch; they also try it
	beta   float64      // xfetch's, DefaultBeta when Config.Beta is 0
	rand   func() float64

	group singleflight.Group
	// quiet is set when Config.Sink is nil: nobody reads the events, so
	// Get neither builds them nor formats their details.
	quiet bool
	// nfail counts noted failures, so that the common case (no fetch
	// has failed) checks for shared failures without taking mu.
	nfail atomic.Int64

	// stored holds what this run put in the store, by URL, or found
	// there. A caller that waited for the lock reads it here rather than
	// from the store: the same entry, without an IndexedDB transaction
	// each (about 1 ms in wasm, so 2,000 waiters spent 2 s re-reading one
	// entry). Under crosstab an expired one sends the caller to the
	// store, where another tab may have put a newer one.
	stored sync.Map // url -> Response

	// bg counts background refreshes (swr) and singleflight flights
	// still running; Wait waits for them. A flight runs in a goroutine of
	// its own (DoChan), which a cancelled leader does not wait for.
	bg sync.WaitGroup

	mu         sync.Mutex             // protects the fields below
	inflight   map[string]string      // singleflight key -> leader worker
	failures   map[string]failure     // target -> last failure, for fan-out
	onces      map[string]onceOutcome // once name -> outcome
	refreshing map[string]bool        // url -> a background refresh is running
}

// failure remembers the latest failed fetch of a target, so callers that
// waited on it share its error instead of fetching again.
type failure struct {
	n   int // failures of this target so far
	err error
	by  string
}

type onceOutcome struct {
	by  string
	err error
}

// ErrNoCrossTab reports the crosstab strategy without a cross-tab Locker,
// as in a browser without Web Locks.
var ErrNoCrossTab = errors.New("the crosstab strategy needs Web Locks (navigator.locks), which this browser does not have")

// NewLoader checks c and returns a Loader for one run.
func NewLoader(c Config) (*Loader, error) {
	if c.Fetcher == nil {
		return nil, errors.New("stampede: Config.Fetcher is nil")
	}
	if _, err := ParseStrategy(string(c.Strategy)); err != nil {
		return nil, err
	}
	if c.Store == nil {
		c.Store = new(MemoryStore)
	}
	quiet := c.Sink == nil
	if quiet {
		c.Sink = func(Event) {}
	}
	if c.Start.IsZero() {
		c.Start = time.Now()
	}
	if c.Latency < 0 {
		return nil, fmt.Errorf("added latency %v is negative", c.Latency)
	}
	if c.Timeout < 0 {
		return nil, fmt.Errorf("fetch timeout %v is negative", c.Timeout)
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if err := CheckTTL(c.TTL); err != nil {
		return nil, err
	}
	if err := CheckBeta(c.Beta); err != nil {
		return nil, err
	}
	l := &Loader{cfg: c, store: safeStore{c.Store}, quiet: quiet, beta: c.Beta, rand: c.Rand}
	if l.beta == 0 {
		l.beta = DefaultBeta
	}
	if l.rand == nil {
		l.rand = func() float64 { return 1 - rand.Float64() }
	}
	switch c.Strategy {
	case Lock:
		l.locker = globalLocker{m: newMutex()}
	case Keyed:
		l.locker = new(keyedLocker)
	case SWR, XFetch:
		l.keyed = new(keyedLocker)
		l.locker = l.keyed
	case PerCall:
		l.locker = perCallLocker{}
	case CrossTab:
		if c.CrossTab == nil {
			return nil, ErrNoCrossTab
		}
		l.locker = c.CrossTab
	}
	return l, nil
}

// Strategy is the Loader's strategy.
func (l *Loader) Strategy() Strategy { return l.cfg.Strategy }

// Wait waits for the background refreshes (swr) that Get started; each
// runs under the context of the Get that started it. Call it after the
// last Get has returned. Run does.
func (l *Loader) Wait() { l.bg.Wait() }

// caller is who asks, as the events name them.
type caller struct {
	worker     string
	rep        int       // repetition of a steady line, from 1; 0 if the line runs once
	asked      time.Time // when the step asked: its answer carries the time since
	noCache    bool      // a fetch step
	background bool      // a refresh nobody waits for
}

// event is an event of c's, stamped with the time.
func (l *Loader) event(c caller, target string, k Kind) Event {
	return Event{At: time.Since(l.cfg.Start), Worker: c.worker, Rep: c.rep, Target: target, Kind: k,
		NoCache: c.noCache, Background: c.background}
}

func (l *Loader) emit(c caller, target string, k Kind, detail, by string) {
	if l.quiet {
		return
	}
	e := l.event(c, target, k)
	e.Detail, e.By = detail, by
	l.cfg.Sink(e)
}

// answer emits e as the answer to c's step, with the time it took; a
// background refresh's events answer nobody.
func (l *Loader) answer(c caller, e Event) {
	if !c.background {
		e.Answer = true
		e.Took = time.Since(c.asked)
	}
	l.cfg.Sink(e)
}

// since is t as time since the run started, for Event.ExpiresAt.
func (l *Loader) since(t time.Time) time.Duration { return t.Sub(l.cfg.Start) }

// Get returns url's response for worker: from the store, from another
// caller's fetch, or from its own network fetch, as the strategy allows.
// A failed fetch is never stored.
func (l *Loader) Get(ctx context.Context, worker, url string) (Response, error) {
	return l.get(ctx, caller{worker: worker}, url)
}

func (l *Loader) get(ctx context.Context, c caller, url string) (Response, error) {
	c.asked = time.Now()
	l.emit(c, url, KindRequest, "get", "")
	var (
		r   Response
		err error
	)
	switch l.cfg.Strategy {
	case None:
		r, err = l.checkFetchStore(ctx, c, url, 0)
	case Singleflight:
		r, err = l.getShared(ctx, c, url)
	case SWR:
		r, err = l.getStale(ctx, c, url)
	case XFetch:
		r, err = l.getEarly(ctx, c, url)
	default:
		r, err = l.getLocked(ctx, c, url)
	}
	if err != nil {
		l.emitError(c, url, err)
	}
	return r, err
}

// Fetch is the `fetch` step: straight to the network, never through the
// cache or its lock, so it is never blocked by a caller holding the lock.
func (l *Loader) Fetch(ctx context.Context, worker, url string) (Response, error) {
	return l.fetchStep(ctx, caller{worker: worker}, url)
}

func (l *Loader) fetchStep(ctx context.Context, c caller, url string) (Response, error) {
	c.asked, c.noCache = time.Now(), true
	l.emit(c, url, KindRequest, "fetch (no cache)", "")
	r, took, err := l.fetch(ctx, c, url, replacing{})
	if err != nil {
		l.emitError(c, url, err)
		return r, err
	}
	if !l.quiet {
		l.emitDone(c, url, r, false, replacing{}, describe(r, took))
	}
	return r, nil
}

// emitDone emits a fetch-done event carrying r's status, size and type,
// whether r was stored, and what it replaced.
func (l *Loader) emitDone(c caller, url string, r Response, stored bool, old replacing, detail string) {
	e := l.event(c, url, KindFetchDone)
	e.Detail, e.Status, e.Size, e.ContentType, e.Stored = detail, r.Status, r.Size(), r.ContentType, stored
	e.Refresh, e.Early = old.exists, old.early
	if stored && l.cfg.TTL > 0 {
		e.ExpiresAt = l.since(r.ExpiresAt(l.cfg.TTL))
	}
	l.answer(c, e)
}

// emitError emits an error event, with the HTTP status when err has one.
func (l *Loader) emitError(c caller, url string, err error) {
	if l.quiet {
		return
	}
	e := l.event(c, url, KindError)
	e.Detail = err.Error()
	var herr *HTTPError
	if errors.As(err, &herr) {
		e.Status = herr.Status
	}
	l.answer(c, e)
}

// getLocked is check-fetch-store inside the strategy's lock:
//
//	async with lock:
//	    if url in cache: return cache[url]
//	    stuff = await fetch(url)
//	    cache[url] = stuff
func (l *Loader) getLocked(ctx context.Context, c caller, url string) (Response, error) {
	// crosstab's lock is the browser's, across tabs, and each handoff
	// waits its turn among them: a fresh entry this tab holds is answered
	// without it (otherwise the store is checked again under the lock).
	if l.cfg.Strategy == CrossTab {
		if r, ok := l.freshHit(c, url); ok {
			return r, nil
		}
	}
	seen := l.failuresOf(url)
	unlock, waited, err := l.acquire(ctx, c, url, url)
	if err != nil {
		return Response{}, err
	}
	defer l.release(c, url, unlock)
	// A caller that waited while the holder's fetch failed shares that
	// failure: the error fans out to every waiter instead of each one
	// retrying in turn.
	if f, ok := l.failedSince(url, seen); ok && l.cfg.Strategy.dedups() {
		return Response{}, fmt.Errorf("shared failure of %s's fetch: %w", f.by, f.err)
	}
	return l.checkFetchStore(ctx, c, url, waited)
}

// acquire takes the strategy's lock for key, emitting the wait.
func (l *Loader) acquire(ctx context.Context, c caller, target, key string) (unlock func(), waited time.Duration, err error) {
	l.emit(c, target, KindLockWait, "", "")
	t0 := time.Now()
	unlock, err = l.locker.Lock(ctx, key)
	waited = time.Since(t0)
	if err != nil {
		return nil, waited, fmt.Errorf("waiting %s for the lock on %s: %w", round(waited), target, err)
	}
	if !l.quiet {
		l.emit(c, target, KindLockAcquired, "waited "+round(waited).String(), "")
	}
	return unlock, waited, nil
}

func (l *Loader) release(c caller, target string, unlock func()) {
	unlock()
	l.emit(c, target, KindLockReleased, "", "")
}

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
	if r, ok := l.freshHit(c, url); ok {
		return r, nil
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
		l.emit(c, url, KindLockWait, "in-flight fetch by "+leader, leader)
	}
	select {
	case res := <-ch:
		f, _ := res.Val.(flight)
		if ran {
			return f.r, res.Err
		}
		if res.Err != nil {
			return Response{}, fmt.Errorf("shared failure of the in-flight fetch: %w", res.Err)
		}
		switch {
		case l.quiet:
		case f.cached:
			l.emitHit(c, f.r, url, time.Since(t0), "the leader's cache read")
		default:
			e := l.event(c, url, KindShared)
			e.Detail, e.By = "waited "+round(time.Since(t0)).String(), f.r.FetchedBy
			l.answer(c, e)
		}
		return f.r, nil
	case <-ctx.Done():
		// A flight we lead runs under our ctx, so it ends at once now;
		// Run waits for it (bg) before it returns.
		return Response{}, fmt.Errorf("waiting %s for the in-flight fetch of %s: %w", round(time.Since(t0)), url, ctx.Err())
	}
}

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
	l.stored.Store(url, r)
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
