//go:build js && wasm

package weblock

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"syscall/js"
)

// Locker is a stampede.Locker on the Web Locks API. Use New. A Locker is
// safe for concurrent use; all its state is in the browser.
type Locker struct {
	locks js.Value // navigator.locks
}

// New returns a Locker on navigator.locks, or ErrUnsupported when the
// browser has no Web Locks (an old browser, or a page that is not a
// secure context: Web Locks need https or localhost).
func New() (l *Locker, err error) {
	defer func() {
		if p := recover(); p != nil { // syscall/js panics when JavaScript throws
			l, err = nil, fmt.Errorf("%w (%v)", ErrUnsupported, p)
		}
	}()
	nav := js.Global().Get("navigator")
	if !nav.Truthy() {
		return nil, ErrUnsupported
	}
	locks := nav.Get("locks")
	if !locks.Truthy() || locks.Get("request").Type() != js.TypeFunction {
		return nil, ErrUnsupported
	}
	return &Locker{locks: locks}, nil
}

// grant is what the request's callback hands Go: the function that
// settles the Promise the browser holds the lock for.
type grant struct{ release js.Value }

// Lock requests the exclusive Web Lock LockName(key) and waits until the
// browser grants it or ctx is done. The lock is held, for every tab of
// the origin, until unlock is called; unlock is idempotent, and the
// browser lets the lock go shortly after it returns.
//
// If ctx ends before the grant, the request is aborted through its
// AbortSignal, so no request is left queued, and Lock returns ctx's
// error; should the browser have granted the lock in that instant, Lock
// lets it go again before returning. Once Lock has returned the lock,
// ending ctx does not release it: the caller holds it and must call
// unlock, as with every stampede.Locker.
func (l *Locker) Lock(ctx context.Context, key string) (unlock func(), err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	name := LockName(key)
	granted := make(chan grant, 1) // the callback runs at most once
	failed := make(chan error, 1)  // the request's promise settles once

	// The browser calls onGrant once the lock is ours; the lock is held
	// until the Promise it returns settles, which the Go side does by
	// calling release. Neither callback blocks: they only send on
	// buffered channels.
	var onGrant, onSettled, onRejected js.Func
	releaseFuncs := func() {
		onGrant.Release()
		onSettled.Release()
		onRejected.Release()
	}
	onGrant = js.FuncOf(func(js.Value, []js.Value) any {
		var release js.Value
		exec := js.FuncOf(func(_ js.Value, args []js.Value) any {
			release = args[0] // resolve
			return nil
		})
		held := js.Global().Get("Promise").New(exec) // runs exec at once
		exec.Release()
		granted <- grant{release: release}
		return held
	})
	// The request's own promise settles after the lock is let go (with
	// the held Promise's value) or when the request fails or is aborted
	// before the grant; either way no callback is called after that.
	onSettled = js.FuncOf(func(js.Value, []js.Value) any {
		releaseFuncs()
		return nil
	})
	onRejected = js.FuncOf(func(_ js.Value, args []js.Value) any {
		failed <- rejection(name, args)
		releaseFuncs()
		return nil
	})

	controller := js.Global().Get("AbortController").New()
	if err := request(l.locks, name, controller.Get("signal"), onGrant, onSettled, onRejected); err != nil {
		releaseFuncs()
		return nil, err
	}

	select {
	case g := <-granted:
		return unlocker(g), nil
	case err := <-failed:
		return nil, err
	case <-ctx.Done():
	}
	// ctx ended first. Aborting a queued request removes it and rejects
	// its promise; a request granted meanwhile is no longer queued, and
	// its callback is already on its way. Either outcome comes promptly.
	controller.Call("abort")
	select {
	case g := <-granted:
		unlocker(g)()
	case <-failed:
	}
	return nil, ctx.Err()
}

// request calls locks.request(name, {signal}, onGrant).then(onSettled,
// onRejected), turning a synchronous throw into an error.
func request(locks js.Value, name string, signal js.Value, onGrant, onSettled, onRejected js.Func) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("weblock: requesting %q: %v", name, p)
		}
	}()
	opts := js.Global().Get("Object").New()
	opts.Set("mode", "exclusive")
	opts.Set("signal", signal)
	locks.Call("request", name, opts, onGrant).Call("then", onSettled, onRejected)
	return nil
}

// unlocker returns an idempotent unlock for g.
func unlocker(g grant) func() {
	var once sync.Once
	return func() {
		once.Do(func() { g.release.Invoke() })
	}
}

// rejection turns the value a request was rejected with into an error.
// name is the lock's, or "" for no lock.
func rejection(name string, args []js.Value) error {
	what := "rejected"
	if len(args) > 0 {
		v := args[0]
		if v.Type() == js.TypeObject && v.Get("name").Type() == js.TypeString {
			what = v.Get("name").String() + ": " + v.Get("message").String()
		} else {
			what = js.Global().Get("String").Invoke(v).String()
		}
	}
	if name == "" {
		return errors.New(what)
	}
	return fmt.Errorf("weblock: lock %q: %s", name, what)
}

// Query returns the names of this package's locks that are held and
// waited for in the origin, as navigator.locks.query() reports them.
func (l *Locker) Query(ctx context.Context) (State, error) {
	snap, err := await(ctx, l.locks.Call("query"))
	if err != nil {
		return State{}, err
	}
	names := func(list js.Value) []string {
		var out []string
		for i := range list.Length() {
			n := list.Index(i).Get("name").String()
			if len(n) >= len(Prefix) && n[:len(Prefix)] == Prefix {
				out = append(out, n)
			}
		}
		return out
	}
	return State{Held: names(snap.Get("held")), Pending: names(snap.Get("pending"))}, nil
}

// await waits for the promise p or ctx. Its callbacks only send on a
// buffered channel and release themselves once p settles.
func await(ctx context.Context, p js.Value) (js.Value, error) {
	type result struct {
		v   js.Value
		err error
	}
	done := make(chan result, 1)
	var onOK, onErr js.Func
	onOK = js.FuncOf(func(_ js.Value, args []js.Value) any {
		done <- result{v: args[0]}
		onOK.Release()
		onErr.Release()
		return nil
	})
	onErr = js.FuncOf(func(_ js.Value, args []js.Value) any {
		done <- result{err: fmt.Errorf("weblock: navigator.locks.query(): %w", rejection("", args))}
		onOK.Release()
		onErr.Release()
		return nil
	})
	p.Call("then", onOK, onErr)
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		return js.Undefined(), ctx.Err()
	}
}
