//go:build js && wasm

package idbstore

import (
	"context"
	"sync"
	"sync/atomic"
	"syscall/js"
	"time"

	"github.com/hack-pad/go-indexeddb/idb"

	"github.com/stampede-playground/stampede/app/stampede"
)

// Store is a stampede.Store on one IndexedDB database. It is safe for
// concurrent use. Close it when done.
//
// Its methods are spread over files of one job each: open_js.go opens and
// reconnects, upgrade_js.go upgrades an older schema, rw_js.go reads and
// writes, batch_js.go gathers concurrent Puts into one transaction,
// get_js.go concurrent Gets into another, evict_js.go makes room when the
// quota is exceeded, encode_js.go encodes an entry, errors_js.go says
// what failed.
type Store struct {
	name string
	// openedAt is when Open began: the time an upgrade stamped on the
	// entries it found, and the StoredAt of an entry still without one
	// (decode). Set once, before the Store is shared.
	openedAt time.Time

	// reopen is held while the connection is replaced after a
	// versionchange closed it; db, jsDB and onVersionChange change only
	// under it (and in Open, before the Store is shared).
	reopen          sync.Mutex
	db              *idb.Database
	jsDB            js.Value // the IDBDatabase behind db
	onVersionChange js.Func  // released when replaced and by Close

	mu      sync.Mutex    // protects queue and writing
	queue   []*pendingPut // Puts waiting for the next transaction
	writing bool          // a goroutine is writing the queue (batch_js.go)

	rmu      sync.Mutex    // protects rqueue and reading
	rqueue   []pendingRead // Gets waiting for the next readonly transaction
	reading  bool          // a goroutine is about to read rqueue (get_js.go)
	readTxns atomic.Int64  // the readonly transactions the Gets began, for tests

	closeOnce sync.Once
	closed    atomic.Pointer[closedReason] // nil while the store works

	// putFault, when set by a test, stands in for the browser's answer
	// to a transaction of puts: a non-nil error is returned as if the
	// transaction had failed with it (a QuotaExceededError, say).
	putFault func() error
}

type closedReason struct{ err error }

var _ stampede.Store = (*Store)(nil)

// Close closes the database. Calls after Close fail with ErrClosed.
func (s *Store) Close() (err error) {
	defer wrap(&err, "close %s", s.name)
	s.reopen.Lock()
	defer s.reopen.Unlock()
	s.closeOnce.Do(func() {
		s.closed.CompareAndSwap(nil, &closedReason{ErrClosed})
		s.detach()
		err = s.db.Close()
	})
	return err
}

// begin starts a transaction on the object store, after checking that
// ctx and the store are still live.
func (s *Store) begin(ctx context.Context, mode idb.TransactionMode) (*idb.Transaction, *idb.ObjectStore, error) {
	if err := s.ready(ctx); err != nil {
		return nil, nil, err
	}
	txn, err := s.db.Transaction(mode, ObjectStore)
	if err != nil {
		if c := s.closed.Load(); c != nil {
			return nil, nil, c.err
		}
		return nil, nil, err
	}
	store, err := txn.ObjectStore(ObjectStore)
	if err != nil {
		return nil, nil, err
	}
	return txn, store, nil
}

// ready is what every transaction checks first: ctx, and a connection
// that another tab's version change closed, reopened.
func (s *Store) ready(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if c := s.closed.Load(); c != nil {
		return s.reconnect(ctx)
	}
	return nil
}

// write runs do on the object store in one read-write transaction and
// waits for the transaction to commit. If do fails the transaction is
// aborted, so nothing of it is written.
func (s *Store) write(ctx context.Context, do func(*idb.ObjectStore) error) error {
	txn, store, err := s.begin(ctx, idb.TransactionReadWrite)
	if err != nil {
		return err
	}
	if err := do(store); err != nil {
		_ = txn.Abort()
		return err
	}
	return commit(ctx, txn)
}

// commit waits for a read-write transaction to commit. If ctx ends first
// it aborts the transaction, if it still can.
func commit(ctx context.Context, txn *idb.Transaction) error {
	err := txn.Await(ctx)
	if cerr := ctx.Err(); cerr != nil {
		_ = txn.Abort() // fails harmlessly once the transaction is done
		return cerr
	}
	return err
}
