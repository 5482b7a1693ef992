//go:build js && wasm

package idbstore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stampede-playground/stampede/app/stampede"
)

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

// TestCancelledPutLeavesNoHalfEntry cancels puts of a large entry at random moments
// over an older one: every read finds the old entry or the new one whole.
func TestCancelledPutLeavesNoHalfEntry(t *testing.T) {
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
