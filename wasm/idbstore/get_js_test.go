//go:build js && wasm

package idbstore

import (
	"context"
	"fmt"
	"sync"
	"testing"
)

// TestGroupReads: Gets that start together share one readonly
// transaction, and each still gets its own entry, or a miss.
func TestGroupReads(t *testing.T) {
	ctx := context.Background()
	s := open(t, dbName(t))
	const n = 40
	stored := make([]string, 0, n/2)
	for i := range n / 2 {
		stored = append(stored, fmt.Sprintf("data/%02d.json", i))
	}
	for _, err := range putAll(s, stored, 64) {
		if err != nil {
			t.Fatal(err)
		}
	}
	before := s.readTxns.Load()
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			url := fmt.Sprintf("data/%02d.json", i) // the first n/2 are stored
			got, ok, err := s.Get(ctx, url)
			switch {
			case err != nil:
				t.Errorf("Get(%s): %v", url, err)
			case ok != (i < n/2):
				t.Errorf("Get(%s) found %v; want %v", url, ok, i < n/2)
			case ok && !equal(got, response(url, 64)):
				t.Errorf("Get(%s) = %+v; want its own entry", url, got)
			}
		})
	}
	wg.Wait()
	txns := s.readTxns.Load() - before
	t.Logf("%d concurrent Gets in %d readonly transactions", n, txns)
	if txns < 1 || txns > 2 {
		t.Errorf("%d concurrent Gets took %d readonly transactions; want them to share one (two at most)", n, txns)
	}
	// One at a time, each Get is a transaction of its own.
	before = s.readTxns.Load()
	for _, url := range stored[:3] {
		if _, ok, err := s.Get(ctx, url); err != nil || !ok {
			t.Errorf("Get(%s) = %v, %v", url, ok, err)
		}
	}
	if got := s.readTxns.Load() - before; got != 3 {
		t.Errorf("3 Gets one after another took %d transactions; want 3", got)
	}
}
