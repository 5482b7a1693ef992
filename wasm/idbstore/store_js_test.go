//go:build js && wasm

package idbstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"syscall/js"
	"testing"
	"time"

	"github.com/hack-pad/go-indexeddb/idb"

	"github.com/stampede-playground/stampede/app/stampede"
)

// dbName returns a database name for this test, deleted when it ends
// (after the test's own cleanups, which close its stores).
func dbName(t *testing.T) string {
	t.Helper()
	name := fmt.Sprintf("idbstore-test-%s-%d", t.Name(), time.Now().UnixNano())
	t.Cleanup(func() { deleteDB(t, name) })
	return name
}

func deleteDB(t *testing.T, name string) {
	t.Helper()
	f, err := globalFactory()
	if err != nil {
		t.Fatal(err)
	}
	req, err := f.DeleteDatabase(name)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := req.Await(ctx); err != nil || ctx.Err() != nil {
		t.Errorf("deleting database %s: %v %v", name, err, ctx.Err())
	}
}

func open(t *testing.T, name string) *Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s, err := Open(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func response(url string, n int) stampede.Response {
	body := make([]byte, n)
	for i := range body {
		body[i] = byte(i) // every byte value, zero and 0xff included
	}
	return stampede.Response{
		URL:         url,
		Status:      203,
		ContentType: "application/octet-stream",
		Body:        body,
		FetchedAt:   time.UnixMilli(1767225600123), // IndexedDB keeps milliseconds
		FetchedBy:   "parse_stuff",
		RunID:       "run-7",
	}
}

func equal(a, b stampede.Response) bool {
	return a.URL == b.URL && a.Status == b.Status && a.ContentType == b.ContentType &&
		bytes.Equal(a.Body, b.Body) && a.FetchedAt.Equal(b.FetchedAt) &&
		a.FetchedBy == b.FetchedBy && a.RunID == b.RunID
}

func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := open(t, dbName(t))
	for _, want := range []stampede.Response{
		response("data/stuff.json", 300),
		response("https://example.com/big?x=1", 1<<20),
		{URL: "data/empty.json"}, // zero time, no body
	} {
		if err := s.Put(ctx, want.URL, want); err != nil {
			t.Fatal(err)
		}
		got, ok, err := s.Get(ctx, want.URL)
		if err != nil || !ok {
			t.Fatalf("Get(%s) = %v, %v", want.URL, ok, err)
		}
		if !equal(got, want) {
			t.Errorf("Get(%s) = %+v; want %+v", want.URL, got, want)
		}
		if want.FetchedAt.IsZero() && !got.FetchedAt.IsZero() {
			t.Errorf("zero FetchedAt came back as %v", got.FetchedAt)
		}
	}

	// Put replaces.
	newer := response("data/stuff.json", 3)
	newer.FetchedBy = "use_stuff"
	if err := s.Put(ctx, newer.URL, newer); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := s.Get(ctx, newer.URL); !equal(got, newer) {
		t.Errorf("after a second Put: %+v; want %+v", got, newer)
	}
}

// TestRecordShape reads an entry with IndexedDB directly: its shape is
// what DevTools and a later cache inspector see.
func TestRecordShape(t *testing.T) {
	ctx := context.Background()
	s := open(t, dbName(t))
	r := response("data/x.json", 4)
	if err := s.Put(ctx, r.URL, r); err != nil {
		t.Fatal(err)
	}
	txn, err := s.db.Transaction(idb.TransactionReadOnly, ObjectStore)
	if err != nil {
		t.Fatal(err)
	}
	store, _ := txn.ObjectStore(ObjectStore)
	req, _ := store.Get(js.ValueOf("data/x.json"))
	v, err := req.Await(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !v.Get("body").InstanceOf(js.Global().Get("Uint8Array")) {
		t.Errorf("body is not a Uint8Array")
	}
	for field, want := range map[string]any{
		"url": "data/x.json", "contentType": "application/octet-stream", "status": 203,
		"fetchedAt": 1767225600123, "fetchedBy": "parse_stuff", "runId": "run-7", "size": 4,
	} {
		if got := v.Get(field); !got.Equal(js.ValueOf(want)) {
			t.Errorf("%s = %v; want %v", field, got, want)
		}
	}
	if kp, _ := store.KeyPath(); !kp.IsNull() {
		t.Errorf("keyPath = %v; want null (out-of-line keys)", kp)
	}
}

func TestGetMissing(t *testing.T) {
	s := open(t, dbName(t))
	r, ok, err := s.Get(context.Background(), "data/none.json")
	if err != nil || ok || !equal(r, stampede.Response{}) {
		t.Errorf("Get(missing) = %+v, %v, %v; want zero, false, nil", r, ok, err)
	}
}

func TestKeysDeleteClear(t *testing.T) {
	ctx := context.Background()
	s := open(t, dbName(t))
	keys := func() []string {
		t.Helper()
		k, err := s.Keys(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	if k := keys(); len(k) != 0 {
		t.Errorf("Keys of a new store = %q", k)
	}
	urls := []string{"data/b.json", "data/a.json", "Data/c.json", "data/ä.json", "data/\U0001F600.json", "data/\uFF21.json", "a"}
	for _, u := range urls {
		if err := s.Put(ctx, u, stampede.Response{URL: u}); err != nil {
			t.Fatal(err)
		}
	}
	want := slices.Sorted(slices.Values(urls))
	if k := keys(); !slices.Equal(k, want) {
		t.Errorf("Keys = %q; want %q", k, want)
	}

	if err := s.Delete(ctx, "data/a.json"); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, "data/never.json"); err != nil {
		t.Errorf("Delete(missing) = %v; want nil", err)
	}
	if _, ok, _ := s.Get(ctx, "data/a.json"); ok {
		t.Error("Get after Delete found the entry")
	}
	if k := keys(); len(k) != len(urls)-1 || slices.Contains(k, "data/a.json") {
		t.Errorf("Keys after Delete = %q", k)
	}

	if err := s.Clear(ctx); err != nil {
		t.Fatal(err)
	}
	if k := keys(); len(k) != 0 {
		t.Errorf("Keys after Clear = %q", k)
	}
}

func TestEntries(t *testing.T) {
	ctx := context.Background()
	s := open(t, dbName(t))
	want := []stampede.Response{response("data/a.json", 1), response("data/b.json", 2), response("data/c.json", 0)}
	for _, r := range slices.Backward(want) {
		if err := s.Put(ctx, r.URL, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Put(ctx, "data/nourl.json", stampede.Response{Status: 200}); err != nil {
		t.Fatal(err)
	}
	want = append(want, stampede.Response{URL: "data/nourl.json", Status: 200})

	got, err := s.Entries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("Entries returned %d entries; want %d", len(got), len(want))
	}
	for i := range want {
		if !equal(got[i], want[i]) {
			t.Errorf("entry %d = %+v; want %+v", i, got[i], want[i])
		}
	}
}

func TestPersistsAcrossOpen(t *testing.T) {
	ctx := context.Background()
	name := dbName(t)
	s := open(t, name)
	want := response("data/keep.json", 10)
	if err := s.Put(ctx, want.URL, want); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
	if _, _, err := s.Get(ctx, want.URL); !errors.Is(err, ErrClosed) {
		t.Errorf("Get after Close: err = %v; want ErrClosed", err)
	}

	s2 := open(t, name)
	got, ok, err := s2.Get(ctx, want.URL)
	if err != nil || !ok || !equal(got, want) {
		t.Errorf("after reopening: %+v, %v, %v; want %+v", got, ok, err, want)
	}
}

func TestConcurrent(t *testing.T) {
	ctx := context.Background()
	s := open(t, dbName(t))
	const n = 50
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			own := response(fmt.Sprintf("data/%02d.json", i), i)
			if err := s.Put(ctx, own.URL, own); err != nil {
				t.Error(err)
				return
			}
			shared := response("data/shared.json", 5)
			shared.FetchedBy = fmt.Sprint("worker ", i)
			if err := s.Put(ctx, shared.URL, shared); err != nil {
				t.Error(err)
			}
			if got, ok, err := s.Get(ctx, own.URL); err != nil || !ok || !equal(got, own) {
				t.Errorf("Get(%s) = %v, %v", own.URL, ok, err)
			}
			if _, ok, err := s.Get(ctx, shared.URL); err != nil || !ok {
				t.Errorf("Get(%s) = %v, %v", shared.URL, ok, err)
			}
		})
	}
	wg.Wait()
	keys, err := s.Keys(ctx)
	if err != nil || len(keys) != n+1 {
		t.Errorf("Keys = %d keys, %v; want %d", len(keys), err, n+1)
	}
	if got, _, _ := s.Get(ctx, "data/shared.json"); !strings.HasPrefix(got.FetchedBy, "worker ") {
		t.Errorf("shared entry written by %q", got.FetchedBy)
	}
}

func TestCancelled(t *testing.T) {
	s := open(t, dbName(t))
	if err := s.Put(context.Background(), "data/a.json", response("data/a.json", 1)); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, getErr := s.Get(ctx, "data/a.json")
	_, keysErr := s.Keys(ctx)
	_, entriesErr := s.Entries(ctx)
	_, openErr := Open(ctx, dbName(t))
	for name, err := range map[string]error{
		"Get":     getErr,
		"Put":     s.Put(ctx, "data/b.json", stampede.Response{}),
		"Delete":  s.Delete(ctx, "data/a.json"),
		"Keys":    keysErr,
		"Clear":   s.Clear(ctx),
		"Entries": entriesErr,
		"Open":    openErr,
	} {
		if !errors.Is(err, context.Canceled) || !strings.HasPrefix(err.Error(), "idbstore: ") {
			t.Errorf("%s with a cancelled ctx: err = %v; want context.Canceled", name, err)
		}
	}
	if _, ok, _ := s.Get(context.Background(), "data/a.json"); !ok {
		t.Error("a cancelled Delete or Clear went through")
	}
}

// TestVersionChange opens the database at a newer version, as a newer
// page in another tab would: the store closes its connection, so the
// upgrade is not blocked, and reports why it no longer works.
func TestVersionChange(t *testing.T) {
	name := dbName(t)
	s := open(t, name)
	f, _ := globalFactory()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	req, err := f.Open(ctx, name, SchemaVersion+1, func(*idb.Database, uint, uint) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	db, err := req.Await(ctx)
	if err != nil || ctx.Err() != nil {
		t.Fatalf("the upgrade was blocked: %v %v", err, ctx.Err())
	}
	defer db.Close()
	_, _, err = s.Get(context.Background(), "data/a.json")
	if !errors.Is(err, ErrVersionChange) {
		t.Errorf("Get after another tab's upgrade: err = %v; want ErrVersionChange", err)
	}
}

func TestOpenOrMemory(t *testing.T) {
	ctx := context.Background()

	t.Run("IndexedDB works", func(t *testing.T) {
		st, notice := OpenOrMemory(ctx, dbName(t))
		s, ok := st.(*Store)
		if !ok || notice != "" {
			t.Fatalf("got %T, %q; want *Store and no notice", st, notice)
		}
		s.Close()
	})

	t.Run("newer database", func(t *testing.T) {
		name := dbName(t)
		createDB(t, name, SchemaVersion+4, true)
		st, notice := OpenOrMemory(ctx, name)
		if s, ok := st.(*Store); !ok || notice != resetNotice {
			t.Errorf("got %T, %q; want a *Store, reset, and the reset notice", st, notice)
		} else {
			s.Close()
		}
	})

	t.Run("foreign database", func(t *testing.T) {
		name := dbName(t)
		createDB(t, name, SchemaVersion, false)
		_, err := Open(ctx, name)
		if err == nil || !strings.Contains(err.Error(), `"responses"`) {
			t.Errorf("Open = %v; want an error about the missing object store", err)
		}
		if st, notice := OpenOrMemory(ctx, name); notice == "" {
			t.Errorf("OpenOrMemory = %T without a notice", st)
		}
	})

	t.Run("no indexedDB", func(t *testing.T) {
		// indexedDB is an own accessor of the global object ([Global]
		// interfaces keep their attributes on the instance): replace it,
		// then put it back.
		object := js.Global().Get("Object")
		orig := object.Call("getOwnPropertyDescriptor", js.Global(), "indexedDB")
		object.Call("defineProperty", js.Global(), "indexedDB", map[string]any{"value": js.Undefined(), "configurable": true})
		defer func() {
			if orig.IsUndefined() {
				js.Global().Delete("indexedDB")
			} else {
				object.Call("defineProperty", js.Global(), "indexedDB", orig)
			}
		}()
		st, notice := OpenOrMemory(ctx, "stampede")
		want := "IndexedDB unavailable (this browser has no indexedDB): using an in-memory cache; nothing persists across reloads"
		if _, ok := st.(*stampede.MemoryStore); !ok || notice != want {
			t.Errorf("got %T, %q; want a MemoryStore and %q", st, notice, want)
		}
	})
	if !js.Global().Get("indexedDB").Truthy() {
		t.Fatal("indexedDB was not restored")
	}
}

// createDB creates the database name at version, with or without the
// object store this package expects.
func createDB(t *testing.T, name string, version uint, withStore bool) {
	t.Helper()
	f, _ := globalFactory()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	req, err := f.Open(ctx, name, version, func(db *idb.Database, _, _ uint) error {
		if withStore {
			_, err := db.CreateObjectStore(ObjectStore, idb.ObjectStoreOptions{})
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	db, err := req.Await(ctx)
	if err != nil || ctx.Err() != nil {
		t.Fatal(err, ctx.Err())
	}
	db.Close()
}

// TestDOMError closes the connection behind the store's back: the
// browser's DOMException comes back once, saying what was being done, and
// stays comparable by name.
func TestDOMError(t *testing.T) {
	s := open(t, dbName(t))
	s.jsDB.Call("close")
	err := s.Put(context.Background(), "data/x.json", stampede.Response{})
	if !errors.Is(err, idb.NewDOMException("InvalidStateError")) || !strings.HasPrefix(err.Error(), "idbstore: put data/x.json: InvalidStateError: ") {
		t.Errorf("err = %v; want \"idbstore: put data/x.json: InvalidStateError: ...\"", err)
	}
}
