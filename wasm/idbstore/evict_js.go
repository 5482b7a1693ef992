//go:build js && wasm

package idbstore

import (
	"cmp"
	"context"
	"slices"
	"syscall/js"

	"github.com/hack-pad/go-indexeddb/idb"
)

// errQuota is the DOMException a put over the storage quota fails with.
var errQuota = idb.NewDOMException("QuotaExceededError")

// evictOldest deletes the oldest quarter of the entries (at least one) by
// fetchedAt, entries without one first, in one transaction. It returns how
// many it deleted.
func (s *Store) evictOldest(ctx context.Context) (n int, err error) {
	type aged struct {
		key js.Value
		at  float64
	}
	var all []aged
	err = s.scan(ctx, func(key, v js.Value) error {
		at := 0.0
		if v.Type() == js.TypeObject {
			if f := v.Get("fetchedAt"); f.Type() == js.TypeNumber {
				at = f.Float()
			}
		}
		all = append(all, aged{key, at})
		return nil
	})
	if err != nil || len(all) == 0 {
		return 0, err
	}
	slices.SortStableFunc(all, func(a, b aged) int { return cmp.Compare(a.at, b.at) })
	n = max(1, len(all)/4)
	err = s.write(ctx, func(store *idb.ObjectStore) error {
		for _, e := range all[:n] {
			if _, err := store.Delete(e.key); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}
