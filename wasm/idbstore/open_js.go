//go:build js && wasm

package idbstore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"syscall/js"
	"time"

	"github.com/hack-pad/go-indexeddb/idb"

	"github.com/stampede-playground/stampede/app/stampede"
)

// Open opens (creating or upgrading it if need be) the IndexedDB database
// name. It waits for as long as ctx allows: opening is blocked while
// another tab holds an older version open.
func Open(ctx context.Context, name string) (s *Store, err error) {
	defer wrap(&err, "open %s", name)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	indexedDB, err := globalIndexedDB()
	if err != nil {
		return nil, err
	}
	// The upgrade's time, if this open upgrades, as the store keeps it.
	at := time.Now().Truncate(time.Microsecond)
	req, err := openRequest(ctx, indexedDB, name, at)
	if err != nil {
		return nil, err
	}
	db, err := req.Await(ctx)
	if cerr := ctx.Err(); cerr != nil {
		closeWhenOpen(req)
		return nil, cerr
	}
	if err != nil {
		return nil, err
	}
	jsDB, err := req.Request.Result()
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	if names, err := db.ObjectStoreNames(); err != nil || !slices.Contains(names, ObjectStore) {
		_ = db.Close()
		if err == nil {
			err = fmt.Errorf("the database has no %q object store (another program's database of the same name?)", ObjectStore)
		}
		return nil, err
	}

	s = &Store{name: name, openedAt: at}
	s.attach(db, jsDB)
	return s, nil
}

// attach makes db the store's connection. Another tab (or a newer version
// of this page) that wants to upgrade or delete the database fires
// versionchange: the store closes the connection so that it can, and
// reopens it on its next call. The callback only does what cannot block.
func (s *Store) attach(db *idb.Database, jsDB js.Value) {
	s.db, s.jsDB = db, jsDB
	s.onVersionChange = js.FuncOf(func(js.Value, []js.Value) any {
		s.closed.CompareAndSwap(nil, &closedReason{ErrVersionChange})
		jsDB.Call("close")
		return nil
	})
	jsDB.Call("addEventListener", "versionchange", s.onVersionChange)
}

// detach removes the store's versionchange listener and releases it.
func (s *Store) detach() {
	s.jsDB.Call("removeEventListener", "versionchange", s.onVersionChange)
	s.onVersionChange.Release()
}

// reconnect reopens the database after a versionchange closed it. When
// the other tab upgraded it to a version this page does not know, opening
// fails and so does the call, with ErrVersionChange.
func (s *Store) reconnect(ctx context.Context) error {
	s.reopen.Lock()
	defer s.reopen.Unlock()
	c := s.closed.Load()
	if c == nil {
		return nil // another call reopened it meanwhile
	}
	if c.err != ErrVersionChange {
		return c.err
	}
	octx, cancel := context.WithTimeout(ctx, OpenTimeout)
	defer cancel()
	fresh, err := Open(octx, s.name)
	if err != nil {
		return fmt.Errorf("%w (reopening it: %v)", ErrVersionChange, errors.Unwrap(err))
	}
	// Take over fresh's connection with a listener of our own.
	fresh.detach()
	s.detach()
	s.attach(fresh.db, fresh.jsDB)
	s.closed.CompareAndSwap(c, nil)
	return nil
}

// resetNotice is OpenOrMemory's notice when it deleted a database that a
// newer version of the page had made.
const resetNotice = "The cache database was made by a newer version of Stampede that this page cannot read: it was reset, and the cache starts empty."

// OpenOrMemory opens the database name within OpenTimeout. Where IndexedDB
// is missing or fails to open (a private window, storage disabled, another
// tab blocking it), it returns a new stampede.MemoryStore and a notice for
// the user that says why. A database of a newer version than this page
// knows is deleted and made anew, with a notice saying so. When the
// database simply opens the notice is "".
func OpenOrMemory(ctx context.Context, name string) (store stampede.Store, notice string) {
	ctx, cancel := context.WithTimeout(ctx, OpenTimeout)
	defer cancel()
	s, err := Open(ctx, name)
	if errors.Is(err, idb.NewDOMException("VersionError")) {
		// A newer Stampede made this database and this page cannot read
		// it: start over with an empty one, and say so.
		if err = deleteDatabase(ctx, name); err == nil {
			if s, err = Open(ctx, name); err == nil {
				return s, resetNotice
			}
		}
	}
	if err != nil {
		cause := errors.Unwrap(err) // drop "idbstore: open name: "
		switch {
		case errors.Is(err, context.DeadlineExceeded):
			cause = fmt.Errorf("no answer within %v; another tab may be blocking it", OpenTimeout)
		case cause == nil:
			cause = err
		}
		return &stampede.MemoryStore{}, unavailable(cause)
	}
	return s, ""
}

// deleteDatabase deletes the database name, waiting as long as ctx allows
// (another tab holding it open delays it until that tab lets go).
func deleteDatabase(ctx context.Context, name string) (err error) {
	defer wrap(&err, "delete database %s", name)
	f, err := globalFactory()
	if err != nil {
		return err
	}
	req, err := f.DeleteDatabase(name)
	if err != nil {
		return err
	}
	err = req.Await(ctx)
	return firstErr(ctx.Err(), err)
}

// globalFactory returns the page's indexedDB, or an error where there is
// none. (idb.Global panics then.)
func globalFactory() (*idb.Factory, error) {
	v, err := globalIndexedDB()
	if err != nil {
		return nil, err
	}
	return idb.WrapFactory(v)
}

// globalIndexedDB returns the page's IDBFactory, indexedDB, or an error
// where there is none.
func globalIndexedDB() (v js.Value, err error) {
	defer func() {
		if p := recover(); p != nil { // reading indexedDB throws in some sandboxed frames
			v, err = js.Value{}, fmt.Errorf("reading indexedDB: %v", p)
		}
	}()
	v = js.Global().Get("indexedDB")
	if !v.Truthy() {
		return js.Value{}, errors.New("this browser has no indexedDB")
	}
	return v, nil
}

// closeWhenOpen closes the database that req opens, now or when it is
// open, after Open gave up waiting for it.
func closeWhenOpen(req *idb.OpenDBRequest) {
	if state, err := req.ReadyState(); err == nil && state == "done" {
		if db, err := req.Result(); err == nil {
			_ = db.Close()
		}
		return
	}
	go func() {
		if db, err := req.Await(context.Background()); err == nil {
			_ = db.Close()
		}
	}()
}
