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

	"github.com/stampede-playground/stampede/app/stampede"
)

// Reliability tests of the IndexedDB store: quota, versionchange, entries
// written whole. docs/reliability.md lists them.

// TestReliabQuotaEvicts fakes the browser's QuotaExceededError: the put
// evicts the oldest entries by fetchedAt and succeeds on its one retry;
// when the retry fails too the error comes back, and the store still works.
func TestReliabQuotaEvicts(t *testing.T) {
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

// TestReliabVersionChangeReopens deletes the database from "another tab"
// while the store has it open: the store lets go, so the delete is not
// blocked, and its next call reopens a fresh database transparently.
func TestReliabVersionChangeReopens(t *testing.T) {
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

// TestReliabNoHalfEntry cancels puts of a large entry at random moments
// over an older one: every read finds the old entry or the new one whole.
func TestReliabNoHalfEntry(t *testing.T) {
	ctx := context.Background()
	s := open(t, dbName(t))
	old := response("data/big.json", 1000)
	if err := s.Put(ctx, old.URL, old); err != nil {
		t.Fatal(err)
	}
	neu := response("data/big.json", 512<<10)
	neu.FetchedBy = "newer"
	for i := range 12 {
		pctx, cancel := context.WithCancel(ctx)
		time.AfterFunc(time.Duration(i)*time.Millisecond, cancel)
		_ = s.Put(pctx, neu.URL, neu)
		cancel()
		got, ok, err := s.Get(ctx, old.URL)
		if err != nil || !ok || !(equal(got, old) || equal(got, neu)) {
			t.Fatalf("after a put cancelled at %dms: %v %v, %d bytes by %q; want the old or the new entry whole",
				i, ok, err, got.Size(), got.FetchedBy)
		}
		if equal(got, neu) { // start again from the old entry
			if err := s.Put(ctx, old.URL, old); err != nil {
				t.Fatal(err)
			}
		}
	}
	var _ stampede.Store = s
}
