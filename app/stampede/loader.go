package stampede

import (
	"context"
	"errors"
	"fmt"
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
}

// Loader answers requests for URLs through a Store, fetching on a miss, with
// check-fetch-store guarded as its Strategy says. A Loader is one run's
// state (its locks, in-flight fetches and once jobs); it is safe for
// concurrent use.
type Loader struct {
	cfg    Config
	store  safeStore
	locker Locker // nil for None and Singleflight

	group singleflight.Group
	// quiet is set when Config.Sink is nil: nobody reads the events, so
	// Get neither builds them nor formats their details.
	quiet bool
	// nfail counts noted failures, so that the common case (no fetch
	// has failed) checks for shared failures without taking mu.
	nfail atomic.Int64

	// stored holds what this run put in the store, by URL. A caller that
	// waited for the lock reads it here rather than from the store: the
	// same entry, without an IndexedDB transaction each (about 1 ms in
	// wasm, so 2,000 waiters spent 2 s re-reading one entry).
	stored sync.Map // url -> Response

	mu       sync.Mutex             // protects the fields below
	inflight map[string]string      // singleflight key -> leader worker
	failures map[string]failure     // target -> last failure, for fan-out
	onces    map[string]onceOutcome // once name -> outcome
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
	l := &Loader{cfg: c, store: safeStore{c.Store}, quiet: quiet}
	switch c.Strategy {
	case Lock:
		l.locker = globalLocker{m: newMutex()}
	case Keyed:
		l.locker = new(keyedLocker)
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

func (l *Loader) emit(worker, target string, k Kind, detail, by string) {
	if l.quiet {
		return
	}
	l.cfg.Sink(Event{At: time.Since(l.cfg.Start), Worker: worker, Target: target, Kind: k, Detail: detail, By: by})
}

// Get returns url's response for worker: from the store, from another
// caller's fetch, or from its own network fetch, as the strategy allows.
// A failed fetch is never stored.
func (l *Loader) Get(ctx context.Context, worker, url string) (Response, error) {
	l.emit(worker, url, KindRequest, "get", "")
	var (
		r   Response
		err error
	)
	switch l.cfg.Strategy {
	case None:
		r, err = l.checkFetchStore(ctx, worker, url, 0)
	case Singleflight:
		r, err = l.getShared(ctx, worker, url)
	default:
		r, err = l.getLocked(ctx, worker, url)
	}
	if err != nil {
		l.emitError(worker, url, err)
	}
	return r, err
}

// Fetch is the `fetch` step: straight to the network, never through the
// cache or its lock, so it is never blocked by a caller holding the lock.
func (l *Loader) Fetch(ctx context.Context, worker, url string) (Response, error) {
	l.emit(worker, url, KindRequest, "fetch (no cache)", "")
	r, took, err := l.fetch(ctx, worker, url)
	if err != nil {
		l.emitError(worker, url, err)
		return r, err
	}
	if !l.quiet {
		l.emitDone(worker, url, r, false, describe(r, took))
	}
	return r, nil
}

// emitDone emits a fetch-done event carrying r's status, size and type,
// and whether r was stored.
func (l *Loader) emitDone(worker, url string, r Response, stored bool, detail string) {
	l.cfg.Sink(Event{At: time.Since(l.cfg.Start), Worker: worker, Target: url, Kind: KindFetchDone,
		Detail: detail, Status: r.Status, Size: r.Size(), ContentType: r.ContentType, Stored: stored})
}

// emitError emits an error event, with the HTTP status when err has one.
func (l *Loader) emitError(worker, url string, err error) {
	if l.quiet {
		return
	}
	e := Event{At: time.Since(l.cfg.Start), Worker: worker, Target: url, Kind: KindError, Detail: err.Error()}
	var herr *HTTPError
	if errors.As(err, &herr) {
		e.Status = herr.Status
	}
	l.cfg.Sink(e)
}

// getLocked is check-fetch-store inside the strategy's lock:
//
//	async with lock:
//	    if url in cache: return cache[url]
//	    stuff = await fetch(url)
//	    cache[url] = stuff
func (l *Loader) getLocked(ctx context.Context, worker, url string) (Response, error) {
	seen := l.failuresOf(url)
	unlock, waited, err := l.acquire(ctx, worker, url, url)
	if err != nil {
		return Response{}, err
	}
	defer l.release(worker, url, unlock)
	// A caller that waited while the holder's fetch failed shares that
	// failure: the error fans out to every waiter instead of each one
	// retrying in turn.
	if f, ok := l.failedSince(url, seen); ok && l.cfg.Strategy.dedups() {
		return Response{}, fmt.Errorf("shared failure of %s's fetch: %w", f.by, f.err)
	}
	return l.checkFetchStore(ctx, worker, url, waited)
}

// acquire takes the strategy's lock for key, emitting the wait.
func (l *Loader) acquire(ctx context.Context, worker, target, key string) (unlock func(), waited time.Duration, err error) {
	l.emit(worker, target, KindLockWait, "", "")
	t0 := time.Now()
	unlock, err = l.locker.Lock(ctx, key)
	waited = time.Since(t0)
	if err != nil {
		return nil, waited, fmt.Errorf("waiting %s for the lock on %s: %w", round(waited), target, err)
	}
	if !l.quiet {
		l.emit(worker, target, KindLockAcquired, "waited "+round(waited).String(), "")
	}
	return unlock, waited, nil
}

func (l *Loader) release(worker, target string, unlock func()) {
	unlock()
	l.emit(worker, target, KindLockReleased, "", "")
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
func (l *Loader) getShared(ctx context.Context, worker, url string) (Response, error) {
	if r, ok := l.storedByRun(url); ok {
		if !l.quiet {
			l.emitHit(worker, r, url, 0, "")
		}
		return r, nil
	}
	ran := false // set by our fn only if singleflight runs it; read after the result arrives
	l.mu.Lock()
	leader, waiting := l.inflight[url]
	if !waiting {
		if l.inflight == nil {
			l.inflight = make(map[string]string)
		}
		l.inflight[url] = worker
	}
	ch := l.group.DoChan(url, func() (any, error) {
		ran = true
		defer func() {
			l.mu.Lock()
			delete(l.inflight, url)
			l.mu.Unlock()
		}()
		if r, ok := l.lookup(ctx, worker, url, 0); ok {
			return flight{r, true}, nil
		}
		r, err := l.fetchStore(ctx, worker, url)
		return flight{r, false}, err
	})
	l.mu.Unlock()
	t0 := time.Now()
	if waiting && !l.quiet {
		l.emit(worker, url, KindLockWait, "in-flight fetch by "+leader, leader)
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
			l.emitHit(worker, f.r, url, time.Since(t0), "the leader's cache read")
		default:
			l.emit(worker, url, KindShared, "waited "+round(time.Since(t0)).String(), f.r.FetchedBy)
		}
		return f.r, nil
	case <-ctx.Done():
		return Response{}, fmt.Errorf("waiting %s for the in-flight fetch of %s: %w", round(time.Since(t0)), url, ctx.Err())
	}
}

// lookup answers from the store. A store that fails to read is treated as
// a miss, noted on the error the caller may later report.
func (l *Loader) lookup(ctx context.Context, worker, url string, waited time.Duration) (Response, bool) {
	r, ok := l.storedByRun(url)
	if !ok {
		var err error
		r, ok, err = l.store.Get(ctx, url)
		if err != nil || !ok {
			return Response{}, false
		}
	}
	if !l.quiet {
		l.emitHit(worker, r, url, waited, "the lock")
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
func (l *Loader) emitHit(worker string, r Response, url string, waited time.Duration, what string) {
	detail := ""
	if waited > 0 {
		detail = "after waiting " + round(waited).String() + " for " + what
	}
	l.cfg.Sink(Event{At: time.Since(l.cfg.Start), Worker: worker, Target: url, Kind: KindCacheHit,
		Detail: detail, By: r.FetchedBy, ByRun: r.RunID})
}

// checkFetchStore is the critical section.
func (l *Loader) checkFetchStore(ctx context.Context, worker, url string, waited time.Duration) (Response, error) {
	if r, ok := l.lookup(ctx, worker, url, waited); ok {
		return r, nil
	}
	return l.fetchStore(ctx, worker, url)
}

// fetchStore fetches url and stores the response; a failed fetch is
// noted for the callers that waited on it and never stored.
func (l *Loader) fetchStore(ctx context.Context, worker, url string) (Response, error) {
	r, took, err := l.fetch(ctx, worker, url)
	if err != nil {
		l.noteFailure(url, worker, err)
		return Response{}, err
	}
	// The entry is written whole in one Put; a failed Put leaves the old
	// state and the caller still gets its response.
	if err := l.store.Put(ctx, url, r); err != nil {
		if !l.quiet {
			l.emitDone(worker, url, r, false, describe(r, took)+"; not cached: "+err.Error())
		}
		return r, nil
	}
	l.stored.Store(url, r)
	if !l.quiet {
		l.emitDone(worker, url, r, true, describe(r, took))
	}
	return r, nil
}

// fetch makes one network request, after the added latency, and says how
// long the network took.
func (l *Loader) fetch(ctx context.Context, worker, url string) (Response, time.Duration, error) {
	if d := l.cfg.Latency; d > 0 {
		if err := sleep(ctx, d); err != nil {
			return Response{}, 0, fmt.Errorf("during %v added latency before fetching %s: %w", d, url, err)
		}
	}
	if !l.quiet {
		e := Event{At: time.Since(l.cfg.Start), Worker: worker, Target: url, Kind: KindFetchStart, AddedLatency: l.cfg.Latency}
		if e.AddedLatency > 0 {
			e.Detail = "after " + e.AddedLatency.String() + " added latency (not network time)"
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
	r.FetchedBy = worker
	r.RunID = l.cfg.RunID
	return r, took, nil
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
