//go:build js && wasm

package idbstore

import (
	"context"
	"syscall/js"
	"testing"

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
	} {
		if got := v.Get(field); !got.Equal(js.ValueOf(want)) {
			t.Errorf("%s = %v; want %v", field, got, want)
		}
	}
	if kp, _ := store.KeyPath(); !kp.IsNull() {
		t.Errorf("keyPath = %v; want null (out-of-line keys)", kp)
	}
}
