//go:build js && wasm

package idbstore

import (
	"context"
	"runtime"
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
		if ok {
			answer(id.Int(), readResult{v: req.Get("result")})
		} else {
			event.Call("preventDefault") // handled here: the transaction need not abort loudly
			answer(id.Int(), readResult{err: js.Error{Value: req.Get("error")}})
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

// Group reads. A stampede's callers check the cache together: hundreds of
// Gets in hundreds of readonly transactions, each a round trip through
// the browser's IndexedDB backend, queued behind one another and behind
// the Puts' transactions (a get of a 200-caller stampede over 100 URLs
// waited 175–266 ms at the median). Instead, the Gets that start
// together share one transaction:
//
//  1. read registers its caller (reads.waiting) and queues its key.
//  2. The first read to find no reader starts one: a goroutine that
//     first lets the goroutines ready to run go (runtime.Gosched), so
//     that the Gets starting with it queue too, then takes the queue and
//     requests every get in one readonly transaction, without a wait in
//     between. A Get that comes later starts the next one.
//  3. Each request answers its own caller, as before (readListeners).
//
// A lone Get pays one goroutine switch more. A transaction that cannot
// begin (a closing connection) fails every Get in it; a get the browser
// refuses fails only its caller.

// pendingRead is one Get waiting for a transaction.
type pendingRead struct {
	key string
	id  int // its caller in reads.waiting
}

// answer hands r to the caller of read id, unless it gave up.
func answer(id int, r readResult) {
	reads.Lock()
	ch := reads.waiting[id]
	delete(reads.waiting, id)
	reads.Unlock()
	if ch != nil {
		ch <- r // buffered
	}
}

// read gets the stored value of key in a readonly transaction shared
// with the Gets that start with it. A JavaScript exception (a closing
// connection, say) is returned as an error; the caller's wrap says what
// it was.
func (s *Store) read(ctx context.Context, key string) (js.Value, error) {
	if err := s.ready(ctx); err != nil {
		return js.Value{}, err
	}
	ch := make(chan readResult, 1)
	reads.Lock()
	if reads.waiting == nil {
		reads.waiting = map[int]chan readResult{}
	}
	reads.next++
	id := reads.next
	reads.waiting[id] = ch
	reads.Unlock()

	s.rmu.Lock()
	s.rqueue = append(s.rqueue, pendingRead{key: key, id: id})
	start := !s.reading
	s.reading = true
	s.rmu.Unlock()
	if start {
		go s.readQueued()
	}
	select {
	case r := <-ch:
		return r.v, r.err
	case <-ctx.Done():
		reads.Lock()
		delete(reads.waiting, id) // its request's answer finds no one
		reads.Unlock()
		return js.Value{}, ctx.Err()
	}
}

// readQueued requests the queued gets in one readonly transaction.
func (s *Store) readQueued() {
	runtime.Gosched() // the Gets ready to run queue up first
	s.rmu.Lock()
	batch := s.rqueue
	s.rqueue, s.reading = nil, false
	s.rmu.Unlock()
	s.readTxns.Add(1)

	l := readListeners()
	var store js.Value
	if err := try(func() {
		store = s.jsDB.Call("transaction", ObjectStore, "readonly").Call("objectStore", ObjectStore)
	}); err != nil {
		if c := s.closed.Load(); c != nil {
			err = c.err
		}
		for _, p := range batch {
			answer(p.id, readResult{err: err})
		}
		return
	}
	for _, p := range batch {
		var req js.Value
		if err := try(func() { req = store.Call("get", p.key) }); err != nil {
			answer(p.id, readResult{err: err})
			continue
		}
		req.Set(readIDKey, p.id)
		req.Set("onsuccess", l[0])
		req.Set("onerror", l[1])
	}
}
