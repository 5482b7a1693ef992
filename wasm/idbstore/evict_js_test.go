//go:build js && wasm

package idbstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hack-pad/go-indexeddb/idb"
)

// TestQuotaEvicts fakes the browser's QuotaExceededError: the put
// evicts the oldest entries by fetchedAt and succeeds on its one retry;
// when the retry fails too the error comes back, and the store still works.
func TestQuotaEvicts(t *testing.T) {
	ctx := context.Background()
	s := open(t, dbName(t))
	base := time.UnixMilli(1767225600000)
	for i := range 8 {
		r := response(fmt.Sprintf("data/%d.json", i), 10)
		r.FetchedAt = base.Add(time.Duration(7-i) * time.Minute) // data/7.json is the oldest
		if err := s.Put(ctx, r.URL, r); err != nil {
			t.Fatal(err)
		}
	}
	quota := idb.NewDOMException("QuotaExceededError")
	fails := 1
	s.putFault = func() error {
		if fails > 0 {
			fails--
			return quota
		}
		return nil
	}
	if err := s.Put(ctx, "data/new.json", response("data/new.json", 10)); err != nil {
		t.Fatalf("Put after one QuotaExceededError = %v; want success after eviction", err)
	}
	keys, err := s.Keys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := "data/0.json data/1.json data/2.json data/3.json data/4.json data/5.json data/new.json"
	if got := strings.Join(keys, " "); got != want {
		t.Errorf("after eviction: %s; want %s (the two oldest evicted)", got, want)
	}

	s.putFault = func() error { return quota }
	err = s.Put(ctx, "data/again.json", response("data/again.json", 10))
	if !errors.Is(err, quota) || !strings.Contains(err.Error(), "after evicting the 1 oldest entries") {
		t.Errorf("Put when the quota stays exceeded = %v; want the QuotaExceededError after one eviction", err)
	}
	s.putFault = nil
	// data/new.json (fetched at base+123ms) was the oldest left.
	if keys, err := s.Keys(ctx); err != nil || strings.Join(keys, " ") != strings.TrimSuffix(want, " data/new.json") {
		t.Errorf("after the second eviction: %v, %v", keys, err)
	}
	if _, ok, err := s.Get(ctx, "data/0.json"); err != nil || !ok {
		t.Errorf("the store broke after a quota error: %v %v", ok, err)
	}
}
