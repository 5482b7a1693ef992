package stampede

import (
	"context"
	"sync"
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
type mutex chan struct{}

func newMutex() mutex { return make(mutex, 1) }

func (m mutex) lock(ctx context.Context) error {
	// Prefer the lock when both are ready, but never block past ctx.
	select {
	case m <- struct{}{}:
		return nil
	default:
	}
	select {
	case m <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (m mutex) unlock() { <-m }

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
}

func (k *keyedLocker) Lock(ctx context.Context, key string) (func(), error) {
	e, release := k.ref(key)
	if err := e.m.lock(ctx); err != nil {
		release()
		return nil, err
	}
	return unlocker(e, release), nil
}

// tryLock takes the lock for key if it is free, without waiting.
func (k *keyedLocker) tryLock(key string) (unlock func(), ok bool) {
	e, release := k.ref(key)
	select {
	case e.m <- struct{}{}:
		return unlocker(e, release), true
	default:
		release()
		return nil, false
	}
}

// ref returns key's entry, counting the caller in until release.
func (k *keyedLocker) ref(key string) (e *keyedEntry, release func()) {
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

	return e, func() {
		k.mu.Lock()
		e.refs--
		if e.refs == 0 {
			delete(k.locks, key)
		}
		k.mu.Unlock()
	}
}

// unlocker lets go of e, once.
func unlocker(e *keyedEntry, release func()) func() {
	var once sync.Once
	return func() {
		once.Do(func() {
			e.m.unlock()
			release()
		})
	}
}

// perCallLocker creates a new lock on every call: the bug of writing
// `lock = asyncio.Lock()` inside the function. Each caller gets its own
// lock, so it never waits and protects nothing.
type perCallLocker struct{}

func (perCallLocker) Lock(ctx context.Context, key string) (func(), error) {
	return globalLocker{m: newMutex()}.Lock(ctx, key)
}
