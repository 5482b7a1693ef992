//go:build js && wasm

package idbstore

import (
	"context"
	"fmt"
	"syscall/js"
	"testing"
	"time"
)

// schema1 is JavaScript that writes IndexedDB as a page of schema 1 did,
// with nothing of this package: entries without storedAt or deltaMs.
const schema1 = `(() => {
	const entry = (url, fetchedAt) => {
		const body = new TextEncoder().encode(JSON.stringify({url}));
		return {url, body, contentType: "application/json", status: 200, fetchedAt,
			fetchedBy: "old#1", runId: "run-old", size: body.length};
	};
	const opened = (name, version, upgrade) => new Promise((ok, fail) => {
		const req = version ? indexedDB.open(name, version) : indexedDB.open(name);
		req.onupgradeneeded = () => upgrade(req.result);
		req.onsuccess = () => ok(req.result);
		req.onerror = () => fail(req.error);
		req.onblocked = () => fail(new Error("blocked"));
	});
	const committed = (db, tx, result) => new Promise((ok, fail) => {
		tx.oncomplete = () => { db.close(); ok(result()); };
		tx.onabort = () => { db.close(); fail(tx.error); };
	});
	return {
		// create makes the database at version 1 with n entries,
		// data/old/000.json onwards.
		create: async (name, n, fetchedAt) => (await opened(name, 1, db => {
			const store = db.createObjectStore("responses");
			for (let i = 0; i < n; i++) {
				const url = "data/old/" + String(i).padStart(3, "0") + ".json";
				store.put(entry(url, fetchedAt), url);
			}
		})).close(),
		// put writes one entry of schema 1's shape at whatever version
		// the database is.
		put: async (name, url, fetchedAt) => {
			const db = await opened(name), tx = db.transaction("responses", "readwrite");
			tx.objectStore("responses").put(entry(url, fetchedAt), url);
			return committed(db, tx, () => undefined);
		},
		// read returns the database's version and its entries as stored.
		read: async (name) => {
			const db = await opened(name), tx = db.transaction("responses");
			const all = tx.objectStore("responses").getAll();
			return committed(db, tx, () => ({version: db.version, entries: all.result}));
		},
	};
})()`

// oldSchema runs one of schema1's functions and returns its result.
func oldSchema(t *testing.T, fn string, args ...any) js.Value {
	t.Helper()
	v, err := awaitPromise(context.Background(), js.Global().Call("eval", schema1).Call(fn, args...))
	if err != nil {
		t.Fatalf("schema 1 %s: %v", fn, err)
	}
	return v
}

// TestUpgradeFromSchema1 opens a database that a page of schema 1 wrote:
// the upgrade keeps every entry and stamps each with storedAt = the
// upgrade's time, so that under a ttl it counts as stored when this page
// loaded (not as fetched a day ago, long expired), with a Delta of 0.
func TestUpgradeFromSchema1(t *testing.T) {
	ctx := context.Background()
	name := dbName(t)
	const n = 120
	yesterday := time.UnixMilli(time.Now().Add(-24 * time.Hour).UnixMilli())
	oldSchema(t, "create", name, n, millis(yesterday))

	before := time.Now()
	s := open(t, name)
	after := time.Now()
	if s.openedAt.Before(before.Truncate(time.Millisecond)) || s.openedAt.After(after) {
		t.Fatalf("the store's open time %v is not between %v and %v", s.openedAt, before, after)
	}
	entries, err := s.Entries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != n {
		t.Fatalf("after the upgrade: %d entries; want all %d", len(entries), n)
	}
	for i, r := range entries {
		url := fmt.Sprintf("data/old/%03d.json", i)
		body := fmt.Sprintf(`{"url":%q}`, url)
		if r.URL != url || string(r.Body) != body || r.Status != 200 || r.ContentType != "application/json" ||
			!r.FetchedAt.Equal(yesterday) || r.FetchedBy != "old#1" || r.RunID != "run-old" {
			t.Errorf("entry %d after the upgrade: %+v; want %s as schema 1 wrote it", i, r, url)
		}
		if !r.StoredAt.Equal(s.openedAt) || r.Delta != 0 {
			t.Errorf("%s: StoredAt %v, Delta %v; want the upgrade's time %v and 0", url, r.StoredAt, r.Delta, s.openedAt)
		}
		if r.Expired(after, time.Minute) {
			t.Errorf("%s has expired under a ttl of 1m right after the upgrade", url)
		}
	}

	// The stamp is in the database, not only decode's reading of an
	// entry without one.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	raw := oldSchema(t, "read", name)
	if v := raw.Get("version").Int(); v != SchemaVersion {
		t.Errorf("version %d after the upgrade; want %d", v, SchemaVersion)
	}
	stored := raw.Get("entries")
	for i := range stored.Length() {
		if got := stored.Index(i).Get("storedAt"); !got.Equal(js.ValueOf(millis(s.openedAt))) {
			t.Fatalf("entry %d as stored: storedAt %v; want %v", i, got, millis(s.openedAt))
		}
	}
	if again := open(t, name); again.openedAt.After(s.openedAt) {
		if r, _, err := again.Get(ctx, "data/old/000.json"); err != nil || !r.StoredAt.Equal(s.openedAt) {
			t.Errorf("reopened later: StoredAt %v, %v; want the upgrade's %v", r.StoredAt, err, s.openedAt)
		}
	}
}

// TestUpgradeFailsWhole makes the upgrade fail halfway through the
// entries: the open fails, the database keeps version 1 and every entry
// as it was, and the next open upgrades it.
func TestUpgradeFailsWhole(t *testing.T) {
	name := dbName(t)
	oldSchema(t, "create", name, 20, millis(time.Now()))
	t.Run("the fifth update throws", func(t *testing.T) {
		jsHook(t, "IDBCursor", "update", `(orig) => function() {
			if (++globalThis.__hookCount === 5) throw new DOMException("refused", "DataError");
			return orig.apply(this, arguments);
		}`)
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		if s, err := Open(ctx, name); err == nil {
			s.Close()
			t.Fatal("Open succeeded although the upgrade failed")
		} else {
			t.Logf("Open: %v", err)
		}
	})
	raw := oldSchema(t, "read", name)
	stored := raw.Get("entries")
	if v := raw.Get("version").Int(); v != 1 || stored.Length() != 20 {
		t.Fatalf("after the failed upgrade: version %d, %d entries; want 1 and 20", v, stored.Length())
	}
	for i := range stored.Length() {
		if !stored.Index(i).Get("storedAt").IsUndefined() {
			t.Fatalf("entry %d was stamped by an upgrade that failed", i)
		}
	}
	s := open(t, name)
	if entries, err := s.Entries(context.Background()); err != nil || len(entries) != 20 || !entries[19].StoredAt.Equal(s.openedAt) {
		t.Errorf("the next open: %d entries, %v; want 20 stamped", len(entries), err)
	}
}

// TestUnstampedEntry: an entry without storedAt that reaches the
// database after the upgrade (written by an older page in another tab)
// counts as stored at the store's open time, every time it is read.
func TestUnstampedEntry(t *testing.T) {
	ctx := context.Background()
	name := dbName(t)
	s := open(t, name)
	oldSchema(t, "put", name, "data/late.json", millis(time.Now().Add(-time.Hour)))
	for range 2 {
		r, ok, err := s.Get(ctx, "data/late.json")
		if err != nil || !ok || !r.StoredAt.Equal(s.openedAt) || r.Delta != 0 {
			t.Errorf("Get = %v, %v: StoredAt %v, Delta %v; want the open time %v and 0", ok, err, r.StoredAt, r.Delta, s.openedAt)
		}
	}
	if entries, err := s.Entries(ctx); err != nil || len(entries) != 1 || !entries[0].StoredAt.Equal(s.openedAt) {
		t.Errorf("Entries = %+v, %v; want the entry stored at the open time", entries, err)
	}
}
