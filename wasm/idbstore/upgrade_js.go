//go:build js && wasm

package idbstore

import (
	"context"
	"syscall/js"
	"time"

	"github.com/hack-pad/go-indexeddb/idb"
)

// The schema, one step per version. upgrade runs the steps from the
// database's version up to SchemaVersion inside the versionchange
// transaction of the open that asked for it, so a database has every
// step of its version or, if the upgrade failed, still the old version
// whole:
//
//  1. The object store "responses", keyed by URL (out-of-line keys).
//  2. Entries carry storedAt and deltaMs (encode_js.go). The step stamps
//     every entry of version 1 with storedAt = the upgrade's time: under
//     a ttl it counts as stored when the page that upgraded it loaded
//     (without storedAt the engine would count from fetchedAt, and an
//     entry fetched yesterday would be long expired), and none is lost.

// openRequest opens the database name at SchemaVersion, upgrading it on
// the way with at as the upgrade's time. It makes the request with
// indexedDB.open itself and hands it to go-indexeddb through a stand-in
// factory whose open returns it: go-indexeddb gives its Upgrader the
// database but not the versionchange transaction, and step 2 needs that
// transaction to reach the object store that step 1 made.
func openRequest(ctx context.Context, indexedDB js.Value, name string, at time.Time) (*idb.OpenDBRequest, error) {
	req := indexedDB.Call("open", name, SchemaVersion) // a throw is Open's error
	upgradeOn(req, at)
	give := js.FuncOf(func(js.Value, []js.Value) any { return req })
	defer give.Release() // go-indexeddb calls open once, before Open returns
	stand := js.Global().Get("Object").New()
	stand.Set("open", give)
	f, err := idb.WrapFactory(stand)
	if err != nil {
		return nil, err
	}
	return f.Open(ctx, name, SchemaVersion, func(*idb.Database, uint, uint) error { return nil })
}

// upgradeOn runs upgrade in the upgradeneeded event of the open request
// req, and releases the callbacks it needed once req has succeeded or
// failed. A step that fails aborts the versionchange transaction: the
// open then fails with an AbortError, and the database keeps its old
// version and entries.
func upgradeOn(req js.Value, at time.Time) {
	var onUpgrade, onSettled, stamp js.Func
	onUpgrade = js.FuncOf(func(_ js.Value, args []js.Value) any {
		txn := req.Get("transaction")
		err := try(func() {
			stamp = upgrade(req.Get("result"), txn, args[0].Get("oldVersion").Int(), at)
		})
		if err != nil {
			abort(txn)
		}
		return nil
	})
	onSettled = js.FuncOf(func(js.Value, []js.Value) any {
		req.Call("removeEventListener", "upgradeneeded", onUpgrade)
		req.Call("removeEventListener", "success", onSettled)
		req.Call("removeEventListener", "error", onSettled)
		onUpgrade.Release()
		onSettled.Release()
		stamp.Release() // a zero Func when step 2 did not run: a no-op
		return nil
	})
	req.Call("addEventListener", "upgradeneeded", onUpgrade)
	req.Call("addEventListener", "success", onSettled)
	req.Call("addEventListener", "error", onSettled)
}

// upgrade brings the database db from version old to SchemaVersion in
// its versionchange transaction txn, with at as the upgrade's time. It
// runs inside the upgradeneeded event and must not block. It returns the
// cursor's callback of step 2 when that step ran, for the caller to
// release.
func upgrade(db, txn js.Value, old int, at time.Time) (stamp js.Func) {
	if old < 1 {
		db.Call("createObjectStore", ObjectStore)
		return js.Func{} // a new database has no entry to stamp
	}
	// Another program's database of the same name has no such store:
	// leave it to Open to say so.
	if old < 2 && db.Get("objectStoreNames").Call("contains", ObjectStore).Bool() {
		stamp = stampStoredAt(txn.Call("objectStore", ObjectStore), at)
	}
	return stamp
}

// stampStoredAt sets storedAt = at on every entry of store that has no
// storedAt field, and returns the cursor's callback. The cursor steps
// from its own success event: a versionchange transaction lives only
// while it has requests pending, so nothing here may wait.
func stampStoredAt(store js.Value, at time.Time) js.Func {
	cursor := store.Call("openCursor")
	step := js.FuncOf(func(js.Value, []js.Value) any {
		err := try(func() {
			c := cursor.Get("result")
			if c.IsNull() {
				return // every entry seen
			}
			if v := c.Get("value"); v.Type() == js.TypeObject && v.Get("storedAt").IsUndefined() {
				v.Set("storedAt", millis(at))
				c.Call("update", v)
			}
			c.Call("continue")
		})
		if err != nil {
			abort(cursor.Get("transaction"))
		}
		return nil
	})
	cursor.Call("addEventListener", "success", step)
	return step
}

// abort aborts the transaction txn, if it still can be.
func abort(txn js.Value) { _ = try(func() { txn.Call("abort") }) }
