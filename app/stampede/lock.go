package stampede

import (
	"context"
	"sync"
	"sync/atomic"
)

// A Locker hands out exclusive locks by key. Lock blocks until the lock for
// key is held or ctx is done; on error nothing is held and no waiter is
// left behind. The returned unlock must be called exactly once.
//
// The engine's in-page strategies use the Lockers below; the crosstab
// strategy plugs in one backed by the browser's Web Locks API.
type Locker interface {
	Lock(ctx context.Context, key string) (unlock func(), err error)
}

// mutex is a lock whose wait honours a context. The zero value is not
// ready: use newMutex.
type mutex struct {
	ch chan struct{} // holds a token while the lock is held
	// unlock lets go of the lock. It is made once, in newMutex, so that
	// handing it out as a Locker's unlock allocates nothing: a method
	// value would, inside the critical section of every caller.
	unlock func()
}

func newMutex() mutex {
	ch := make(chan struct{}, 1)
	return mutex{ch: ch, unlock: func() { <-ch }}
}

func (m mutex) lock(ctx context.Context) error {
	// Prefer the lock when both are ready, but never block past ctx.
	select {
	case m.ch <- struct{}{}:
		return nil
	default:
	}
	select {
	case m.ch <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// tryLock takes the lock if it is free, without waiting.
func (m mutex) tryLock() bool {
	select {
	case m.ch <- struct{}{}:
		return true
	default:
		return false
	}
}

// globalLocker is one lock for every key: the asyncio.Lock example.
type globalLocker struct{ m mutex }

func (g globalLocker) Lock(ctx context.Context, _ string) (func(), error) {
	if err := g.m.lock(ctx); err != nil {
		return nil, err
	}
	return g.m.unlock, nil
}

// keyedLocker is a lock per key. Entries are reference counted and removed
// when nobody holds or waits for them, so the map stays as small as the
// set of keys in use.
type keyedLocker struct {
	mu    sync.Mutex // protects locks
	locks map[string]*keyedEntry
}

type keyedEntry struct {
	m    mutex
	refs int // holders and waiters; guarded by keyedLocker.mu
	// held counts the times the lock was taken, so that an unlock lets
	// go only of the hold it was made for, once.
	held atomic.Uint64
}

func (k *keyedLocker) Lock(ctx context.Context, key string) (func(), error) {
	e := k.ref(key)
	if err := e.m.lock(ctx); err != nil {
		k.unref(e, key)
		return nil, err
	}
	return k.unlocker(e, key), nil
}

// tryLock takes the lock for key if it is free, without waiting.
func (k *keyedLocker) tryLock(key string) (unlock func(), ok bool) {
	e := k.ref(key)
	if !e.m.tryLock() {
		k.unref(e, key)
		return nil, false
	}
	return k.unlocker(e, key), true
}

// ref returns key's entry, counting the caller in until unref.
func (k *keyedLocker) ref(key string) (e *keyedEntry) {
	k.mu.Lock()
	if k.locks == nil {
		k.locks = make(map[string]*keyedEntry)
	}
	e = k.locks[key]
	if e == nil {
		e = &keyedEntry{m: newMutex()}
		k.locks[key] = e
	}
	e.refs++
	k.mu.Unlock()
	return e
}

// unref counts the caller out of e, and forgets key when nobody is left.
func (k *keyedLocker) unref(e *keyedEntry, key string) {
	k.mu.Lock()
	e.refs--
	if e.refs == 0 {
		delete(k.locks, key)
	}
	k.mu.Unlock()
}

// unlocker lets go of e, held by the caller, once: one closure of values
// (no sync.Once, no closure for the reference) per hold.
func (k *keyedLocker) unlocker(e *keyedEntry, key string) func() {
	n := e.held.Add(1)
	return func() {
		if e.held.CompareAndSwap(n, n+1) {
			e.m.unlock()
			k.unref(e, key)
		}
	}
}

// perCallLocker creates a new lock on every call: the bug of writing
// `lock = asyncio.Lock()` inside the function. Each caller gets its own
// lock, so it never waits and protects nothing.
type perCallLocker struct{}

func (perCallLocker) Lock(ctx context.Context, key string) (func(), error) {
	return globalLocker{m: newMutex()}.Lock(ctx, key)
}
