//go:build js && wasm

package idbstore

import (
	"context"
	"errors"
	"strings"
	"syscall/js"
	"testing"
	"time"

	"github.com/hack-pad/go-indexeddb/idb"

	"github.com/stampede-playground/stampede/app/stampede"
)

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

// TestVersionChangeReopens deletes the database from "another tab"
// while the store has it open: the store lets go, so the delete is not
// blocked, and its next call reopens a fresh database transparently.
func TestVersionChangeReopens(t *testing.T) {
	ctx := context.Background()
	name := dbName(t)
	s := open(t, name)
	if err := s.Put(ctx, "data/a.json", response("data/a.json", 3)); err != nil {
		t.Fatal(err)
	}
	dctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if err := deleteDatabase(dctx, name); err != nil {
		t.Fatalf("the other tab's delete was blocked: %v", err)
	}
	if _, ok, err := s.Get(ctx, "data/a.json"); err != nil || ok {
		t.Fatalf("Get after the delete = %v, %v; want a miss on a reopened, empty database", ok, err)
	}
	if err := s.Put(ctx, "data/b.json", response("data/b.json", 3)); err != nil {
		t.Fatalf("Put after reopening: %v", err)
	}
	if got, ok, err := s.Get(ctx, "data/b.json"); err != nil || !ok || !equal(got, response("data/b.json", 3)) {
		t.Errorf("Get after reopening = %+v, %v, %v", got, ok, err)
	}
	// It keeps listening: a second delete is not blocked either.
	if err := deleteDatabase(dctx, name); err != nil {
		t.Fatalf("the second delete was blocked: %v", err)
	}
	if keys, err := s.Keys(ctx); err != nil || len(keys) != 0 {
		t.Errorf("Keys after the second delete = %v, %v", keys, err)
	}
	s.Close()
	if _, _, err := s.Get(ctx, "data/b.json"); !errors.Is(err, ErrClosed) {
		t.Errorf("Get after Close = %v; want ErrClosed, not a reopen", err)
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
