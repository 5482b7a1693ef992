//go:build js && wasm

package idbstore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"syscall/js"
	"testing"
	"time"

	"github.com/hack-pad/go-indexeddb/idb"

	"github.com/stampede-playground/stampede/app/stampede"
)

// countReadWrite counts the read-write transactions the page begins from
// now until the test ends, by wrapping IDBDatabase.prototype.transaction.
func countReadWrite(t *testing.T) func() int {
	t.Helper()
	return jsHook(t, "IDBDatabase", "transaction", `(orig) => {
		return function(scope, mode) {
			if (mode === "readwrite") globalThis.__hookCount++;
			return orig.apply(this, arguments);
		};
	}`)
}

// jsHook replaces the method name of the prototype of the interface
// iface with wrap(orig) until the test ends. wrap is JavaScript; it may
// count in globalThis.__hookCount, which the returned function reads.
func jsHook(t *testing.T, iface, name, wrap string) func() int {
	t.Helper()
	proto := js.Global().Get(iface).Get("prototype")
	orig := proto.Get(name)
	js.Global().Set("__hookCount", 0)
	proto.Set(name, js.Global().Call("eval", "("+wrap+")").Invoke(orig))
	t.Cleanup(func() { proto.Set(name, orig) })
	return func() int { return js.Global().Get("__hookCount").Int() }
}

// putAll puts one entry for each url at once, each from its own
// goroutine, and returns each Put's error by url.
func putAll(s *Store, urls []string, size int) map[string]error {
	var mu sync.Mutex
	errs := make(map[string]error)
	var wg sync.WaitGroup
	for _, u := range urls {
		wg.Go(func() {
			err := s.Put(context.Background(), u, response(u, size))
			mu.Lock()
			errs[u] = err
			mu.Unlock()
		})
	}
	wg.Wait()
	return errs
}

func urls(prefix string, n int) []string {
	var out []string
	for i := range n {
		out = append(out, fmt.Sprintf("%s/%03d.json", prefix, i))
	}
	return out
}

// TestGroupCommitCoalesces puts 100 entries at once: they share one or
// two read-write transactions (the first Put may go alone while the
// others queue behind it), and each Put returns only once its entry can
// be read through another connection, i.e. once it has committed. It logs
// the time of 100 concurrent puts with one transaction per put (as Put
// did before) and with group commit, interleaved.
func TestGroupCommitCoalesces(t *testing.T) {
	ctx := context.Background()
	name := dbName(t)
	s, other := open(t, name), open(t, name)
	count := countReadWrite(t)

	var wg sync.WaitGroup
	for _, u := range urls("data/c", 100) {
		wg.Go(func() {
			want := response(u, 100)
			if err := s.Put(ctx, u, want); err != nil {
				t.Error(err)
				return
			}
			if got, ok, err := other.Get(ctx, u); err != nil || !ok || !equal(got, want) {
				t.Errorf("Get(%s) through another connection after Put returned: %v, %v", u, ok, err)
			}
		})
	}
	wg.Wait()
	if n := count(); n < 1 || n > 2 {
		t.Errorf("100 concurrent puts began %d read-write transactions; want 1 or 2", n)
	}
	if keys, err := other.Keys(ctx); err != nil || len(keys) != 100 {
		t.Errorf("Keys = %d keys, %v; want 100", len(keys), err)
	}

	// One transaction per put, as Put did before group commit.
	perPut := func(u string, r stampede.Response) error {
		return s.write(ctx, func(store *idb.ObjectStore) error {
			_, err := store.PutKey(js.ValueOf(u), encode(r))
			return err
		})
	}
	var alone, grouped []time.Duration
	for round := range 5 {
		for _, grouping := range []bool{false, true} {
			c0 := count()
			t0 := time.Now()
			for _, u := range urls(fmt.Sprintf("data/t%d-%v", round, grouping), 100) {
				wg.Go(func() {
					r := response(u, 2000)
					if grouping {
						_ = s.Put(ctx, u, r)
					} else {
						_ = perPut(u, r)
					}
				})
			}
			wg.Wait()
			d := time.Since(t0)
			if grouping {
				grouped = append(grouped, d)
			} else {
				alone = append(alone, d)
				if n := count() - c0; n != 100 {
					t.Errorf("one transaction per put began %d transactions; want 100", n)
				}
			}
		}
	}
	median := func(ds []time.Duration) time.Duration {
		slices.Sort(ds)
		return ds[len(ds)/2].Round(time.Millisecond / 10)
	}
	t.Logf("100 concurrent puts of 2000 bytes, median of 5: %v with one transaction per put, %v with group commit (rounds %v and %v)",
		median(alone), median(grouped), alone, grouped)
}

// TestGroupCommitPartialFailure: the browser refuses one entry of a batch
// (it throws, as for a value it cannot clone): that put's caller gets the
// browser's error, and the other entries of the same transaction are
// written.
func TestGroupCommitPartialFailure(t *testing.T) {
	ctx := context.Background()
	s := open(t, dbName(t))
	count := countReadWrite(t)
	jsHook(t, "IDBObjectStore", "put", `(orig) => function(value, key) {
		if (key === "data/bad.json") throw new DOMException("the value cannot be cloned", "DataCloneError");
		return orig.apply(this, arguments);
	}`)
	good := urls("data/good", 10)
	errs := putAll(s, append(slices.Clone(good), "data/bad.json"), 10)
	err := errs["data/bad.json"]
	if !errors.Is(err, idb.NewDOMException("DataCloneError")) || !strings.HasPrefix(err.Error(), "idbstore: put data/bad.json: DataCloneError: ") {
		t.Errorf("the refused put: %v; want \"idbstore: put data/bad.json: DataCloneError: ...\"", err)
	}
	for _, u := range good {
		if errs[u] != nil {
			t.Errorf("Put(%s) = %v; want success beside the refused entry", u, errs[u])
		}
	}
	if n := count(); n > 2 {
		t.Errorf("%d transactions for 11 concurrent puts; want them to share one or two", n)
	}
	if keys, err := s.Keys(ctx); err != nil || !slices.Equal(keys, good) {
		t.Errorf("Keys = %q, %v; want the 10 good entries", keys, err)
	}
}

// TestGroupCommitQuota fakes the browser's QuotaExceededError for a batch:
// the batch evicts the oldest quarter once, not once per put, and is
// written on its one retry; when the quota stays exceeded every caller
// gets the error, and each batch evicted once.
func TestGroupCommitQuota(t *testing.T) {
	ctx := context.Background()
	s := open(t, dbName(t))
	// Entries of one age are evicted in key order: data/old/000.json first.
	for u, err := range putAll(s, urls("data/old", 16), 10) {
		if err != nil {
			t.Fatalf("Put(%s): %v", u, err)
		}
	}
	quota := idb.NewDOMException("QuotaExceededError")
	var mu sync.Mutex
	calls, fails := 0, 1
	s.putFault = func() error {
		mu.Lock()
		defer mu.Unlock()
		calls++
		if fails != 0 {
			fails--
			return quota
		}
		return nil
	}

	fresh := urls("data/new", 10)
	for u, err := range putAll(s, fresh, 10) {
		if err != nil {
			t.Errorf("Put(%s) after one QuotaExceededError = %v; want success after eviction", u, err)
		}
	}
	keys, err := s.Keys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 16-4+10 || slices.Contains(keys, "data/old/003.json") || !slices.Contains(keys, "data/old/004.json") {
		t.Errorf("after one quota error: %q; want the 4 oldest evicted once and the 10 new entries", keys)
	}

	// The quota stays exceeded: every Put fails, after one eviction per batch.
	mu.Lock()
	calls, fails = 0, -1
	mu.Unlock()
	left := len(keys)
	for u, err := range putAll(s, urls("data/more", 10), 10) {
		if !errors.Is(err, quota) || !strings.Contains(err.Error(), "oldest entries)") {
			t.Errorf("Put(%s) when the quota stays exceeded = %v; want the QuotaExceededError after eviction", u, err)
		}
	}
	batches := calls / 2 // each batch tries twice
	if batches < 1 || batches > 2 {
		t.Errorf("10 concurrent puts made %d batches; want 1 or 2", batches)
	}
	for range batches {
		left -= max(1, left/4)
	}
	if keys, err := s.Keys(ctx); err != nil || len(keys) != left {
		t.Errorf("after %d failed batches: %d keys, %v; want %d (one eviction per batch)", batches, len(keys), err, left)
	}
}

// TestGroupCommitReloadMidBatch ends the transaction of the fifth put
// after that put, before its commit, as a reload or a closed tab does:
// that transaction writes nothing and every caller in it gets an error,
// and a new connection (the reloaded page) finds each entry whole: the
// new one where Put returned nil, the old one where it failed.
func TestGroupCommitReloadMidBatch(t *testing.T) {
	ctx := context.Background()
	name := dbName(t)
	s := open(t, name)
	all := urls("data/r", 20)
	for _, u := range all {
		if err := s.Put(ctx, u, response(u, 10)); err != nil {
			t.Fatal(err)
		}
	}
	hooked := jsHook(t, "IDBObjectStore", "put", `(orig) => function() {
		const req = orig.apply(this, arguments);
		if (++globalThis.__hookCount === 5) this.transaction.abort();
		return req;
	}`)
	errs := putAll(s, all, 3000)
	if hooked() < 5 {
		t.Fatalf("only %d puts reached the browser", hooked())
	}

	reloaded := open(t, name)
	entries, err := reloaded.Entries(ctx)
	if err != nil || len(entries) != len(all) {
		t.Fatalf("after the reload: %d entries, %v; want %d", len(entries), err, len(all))
	}
	failed := 0
	for _, got := range entries {
		want := response(got.URL, 3000)
		if err := errs[got.URL]; err != nil {
			failed++
			want = response(got.URL, 10)
		}
		if !equal(got, want) {
			t.Errorf("after the reload %s has %d bytes; want %d whole (Put returned %v)", got.URL, got.Size(), want.Size(), errs[got.URL])
		}
	}
	if failed == 0 {
		t.Error("every Put returned nil although a transaction ended before its commit")
	}
	// Both connections go on working.
	js.Global().Set("__hookCount", 100)
	for i, st := range []*Store{s, reloaded} {
		for u, err := range putAll(st, all[:5], 7) {
			if err != nil {
				t.Errorf("store %d: Put(%s) after the interrupted batch: %v", i, u, err)
			}
		}
	}
}

// TestGroupCommitDeleteMidBatch deletes the database from "another tab"
// while a batch is being written: the transaction in flight completes,
// the delete is not blocked, and Puts queued meanwhile reopen the
// database and are written.
func TestGroupCommitDeleteMidBatch(t *testing.T) {
	ctx := context.Background()
	name := dbName(t)
	s := open(t, name)
	js.Global().Set("__deleteName", name)
	jsHook(t, "IDBObjectStore", "put", `(orig) => function() {
		if (++globalThis.__hookCount === 1) globalThis.__deleted = new Promise((ok, fail) => {
			const req = indexedDB.deleteDatabase(globalThis.__deleteName);
			req.onsuccess = ok;
			req.onerror = () => fail(req.error);
			req.onblocked = () => fail(new Error("blocked"));
		});
		return orig.apply(this, arguments);
	}`)
	first := urls("data/first", 10)
	errc := make(chan map[string]error, 1)
	go func() { errc <- putAll(s, first, 10) }()
	// Queue a second wave while the first is in flight.
	time.Sleep(time.Millisecond)
	second := putAll(s, urls("data/second", 10), 10)
	for u, err := range mergeMaps(<-errc, second) {
		if err != nil {
			t.Errorf("Put(%s) = %v; want success around another tab's delete", u, err)
		}
	}
	if v := js.Global().Get("__deleted"); v.IsUndefined() {
		t.Fatal("the delete never started")
	}
	if _, err := awaitPromise(ctx, js.Global().Get("__deleted")); err != nil {
		t.Fatalf("the other tab's delete: %v", err)
	}
	if err := s.Put(ctx, "data/after.json", response("data/after.json", 1)); err != nil {
		t.Fatalf("Put after the delete: %v", err)
	}
	if _, ok, err := s.Get(ctx, "data/after.json"); err != nil || !ok {
		t.Errorf("Get after the delete = %v, %v", ok, err)
	}
}

func mergeMaps(a, b map[string]error) map[string]error {
	for k, v := range b {
		a[k] = v
	}
	return a
}

// awaitPromise waits for p to settle, up to 3s, and returns its value.
func awaitPromise(ctx context.Context, p js.Value) (js.Value, error) {
	type settled struct {
		v   js.Value
		err error
	}
	done := make(chan settled, 1)
	var ok, fail js.Func
	ok = js.FuncOf(func(_ js.Value, args []js.Value) any { done <- settled{v: args[0]}; return nil })
	fail = js.FuncOf(func(_ js.Value, args []js.Value) any {
		done <- settled{err: fmt.Errorf("rejected: %v", js.Global().Get("String").Invoke(args[0]))}
		return nil
	})
	defer ok.Release()
	defer fail.Release()
	p.Call("then", ok, fail)
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	select {
	case s := <-done:
		return s.v, s.err
	case <-ctx.Done():
		return js.Undefined(), ctx.Err()
	}
}

// TestGroupCommitCancelQueued: a Put whose ctx ends while it waits for
// the next transaction returns at once and is not written; the batch in
// flight is.
func TestGroupCommitCancelQueued(t *testing.T) {
	ctx := context.Background()
	s := open(t, dbName(t))
	gate, inFlight := make(chan struct{}), make(chan struct{}, 1)
	s.putFault = func() error {
		select {
		case inFlight <- struct{}{}:
			<-gate // hold the first batch here, before its transaction begins
		default:
		}
		return nil
	}
	firstErr := make(chan error, 1)
	go func() { firstErr <- s.Put(ctx, "data/first.json", response("data/first.json", 1)) }()
	<-inFlight
	cctx, cancel := context.WithCancel(ctx)
	queued := make(chan error, 1)
	go func() { queued <- s.Put(cctx, "data/queued.json", response("data/queued.json", 1)) }()
	time.Sleep(10 * time.Millisecond) // let it queue
	cancel()
	if err := <-queued; !errors.Is(err, context.Canceled) || !strings.HasPrefix(err.Error(), "idbstore: put data/queued.json: ") {
		t.Errorf("the cancelled Put = %v; want context.Canceled", err)
	}
	close(gate)
	if err := <-firstErr; err != nil {
		t.Fatal(err)
	}
	if keys, err := s.Keys(ctx); err != nil || !slices.Equal(keys, []string{"data/first.json"}) {
		t.Errorf("Keys = %q, %v; want only the first entry", keys, err)
	}
}
