//go:build js && wasm

package weblock

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func newLocker(t *testing.T) *Locker {
	t.Helper()
	l, err := New()
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { waitIdle(t, l) })
	return l
}

func lock(t *testing.T, l *Locker, key string) func() {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	unlock, err := l.Lock(ctx, key)
	if err != nil {
		t.Fatalf("Lock(%q): %v", key, err)
	}
	return unlock
}

// waitIdle fails the test unless navigator.locks.query() comes to show
// none of this package's locks held or pending.
func waitIdle(t *testing.T, l *Locker) {
	t.Helper()
	if st := settle(t, l); len(st.Held) != 0 || len(st.Pending) != 0 {
		t.Errorf("locks still held %q and pending %q", st.Held, st.Pending)
	}
}

// settle waits up to 3s for navigator.locks.query() to show none of this
// package's locks held or pending, and returns what it showed last: the
// browser lets a lock go shortly after unlock returns, not at once.
func settle(t *testing.T, l *Locker) State {
	t.Helper()
	var st State
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		st = query(t, l)
		if len(st.Held) == 0 && len(st.Pending) == 0 {
			break
		}
	}
	return st
}

func query(t *testing.T, l *Locker) State {
	t.Helper()
	st, err := l.Query(context.Background())
	if err != nil {
		t.Fatalf("Query: %v", err)
	}
	return st
}

func TestMutualExclusion(t *testing.T) {
	l := newLocker(t)
	other, err := New() // a second Locker shares the browser's locks
	if err != nil {
		t.Fatal(err)
	}
	const n = 8
	var inside, maxInside, entered atomic.Int32
	var wg sync.WaitGroup
	for i := range n {
		lk := l
		if i%2 == 1 {
			lk = other
		}
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			unlock, err := lk.Lock(ctx, "same")
			if err != nil {
				t.Errorf("Lock: %v", err) // not Fatal: another goroutine
				return
			}
			now := inside.Add(1)
			for {
				m := maxInside.Load()
				if now <= m || maxInside.CompareAndSwap(m, now) {
					break
				}
			}
			entered.Add(1)
			time.Sleep(10 * time.Millisecond)
			inside.Add(-1)
			unlock()
		})
	}
	wg.Wait()
	if got := entered.Load(); got != n {
		t.Errorf("%d of %d callers got the lock", got, n)
	}
	if got := maxInside.Load(); got != 1 {
		t.Errorf("%d callers held the lock at once; want 1", got)
	}
}

func TestHeldUntilUnlock(t *testing.T) {
	l := newLocker(t)
	unlock := lock(t, l, "held")
	if st := query(t, l); !slices.Equal(st.Held, []string{"stampede:held"}) {
		t.Errorf("held %q; want [stampede:held]", st.Held)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	if _, err := l.Lock(ctx, "held"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second Lock while held: %v; want DeadlineExceeded", err)
	}
	unlock()
	lock(t, l, "held")() // granted now
}

func TestIndependentKeys(t *testing.T) {
	l := newLocker(t)
	unlockA := lock(t, l, "a")
	defer unlockA()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	t0 := time.Now()
	unlockB, err := l.Lock(ctx, "b")
	if err != nil {
		t.Fatalf("Lock(b) while a is held: %v", err)
	}
	unlockB()
	if d := time.Since(t0); d > 500*time.Millisecond {
		t.Errorf("Lock(b) took %v while a was held; want no wait", d)
	}
}

// TestCancelledWaiter: a waiter whose ctx ends returns promptly with
// ctx's error and leaves no pending request behind.
func TestCancelledWaiter(t *testing.T) {
	l := newLocker(t)
	unlock := lock(t, l, "busy")
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := l.Lock(ctx, "busy")
		errc <- err
	}()
	// Wait until the browser has queued the request.
	for deadline := time.Now().Add(2 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if st := query(t, l); len(st.Pending) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the waiter's request never showed as pending")
		}
	}
	t0 := time.Now()
	cancel()
	select {
	case err := <-errc:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled Lock: %v; want context.Canceled", err)
		}
		if d := time.Since(t0); d > 200*time.Millisecond {
			t.Errorf("cancelled Lock returned after %v; want promptly", d)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("cancelled Lock did not return")
	}
	st := query(t, l)
	if len(st.Pending) != 0 || !slices.Equal(st.Held, []string{"stampede:busy"}) {
		t.Errorf("after cancelling: held %q, pending %q; want only the holder", st.Held, st.Pending)
	}
	unlock()
}

func TestCancelledBeforeCall(t *testing.T) {
	l := newLocker(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := l.Lock(ctx, "x"); !errors.Is(err, context.Canceled) {
		t.Errorf("Lock with a done ctx: %v; want context.Canceled", err)
	}
}

// TestCancelAfterGrant: ending ctx after the grant does not release the
// lock; unlock does.
func TestCancelAfterGrant(t *testing.T) {
	l := newLocker(t)
	ctx, cancel := context.WithCancel(context.Background())
	unlock, err := l.Lock(ctx, "kept")
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	time.Sleep(20 * time.Millisecond)
	if st := query(t, l); !slices.Equal(st.Held, []string{"stampede:kept"}) {
		t.Errorf("held %q after cancel; want the lock still held", st.Held)
	}
	unlock()
}

// TestCancelRacesGrant cancels waiters just as the holder lets go, in
// many interleavings: whoever wins, navigator.locks.query() shows nothing
// held or queued afterwards.
func TestCancelRacesGrant(t *testing.T) {
	l := newLocker(t)
	won := 0
	for i := range 20 {
		key := fmt.Sprint("race", i)
		unlock := lock(t, l, key)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan bool, 1)
		go func() {
			u, err := l.Lock(ctx, key)
			if err == nil {
				u()
			} else if !errors.Is(err, context.Canceled) {
				t.Errorf("round %d: Lock: %v; want the lock or context.Canceled", i, err)
			}
			done <- err == nil
		}()
		time.Sleep(time.Duration(i%5) * time.Millisecond)
		unlock()
		if i%2 == 0 {
			time.Sleep(time.Duration(i%3) * time.Millisecond)
		}
		cancel()
		if <-done {
			won++
		}
		if st := settle(t, l); len(st.Held) != 0 || len(st.Pending) != 0 {
			t.Fatalf("round %d: held %q, pending %q after the race; want nothing", i, st.Held, st.Pending)
		}
	}
	t.Logf("the waiter got the lock in %d of 20 rounds and was cancelled in the rest", won)
}

func TestUnlockTwice(t *testing.T) {
	l := newLocker(t)
	unlock := lock(t, l, "twice")
	unlock()
	unlock() // harmless
	u2 := lock(t, l, "twice")
	unlock() // still harmless: it must not release the new holder's lock
	if st := query(t, l); !slices.Equal(st.Held, []string{"stampede:twice"}) {
		t.Errorf("held %q; want the second holder's lock", st.Held)
	}
	u2()
}
