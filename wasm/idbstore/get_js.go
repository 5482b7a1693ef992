//go:build js && wasm

package idbstore

import (
	"context"
	"sync"
	"syscall/js"
)

// The cache-hit path reads with IndexedDB's own calls instead of
// go-indexeddb's wrappers: a readonly transaction, one get, and two
// listeners shared by every read, which find their caller by the id the
// request carries. go-indexeddb made a hit about twice as slow as the
// same get in JavaScript (BENCHMARKS.md: its request wrapper creates and
// releases JavaScript functions and a promise for every request).

// reads are the gets waiting for IndexedDB, by the id their request carries.
var reads struct {
	sync.Mutex
	next    int
	waiting map[int]chan readResult
}

// readResult is what a get's request ended with.
type readResult struct {
	v   js.Value
	err error
}

// readIDKey is the property of an IDBRequest that holds its get's id.
const readIDKey = "__stampedeRead"

// readListeners are the onsuccess and onerror listeners of every get.
var readListeners = sync.OnceValue(func() [2]js.Func {
	settle := func(event js.Value, ok bool) {
		req := event.Get("target")
		id := req.Get(readIDKey)
		if id.Type() != js.TypeNumber {
			return
		}
		reads.Lock()
		ch := reads.waiting[id.Int()]
		delete(reads.waiting, id.Int())
		reads.Unlock()
		if ch == nil {
			return // its caller gave up (ctx)
		}
		if ok {
			ch <- readResult{v: req.Get("result")}
		} else {
			event.Call("preventDefault") // handled here: the transaction need not abort loudly
			ch <- readResult{err: js.Error{Value: req.Get("error")}}
		}
	}
	return [2]js.Func{
		js.FuncOf(func(_ js.Value, args []js.Value) any {
			_ = try(func() { settle(args[0], true) })
			return nil
		}),
		js.FuncOf(func(_ js.Value, args []js.Value) any {
			_ = try(func() { settle(args[0], false) })
			return nil
		}),
	}
})

// read gets the stored value of key in one readonly transaction. A
// JavaScript exception (a closing connection, say) panics, as syscall/js
// raises it; the caller's wrap turns it into an error.
func (s *Store) read(ctx context.Context, key string) (js.Value, error) {
	if err := s.ready(ctx); err != nil {
		return js.Value{}, err
	}
	l := readListeners()
	ch := make(chan readResult, 1)
	reads.Lock()
	if reads.waiting == nil {
		reads.waiting = map[int]chan readResult{}
	}
	reads.next++
	id := reads.next
	reads.waiting[id] = ch
	reads.Unlock()
	forget := func() {
		reads.Lock()
		delete(reads.waiting, id)
		reads.Unlock()
	}
	var req js.Value
	if err := try(func() {
		req = s.jsDB.Call("transaction", ObjectStore, "readonly").Call("objectStore", ObjectStore).Call("get", key)
	}); err != nil {
		forget()
		if c := s.closed.Load(); c != nil {
			return js.Value{}, c.err
		}
		return js.Value{}, err
	}
	req.Set(readIDKey, id)
	req.Set("onsuccess", l[0])
	req.Set("onerror", l[1])
	select {
	case r := <-ch:
		return r.v, r.err
	case <-ctx.Done():
		forget()
		return js.Value{}, ctx.Err()
	}
}
