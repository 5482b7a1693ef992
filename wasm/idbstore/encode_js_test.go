//go:build js && wasm

package idbstore

import (
	"context"
	"syscall/js"
	"testing"
	"time"

	"github.com/hack-pad/go-indexeddb/idb"
)

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
		"storedAt": 1767225600456.789, "deltaMs": 201.345678,
	} {
		if got := v.Get(field); !got.Equal(js.ValueOf(want)) {
			t.Errorf("%s = %v; want %v", field, got, want)
		}
	}
	if kp, _ := store.KeyPath(); !kp.IsNull() {
		t.Errorf("keyPath = %v; want null (out-of-line keys)", kp)
	}
}

// TestStoredAtDelta puts entries with StoredAt and Delta at every
// precision: they come back to the microsecond, a StoredAt's nanoseconds
// dropped (never rounded up, so an entry read back is never newer than
// the one put), a Delta to the nanosecond, and a zero StoredAt stays
// zero (the engine then counts from FetchedAt).
func TestStoredAtDelta(t *testing.T) {
	ctx := context.Background()
	s := open(t, dbName(t))
	now := time.Now()
	for _, c := range []struct {
		name     string
		storedAt time.Time
		delta    time.Duration
		want     time.Time
	}{
		{"now", now, 200*time.Millisecond + 1234*time.Nanosecond, now.Truncate(time.Microsecond)},
		{"microseconds", time.UnixMicro(1767225600000001), time.Nanosecond, time.UnixMicro(1767225600000001)},
		{"nanoseconds dropped", time.Unix(1767225600, 999999999), 59*time.Second + 999999999, time.Unix(1767225600, 999999000)},
		{"zero", time.Time{}, 0, time.Time{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := response("data/"+c.name+".json", 3)
			r.StoredAt, r.Delta = c.storedAt, c.delta
			if err := s.Put(ctx, r.URL, r); err != nil {
				t.Fatal(err)
			}
			got, ok, err := s.Get(ctx, r.URL)
			if err != nil || !ok {
				t.Fatalf("Get = %v, %v", ok, err)
			}
			if !got.StoredAt.Equal(c.want) || got.StoredAt.After(c.storedAt) || got.Delta != c.delta {
				t.Errorf("StoredAt %v, Delta %v; want %v and %v", got.StoredAt, got.Delta, c.want, c.delta)
			}
			if got.StoredAt.IsZero() != c.storedAt.IsZero() {
				t.Errorf("StoredAt.IsZero() = %v; want %v", got.StoredAt.IsZero(), c.storedAt.IsZero())
			}
		})
	}
}
