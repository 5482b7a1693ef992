//go:build js && wasm

package idbstore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall/js"
	"time"

	"github.com/hack-pad/go-indexeddb/idb"

	"github.com/stampede-playground/stampede/app/stampede"
)

// Store is a stampede.Store on one IndexedDB database. It is safe for
// concurrent use. Close it when done.
type Store struct {
	name string

	// reopen is held while the connection is replaced after a
	// versionchange closed it; db, jsDB and onVersionChange change only
	// under it (and in Open, before the Store is shared).
	reopen          sync.Mutex
	db              *idb.Database
	jsDB            js.Value // the IDBDatabase behind db
	onVersionChange js.Func  // released when replaced and by Close

	closeOnce sync.Once
	closed    atomic.Pointer[closedReason] // nil while the store works

	// putFault, when set by a test, stands in for the browser's answer
	// to a put: a non-nil error is returned as if the put had failed
	// with it (a QuotaExceededError, say).
	putFault func() error
}

type closedReason struct{ err error }

var _ stampede.Store = (*Store)(nil)

// Open opens (creating or upgrading it if need be) the IndexedDB database
// name. It waits for as long as ctx allows: opening is blocked while
// another tab holds an older version open.
func Open(ctx context.Context, name string) (s *Store, err error) {
	defer catch(&err, "open", name)
	if err := ctx.Err(); err != nil {
		return nil, opError("open", name, err)
	}
	factory, err := globalFactory()
	if err != nil {
		return nil, opError("open", name, err)
	}
	req, err := factory.Open(ctx, name, SchemaVersion, upgrade)
	if err != nil {
		return nil, opError("open", name, err)
	}
	db, err := req.Await(ctx)
	if cerr := ctx.Err(); cerr != nil {
		closeWhenOpen(req)
		return nil, opError("open", name, cerr)
	}
	if err != nil {
		return nil, opError("open", name, err)
	}
	jsDB, err := req.Request.Result()
	if err != nil {
		_ = db.Close()
		return nil, opError("open", name, err)
	}
	if names, err := db.ObjectStoreNames(); err != nil || !slices.Contains(names, ObjectStore) {
		_ = db.Close()
		if err == nil {
			err = fmt.Errorf("the database has no %q object store (another program's database of the same name?)", ObjectStore)
		}
		return nil, opError("open", name, err)
	}

	s = &Store{name: name}
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
	fresh.jsDB.Call("removeEventListener", "versionchange", fresh.onVersionChange)
	fresh.onVersionChange.Release()
	s.jsDB.Call("removeEventListener", "versionchange", s.onVersionChange)
	s.onVersionChange.Release()
	s.attach(fresh.db, fresh.jsDB)
	s.closed.CompareAndSwap(c, nil)
	return nil
}

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
	defer catch(&err, "delete database", name)
	f, err := globalFactory()
	if err != nil {
		return opError("delete database", name, err)
	}
	req, err := f.DeleteDatabase(name)
	if err != nil {
		return opError("delete database", name, err)
	}
	err = req.Await(ctx)
	return opError("delete database", name, firstErr(ctx.Err(), err))
}

// globalFactory returns the page's indexedDB, or an error where there is
// none. (idb.Global panics then.)
func globalFactory() (f *idb.Factory, err error) {
	defer func() {
		if p := recover(); p != nil { // reading indexedDB throws in some sandboxed frames
			f, err = nil, fmt.Errorf("reading indexedDB: %v", p)
		}
	}()
	v := js.Global().Get("indexedDB")
	if !v.Truthy() {
		return nil, errors.New("this browser has no indexedDB")
	}
	return idb.WrapFactory(v)
}

func upgrade(db *idb.Database, oldVersion, newVersion uint) error {
	if oldVersion < 1 {
		// Out-of-line keys: the key is the URL, given with each put.
		if _, err := db.CreateObjectStore(ObjectStore, idb.ObjectStoreOptions{}); err != nil {
			return err
		}
	}
	return nil
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

// Get implements stampede.Store.
func (s *Store) Get(ctx context.Context, url string) (r stampede.Response, ok bool, err error) {
	defer catch(&err, "get", url)
	_, store, err := s.begin(ctx, idb.TransactionReadOnly)
	if err != nil {
		return stampede.Response{}, false, opError("get", url, err)
	}
	req, err := store.Get(js.ValueOf(url))
	if err != nil {
		return stampede.Response{}, false, opError("get", url, err)
	}
	v, err := req.Await(ctx)
	if err := firstErr(ctx.Err(), err); err != nil {
		return stampede.Response{}, false, opError("get", url, err)
	}
	if v.IsUndefined() {
		return stampede.Response{}, false, nil
	}
	if r, err = decode(v); err != nil {
		return stampede.Response{}, false, opError("get", url, err)
	}
	return r, true, nil
}

// Put implements stampede.Store: it writes the whole entry in one put and
// returns once the transaction has committed, so a reload or a closed tab
// leaves the old entry or the new one, never half of one. When the origin's
// storage quota is exceeded it evicts the oldest entries (by fetchedAt)
// and tries once more; a second failure is returned.
func (s *Store) Put(ctx context.Context, url string, r stampede.Response) (err error) {
	err = s.put(ctx, url, r)
	if !errors.Is(err, errQuota) {
		return err
	}
	n, everr := s.evictOldest(ctx)
	if everr != nil {
		return fmt.Errorf("%w; evicting old entries failed too: %v", err, everr)
	}
	if err := s.put(ctx, url, r); err != nil {
		return fmt.Errorf("%w (after evicting the %d oldest entries)", err, n)
	}
	return nil
}

// errQuota is the DOMException a put over the storage quota fails with.
var errQuota = idb.NewDOMException("QuotaExceededError")

func (s *Store) put(ctx context.Context, url string, r stampede.Response) (err error) {
	defer catch(&err, "put", url)
	if s.putFault != nil {
		if err := s.putFault(); err != nil {
			return opError("put", url, err)
		}
	}
	txn, store, err := s.begin(ctx, idb.TransactionReadWrite)
	if err != nil {
		return opError("put", url, err)
	}
	if _, err := store.PutKey(js.ValueOf(url), encode(r)); err != nil {
		_ = txn.Abort()
		return opError("put", url, err)
	}
	return opError("put", url, commit(ctx, txn))
}

// evictOldest deletes the oldest quarter of the entries (at least one) by
// fetchedAt, entries without one first, in one transaction. It returns how
// many it deleted.
func (s *Store) evictOldest(ctx context.Context) (n int, err error) {
	defer catch(&err, "evict", "")
	_, store, err := s.begin(ctx, idb.TransactionReadOnly)
	if err != nil {
		return 0, opError("evict", "", err)
	}
	type aged struct {
		key js.Value
		at  float64
	}
	var all []aged
	req, err := store.OpenCursor(idb.CursorNext)
	if err != nil {
		return 0, opError("evict", "", err)
	}
	err = req.Iter(ctx, func(c *idb.CursorWithValue) error {
		key, err := c.Key()
		if err != nil {
			return err
		}
		v, err := c.Value()
		if err != nil {
			return err
		}
		at := 0.0
		if v.Type() == js.TypeObject {
			if f := v.Get("fetchedAt"); f.Type() == js.TypeNumber {
				at = f.Float()
			}
		}
		all = append(all, aged{key, at})
		return nil
	})
	if err := firstErr(ctx.Err(), err); err != nil {
		return 0, opError("evict", "", err)
	}
	if len(all) == 0 {
		return 0, nil
	}
	slices.SortStableFunc(all, func(a, b aged) int {
		switch {
		case a.at < b.at:
			return -1
		case a.at > b.at:
			return 1
		}
		return 0
	})
	n = max(1, len(all)/4)
	txn, wstore, err := s.begin(ctx, idb.TransactionReadWrite)
	if err != nil {
		return 0, opError("evict", "", err)
	}
	for _, e := range all[:n] {
		if _, err := wstore.Delete(e.key); err != nil {
			_ = txn.Abort()
			return 0, opError("evict", "", err)
		}
	}
	return n, opError("evict", "", commit(ctx, txn))
}

// Delete implements stampede.Store.
func (s *Store) Delete(ctx context.Context, url string) (err error) {
	defer catch(&err, "delete", url)
	txn, store, err := s.begin(ctx, idb.TransactionReadWrite)
	if err != nil {
		return opError("delete", url, err)
	}
	if _, err := store.Delete(js.ValueOf(url)); err != nil {
		_ = txn.Abort()
		return opError("delete", url, err)
	}
	return opError("delete", url, commit(ctx, txn))
}

// Clear implements stampede.Store.
func (s *Store) Clear(ctx context.Context) (err error) {
	defer catch(&err, "clear", "")
	txn, store, err := s.begin(ctx, idb.TransactionReadWrite)
	if err != nil {
		return opError("clear", "", err)
	}
	if _, err := store.Clear(); err != nil {
		_ = txn.Abort()
		return opError("clear", "", err)
	}
	return opError("clear", "", commit(ctx, txn))
}

// Keys implements stampede.Store: the stored URLs, sorted as Go sorts
// strings (IndexedDB orders them by UTF-16 code units).
func (s *Store) Keys(ctx context.Context) (keys []string, err error) {
	defer catch(&err, "keys", "")
	_, store, err := s.begin(ctx, idb.TransactionReadOnly)
	if err != nil {
		return nil, opError("keys", "", err)
	}
	req, err := store.GetAllKeys()
	if err != nil {
		return nil, opError("keys", "", err)
	}
	vals, err := req.Await(ctx)
	if err := firstErr(ctx.Err(), err); err != nil {
		return nil, opError("keys", "", err)
	}
	keys = make([]string, 0, len(vals))
	for _, v := range vals {
		if v.Type() == js.TypeString {
			keys = append(keys, v.String())
		}
	}
	slices.Sort(keys)
	return keys, nil
}

// Entries returns every stored response, sorted by URL. An entry stored
// without a URL gets its key.
func (s *Store) Entries(ctx context.Context) (entries []stampede.Response, err error) {
	defer catch(&err, "entries", "")
	_, store, err := s.begin(ctx, idb.TransactionReadOnly)
	if err != nil {
		return nil, opError("entries", "", err)
	}
	req, err := store.OpenCursor(idb.CursorNext)
	if err != nil {
		return nil, opError("entries", "", err)
	}
	// The callback runs once per entry inside the transaction's success
	// event and does not block, so the transaction stays alive.
	err = req.Iter(ctx, func(c *idb.CursorWithValue) error {
		v, err := c.Value()
		if err != nil {
			return err
		}
		r, err := decode(v)
		if err != nil {
			key, _ := c.Key()
			return fmt.Errorf("%s: %w", key.String(), err)
		}
		if r.URL == "" {
			if key, err := c.Key(); err == nil && key.Type() == js.TypeString {
				r.URL = key.String()
			}
		}
		entries = append(entries, r)
		return nil
	})
	if err := firstErr(ctx.Err(), err); err != nil {
		return nil, opError("entries", "", err)
	}
	slices.SortFunc(entries, func(a, b stampede.Response) int { return strings.Compare(a.URL, b.URL) })
	return entries, nil
}

// Close closes the database. Calls after Close fail with ErrClosed.
func (s *Store) Close() (err error) {
	defer catch(&err, "close", s.name)
	s.reopen.Lock()
	defer s.reopen.Unlock()
	s.closeOnce.Do(func() {
		s.closed.CompareAndSwap(nil, &closedReason{ErrClosed})
		s.jsDB.Call("removeEventListener", "versionchange", s.onVersionChange)
		s.onVersionChange.Release()
		err = s.db.Close()
	})
	return opError("close", s.name, err)
}

// begin starts a transaction on the object store, after checking that
// ctx and the store are still live.
func (s *Store) begin(ctx context.Context, mode idb.TransactionMode) (*idb.Transaction, *idb.ObjectStore, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	if c := s.closed.Load(); c != nil {
		if err := s.reconnect(ctx); err != nil {
			return nil, nil, err
		}
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

// encode returns the JavaScript entry for r:
// {url, body (Uint8Array), contentType, status, fetchedAt (ms since the
// epoch, or null), fetchedBy, runId, size}.
func encode(r stampede.Response) js.Value {
	body := js.Global().Get("Uint8Array").New(len(r.Body))
	js.CopyBytesToJS(body, r.Body)
	v := js.Global().Get("Object").New()
	v.Set("url", r.URL)
	v.Set("body", body)
	v.Set("contentType", r.ContentType)
	v.Set("status", r.Status)
	if r.FetchedAt.IsZero() {
		v.Set("fetchedAt", js.Null())
	} else {
		v.Set("fetchedAt", r.FetchedAt.UnixMilli())
	}
	v.Set("fetchedBy", r.FetchedBy)
	v.Set("runId", r.RunID)
	v.Set("size", len(r.Body))
	return v
}

// decode is encode's inverse. It tolerates missing fields, and a body
// stored as an ArrayBuffer.
func decode(v js.Value) (stampede.Response, error) {
	if v.Type() != js.TypeObject {
		return stampede.Response{}, fmt.Errorf("stored value is a %v, not an entry", v.Type())
	}
	str := func(name string) string {
		if f := v.Get(name); f.Type() == js.TypeString {
			return f.String()
		}
		return ""
	}
	r := stampede.Response{
		URL:         str("url"),
		ContentType: str("contentType"),
		FetchedBy:   str("fetchedBy"),
		RunID:       str("runId"),
	}
	if f := v.Get("status"); f.Type() == js.TypeNumber {
		r.Status = f.Int()
	}
	if f := v.Get("fetchedAt"); f.Type() == js.TypeNumber {
		r.FetchedAt = time.UnixMilli(int64(f.Float()))
	}
	body := v.Get("body")
	switch {
	case body.IsUndefined() || body.IsNull():
	case body.InstanceOf(js.Global().Get("ArrayBuffer")):
		body = js.Global().Get("Uint8Array").New(body)
		fallthrough
	case body.InstanceOf(js.Global().Get("Uint8Array")):
		r.Body = make([]byte, body.Get("length").Int())
		js.CopyBytesToGo(r.Body, body)
	default:
		return stampede.Response{}, errors.New("stored body is not bytes")
	}
	return r, nil
}

// opError says what was being done when err happened; nil stays nil.
// IndexedDB's DOMExceptions read "QuotaExceededError: ...", and stay
// comparable with errors.Is(err, idb.NewDOMException(name)).
func opError(op, key string, err error) error {
	if err == nil {
		return nil
	}
	err = translate(err)
	if key == "" {
		return fmt.Errorf("idbstore: %s: %w", op, err)
	}
	return fmt.Errorf("idbstore: %s %s: %w", op, key, err)
}

// translate turns an exception that JavaScript threw into the
// DOMException it is. go-indexeddb v0.3.2 only does so for errors that
// requests report: what a call throws, e.g. IDBDatabase.transaction on a
// closing connection, reaches it wrapped by safejs, which its type switch
// misses, and comes out as "JavaScript error: ...".
func translate(err error) error {
	var jerr js.Error
	if !errors.As(err, &jerr) || jerr.Value.Type() != js.TypeObject {
		return err
	}
	name, msg := jerr.Value.Get("name"), jerr.Value.Get("message")
	if name.Type() != js.TypeString {
		return err
	}
	dom := idb.NewDOMException(name.String())
	if msg.Type() != js.TypeString || msg.String() == "" {
		return dom
	}
	return fmt.Errorf("%w: %s", dom, msg.String())
}

// catch turns a JavaScript exception, which syscall/js raises as a panic,
// into *err.
func catch(err *error, op, key string) {
	if p := recover(); p != nil {
		perr, ok := p.(error)
		if !ok {
			perr = fmt.Errorf("%v", p)
		}
		*err = opError(op, key, perr)
	}
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
