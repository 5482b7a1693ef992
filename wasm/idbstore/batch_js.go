//go:build js && wasm

package idbstore

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"syscall/js"

	"github.com/hack-pad/go-indexeddb/idb"

	"github.com/stampede-playground/stampede/app/stampede"
)

// Group commit. IndexedDB runs the read-write transactions of one object
// store one after another, so a hundred Puts in a hundred transactions
// form a queue a hundred commits long. Instead, the Puts that arrive while
// a transaction is being written wait together and go into the next one:
//
//  1. Put queues its entry and waits for its own answer (or its ctx).
//  2. The first Put to find no writer starts one: a goroutine that takes
//     everything queued, writes it in one transaction, answers each Put,
//     and goes again while Puts queued up meanwhile; then it ends.
//  3. The transaction is begun, filled and left to commit without a wait
//     in between, since it commits as soon as control returns to the
//     event loop; so each Put still returns only after the transaction
//     holding its entry has committed, and an entry is never half-written.
//
// A put the browser refuses on its own (it throws, e.g. a DataCloneError)
// fails only its caller; a transaction that fails as a whole (quota,
// connection closed) wrote nothing, and fails every caller in it.

// pendingPut is one Put waiting for a transaction.
type pendingPut struct {
	url string
	r   stampede.Response
	// err is the put's own failure, written by the writer goroutine
	// before it sends on done.
	err  error
	done chan error // buffered: the writer never waits for the caller
}

// enqueue queues p for the next transaction and makes sure a writer runs.
func (s *Store) enqueue(p *pendingPut) {
	s.mu.Lock()
	s.queue = append(s.queue, p)
	start := !s.writing
	s.writing = true
	s.mu.Unlock()
	if start {
		go s.writeQueued()
	}
}

// dequeue takes p out of the queue if no transaction has taken it yet,
// and says whether it did.
func (s *Store) dequeue(p *pendingPut) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, q := range s.queue {
		if q == p {
			s.queue = append(s.queue[:i:i], s.queue[i+1:]...)
			return true
		}
	}
	return false
}

// writeQueued writes what is queued, one transaction at a time, until the
// queue is empty. It writes with no caller's ctx: a caller that gives up
// stops waiting, and the others' entries are still written.
func (s *Store) writeQueued() {
	for {
		// Let the Puts that are ready to run queue up first: in a wasm
		// build this runs them before the batch is taken.
		runtime.Gosched()
		s.mu.Lock()
		batch := s.queue
		s.queue = nil
		if len(batch) == 0 {
			s.writing = false
			s.mu.Unlock()
			return
		}
		s.mu.Unlock()
		err := s.putBatch(batch)
		for _, p := range batch {
			p.done <- firstErr(p.err, err)
		}
	}
}

// putBatch writes batch in one transaction. When the origin's storage
// quota is exceeded it evicts the oldest entries (by fetchedAt) and tries
// once more. It returns the transaction's error; a put's own failure is
// in its err.
func (s *Store) putBatch(batch []*pendingPut) error {
	ctx := context.Background()
	err := s.putAll(ctx, batch)
	if !errors.Is(err, errQuota) {
		return err
	}
	n, everr := s.evictOldest(ctx)
	if everr != nil {
		return fmt.Errorf("%w; evicting old entries failed too: %v", err, everr)
	}
	if err := s.putAll(ctx, batch); err != nil {
		return fmt.Errorf("%w (after evicting the %d oldest entries)", err, n)
	}
	return nil
}

// putAll puts every entry of batch that has not failed on its own, in one
// read-write transaction, and waits for it to commit.
func (s *Store) putAll(ctx context.Context, batch []*pendingPut) (err error) {
	defer func() { rescue(&err, recover()) }() // the writer goroutine must not panic
	if s.putFault != nil {
		if err := s.putFault(); err != nil {
			return err
		}
	}
	return s.write(ctx, func(store *idb.ObjectStore) error {
		for _, p := range batch {
			if p.err == nil {
				p.err = put(store, p)
			}
		}
		return nil
	})
}

// put requests the put of p's entry. The request does not wait: it is
// carried out when the transaction is.
func put(store *idb.ObjectStore, p *pendingPut) (err error) {
	defer func() { rescue(&err, recover()) }() // the others' puts go on
	_, err = store.PutKey(js.ValueOf(p.url), encode(p.r))
	return err
}
