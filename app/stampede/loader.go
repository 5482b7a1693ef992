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
	// Pace, when set, is called right after each wait of a caller (for a
	// lock, for a flight) and before each step; it may block (until
	// ctx ends). The page uses it to hand its one thread back to the
	// browser while thousands of callers wake in turn (see Options.Pace).
	Pace func(context.Context) error
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

// emit sends an event of c's with detail and by, unless nobody reads
// them. It is small enough to inline, so a quiet Loader's callers do not
// carry emitEvent's Event in their stack frames: with 10,000 goroutines
// each growing its stack, that frame space was most of the engine's
// cost.
func (l *Loader) emit(c caller, target string, k Kind, detail, by string) {
	if !l.quiet {
		l.emitEvent(c, target, k, detail, by)
	}
}

func (l *Loader) emitEvent(c caller, target string, k Kind, detail, by string) {
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

func (l *Loader) get(ctx context.Context, c caller, url string) (r Response, err error) {
	if !l.quiet {
		c.asked = time.Now() // only answer events read it
		l.emitEvent(c, url, KindRequest, "get", "")
	}
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
	if err != nil && !l.quiet {
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
		if r := l.freshHit(c, url); r != nil {
			return *r, nil
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
		return Response{}, f.shared()
	}
	return l.checkFetchStore(ctx, c, url, waited)
}

// acquire takes the strategy's lock for key, emitting the wait. waited
// is how long that took, measured only when the events need it.
func (l *Loader) acquire(ctx context.Context, c caller, target, key string) (unlock func(), waited time.Duration, err error) {
	l.emit(c, target, KindLockWait, "", "")
	t0 := time.Now()
	unlock, err = l.locker.Lock(ctx, key)
	if err == nil {
		if err = l.pace(ctx); err != nil {
			unlock()
		}
	}
	if err != nil {
		return nil, 0, lockErr(target, time.Since(t0), err)
	}
	if !l.quiet {
		// Under one lock this runs inside the critical section: a quiet
		// Loader does not read the clock there.
		waited = time.Since(t0)
		l.emitEvent(c, target, KindLockAcquired, "waited "+round(waited).String(), "")
	}
	return unlock, waited, nil
}

// pace calls Config.Pace, if any.
func (l *Loader) pace(ctx context.Context) error {
	if l.cfg.Pace == nil {
		return nil
	}
	return l.cfg.Pace(ctx)
}

func lockErr(target string, waited time.Duration, err error) error {
	return fmt.Errorf("waiting %s for the lock on %s: %w", round(waited), target, err)
}

func (l *Loader) release(c caller, target string, unlock func()) {
	unlock()
	l.emit(c, target, KindLockReleased, "", "")
}
