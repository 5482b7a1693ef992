package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/stampede-playground/stampede/app/stampede"
)

// faultyStore is a MemoryStore whose Keys and Get can fail or panic, and
// whose Keys can be slowed down and counted.
type faultyStore struct {
	stampede.MemoryStore
	keysErr, getErr error
	panicKeys       bool
	keysDelay       time.Duration
	keysCalls       atomic.Int32
}

func (s *faultyStore) Keys(ctx context.Context) ([]string, error) {
	s.keysCalls.Add(1)
	if s.panicKeys {
		panic("keys exploded")
	}
	time.Sleep(s.keysDelay)
	if s.keysErr != nil {
		return nil, s.keysErr
	}
	return s.MemoryStore.Keys(ctx)
}

func (s *faultyStore) Get(ctx context.Context, url string) (stampede.Response, bool, error) {
	if s.getErr != nil {
		return stampede.Response{}, false, s.getErr
	}
	return s.MemoryStore.Get(ctx, url)
}

func storeEnv(s stampede.Store, f stampede.Fetcher) Env {
	return Env{Fetcher: f, OpenStore: func(context.Context) (stampede.Store, string) { return s, "" }}
}

func put(t *testing.T, s stampede.Store, r stampede.Response) {
	t.Helper()
	if err := s.Put(context.Background(), r.URL, r); err != nil {
		t.Fatal(err)
	}
}

// cacheRows returns the data-url of every row, in order.
func cacheRows(p *Playground) []string {
	var urls []string
	for _, e := range p.views.cache.list.Entries {
		urls = append(urls, e.URL)
	}
	return urls
}

func TestCacheRows(t *testing.T) {
	s := new(stampede.MemoryStore)
	now := time.Now()
	put(t, s, stampede.Response{URL: "data/b.json", Status: 200, ContentType: "application/json", Body: []byte(`{"b":2}`),
		FetchedAt: now.Add(-12 * time.Second), FetchedBy: "crowd#3", RunID: "run-4-1700000000000-t0001"})
	put(t, s, stampede.Response{URL: "data/a.json", Status: 200, ContentType: "application/json", Body: make([]byte, 1536),
		FetchedAt: now.Add(-3 * time.Minute), FetchedBy: "parse_stuff", RunID: "run-1-1700000000000-t0001"})
	put(t, s, stampede.Response{URL: "img/x.png", Status: 200, ContentType: "image/png", Body: []byte{0x89, 'P', 'N', 'G'}})
	p, d, _ := page(t, storeEnv(s, nil), "latency=0")
	d.Consume()

	if got := cacheRows(p); fmt.Sprint(got) != "[data/a.json data/b.json img/x.png]" {
		t.Errorf("rows %v; want the three URLs sorted", got)
	}
	wantHTML(t, p, `id="cache"`, `id="cache-refresh"`, `id="cache-clear"`, `id="cache-summary"`,
		`data-url="data/a.json"`, `data-url="data/b.json"`, `data-url="img/x.png"`,
		`data-size="1536"`, `>1.5 KiB<`, `data-size="7"`, `>7 B<`, `title="1536 bytes"`,
		`data-run-id="run-4-1700000000000-t0001"`, `data-fetched-by="crowd#3"`, `title="run-4-1700000000000-t0001"`,
		`>run-4 (tab t0001)<`, `>crowd#3<`, `>12 s ago<`, `>3 min ago<`, `>unknown<`,
		`>application/json<`, "image/png", `>not text<`,
		`aria-label="view the body of data/a.json"`, `aria-label="delete data/b.json from the cache"`,
		"3 entries, 1.5 KiB in all.")
	if strings.Count(html(p), `class="cache-bin"`) != 1 {
		t.Error("want exactly one entry marked not text")
	}

	// This tab's own runs show without the tab.
	if got := runLabel("run-2-1700000000000-"+p.run.tab, p.run.tab); got != "run-2" {
		t.Errorf("runLabel of this tab = %q", got)
	}
}

func TestCacheBounded(t *testing.T) {
	s := new(stampede.MemoryStore)
	for i := range maxCacheRows + 5 {
		put(t, s, stampede.Response{URL: fmt.Sprintf("data/%04d.json", i), Body: []byte("12")})
	}
	p, d, _ := page(t, storeEnv(s, nil), "latency=0")
	d.Consume()
	if n := len(p.views.cache.list.Entries); n != maxCacheRows {
		t.Errorf("%d rows; want %d", n, maxCacheRows)
	}
	wantHTML(t, p, "205 entries; the first 200 by URL listed (400 B); 5 more not listed.")
	if strings.Contains(html(p), `data-url="data/0200.json"`) {
		t.Error("row 201 is listed")
	}
}

func TestCacheViewIsText(t *testing.T) {
	s := new(stampede.MemoryStore)
	put(t, s, stampede.Response{URL: "data/page.html", Status: 200, ContentType: "text/html; charset=utf-8",
		Body: []byte(`<h1>Not rendered</h1><script>window.__pwned=1</script><img src=x onerror=alert(1)>`)})
	put(t, s, stampede.Response{URL: "img/x.png", Status: 200, ContentType: "image/png", Body: []byte{0x89, 'P', 'N', 'G', 0, 0xff}})
	big := strings.Repeat("é", maxViewBytes) // 2 bytes a rune: twice the limit
	put(t, s, stampede.Response{URL: "data/big.txt", Status: 200, ContentType: "text/plain", Body: []byte(big)})
	p, d, _ := page(t, storeEnv(s, nil), "latency=0")
	d.Consume()

	onUI(d, p.views.cache, func(ctx app.Context) { p.views.cache.viewEntry(ctx, "data/page.html") })
	h := html(p)
	for _, bad := range []string{"<script>", "<h1>Not", "<img src=x"} {
		if strings.Contains(h, bad) {
			t.Errorf("the viewed body reached the page as markup: %s", bad)
		}
	}
	wantHTML(t, p, `id="cache-body"`, `data-view-url="data/page.html"`, `class="cache-text"`,
		"&lt;script&gt;window.__pwned=1&lt;/script&gt;", "HTTP 200, text/html; charset=utf-8, 82 B",
		`aria-label="hide the body of data/page.html"`)

	onUI(d, p.views.cache, func(ctx app.Context) { p.views.cache.viewEntry(ctx, "img/x.png") })
	if !strings.Contains(p.views.cache.viewNote, "not a text type") || !strings.Contains(p.views.cache.viewNote, "not UTF-8") {
		t.Errorf("png note %q; want it marked not text and not UTF-8", p.views.cache.viewNote)
	}
	if want := "\uFFFDPNG\uFFFD\uFFFD"; p.views.cache.viewText != want {
		t.Errorf("png text %q; want %q", p.views.cache.viewText, want)
	}

	onUI(d, p.views.cache, func(ctx app.Context) { p.views.cache.viewEntry(ctx, "data/big.txt") })
	if len(p.views.cache.viewText) > maxViewBytes || !utf8Valid(p.views.cache.viewText) || !strings.HasPrefix(big, p.views.cache.viewText) {
		t.Errorf("big body shown as %d bytes; want at most %d, cut at a rune", len(p.views.cache.viewText), maxViewBytes)
	}
	if !strings.Contains(p.views.cache.viewNote, "truncated: the first 16.0 KiB of 32.0 KiB shown") {
		t.Errorf("big note %q", p.views.cache.viewNote)
	}

	// view again hides.
	onUI(d, p.views.cache, func(ctx app.Context) { p.views.cache.viewEntry(ctx, "data/big.txt") })
	if p.views.cache.viewURL != "" || strings.Contains(html(p), `id="cache-body"`) {
		t.Error("a second view did not hide the body")
	}
}

func utf8Valid(s string) bool { return !strings.ContainsRune(s, '\uFFFD') }

func TestCacheDelete(t *testing.T) {
	s := new(stampede.MemoryStore)
	put(t, s, stampede.Response{URL: "data/a.json", Body: []byte("a")})
	put(t, s, stampede.Response{URL: "data/b.json", Body: []byte("bb")})
	p, d, _ := page(t, storeEnv(s, nil), "latency=0")
	d.Consume()
	onUI(d, p.views.cache, func(ctx app.Context) { p.views.cache.viewEntry(ctx, "data/a.json") })
	onUI(d, p.views.cache, func(ctx app.Context) { p.views.cache.deleteEntry(ctx, "data/a.json") })

	if _, ok, _ := s.Get(context.Background(), "data/a.json"); ok {
		t.Error("data/a.json is still in the store")
	}
	if got := cacheRows(p); fmt.Sprint(got) != "[data/b.json]" {
		t.Errorf("rows %v; want only data/b.json", got)
	}
	h := html(p)
	if strings.Contains(h, `data-url="data/a.json"`) || strings.Contains(h, `id="cache-body"`) {
		t.Error("the deleted entry's row or body is still shown")
	}
	wantHTML(t, p, "Deleted data/a.json.", "1 entry, 2 B in all.")
}

func TestCacheClearAll(t *testing.T) {
	s := new(stampede.MemoryStore)
	put(t, s, stampede.Response{URL: "data/a.json", Body: []byte("a")})
	put(t, s, stampede.Response{URL: "data/b.json", Body: []byte("b")})
	p, d, _ := page(t, storeEnv(s, nil), "latency=0")
	d.Consume()
	if len(p.views.cache.list.Entries) != 2 {
		t.Fatalf("%d rows before clear; want 2", len(p.views.cache.list.Entries))
	}
	// #cache-clear's handler is the page's Clear cache.
	onUI(d, p, func(ctx app.Context) { p.onClear(ctx, app.Event{}) })
	if keys, _ := s.Keys(context.Background()); len(keys) != 0 {
		t.Errorf("store keeps %v after clear all", keys)
	}
	if len(p.views.cache.list.Entries) != 0 || p.views.cache.list.Count != 0 {
		t.Errorf("listing after clear: %+v", p.views.cache.list)
	}
	wantHTML(t, p, "The cache is empty.", "Cache cleared: 2 entries removed.")
}

func TestCacheStoreErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		store *faultyStore
		want  string
	}{
		{"keys", &faultyStore{keysErr: errors.New("UnknownError: IndexedDB broke")}, "reading the cache&#39;s keys failed: UnknownError: IndexedDB broke"},
		{"get", &faultyStore{getErr: errors.New("TransactionInactiveError")}, "reading data/a.json from the cache failed: TransactionInactiveError"},
		{"panic", &faultyStore{panicKeys: true}, "the store panicked: keys exploded"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			put(t, &tc.store.MemoryStore, stampede.Response{URL: "data/a.json", Body: []byte("a")})
			p, d, _ := page(t, storeEnv(tc.store, nil), "latency=0")
			d.Consume()
			wantHTML(t, p, `id="cache-error"`, `role="alert"`, tc.want)
			// A view of an entry whose Get fails says so too.
			if tc.name == "get" {
				onUI(d, p.views.cache, func(ctx app.Context) { p.views.cache.viewEntry(ctx, "data/a.json") })
				wantHTML(t, p, "reading the body failed: TransactionInactiveError")
			}
		})
	}
}

func TestCacheRefreshAfterRun(t *testing.T) {
	f := &countingFetcher{delay: 10 * time.Millisecond}
	s := new(stampede.MemoryStore)
	p, d, _ := page(t, storeEnv(s, f.fetcher()), "preset=seed&strategy=lock&latency=0&run=1")
	d.Consume()
	if p.run.run.state != runDone {
		t.Fatalf("state %q: %s", p.run.run.state, p.run.run.result.Err)
	}
	// do_work's fetch step goes around the cache: only stuff.json is stored.
	if got := cacheRows(p); fmt.Sprint(got) != "[data/stuff.json]" {
		t.Fatalf("rows after the run %v; want stuff.json", got)
	}
	for _, e := range p.views.cache.list.Entries {
		if e.RunID != p.run.run.result.RunID || e.FetchedBy == "" || e.Size != 7 {
			t.Errorf("entry %+v; want run %s, a worker and 7 bytes", e, p.run.run.result.RunID)
		}
	}
	wantHTML(t, p, `data-run-id="`+p.run.run.result.RunID+`"`, ">run-1<", ">parse_stuff<", "1 entry, 7 B in all.")
}

// TestCacheAfterBatch: only a batch with a stored entry asks for a read.
func TestCacheAfterBatch(t *testing.T) {
	s := &faultyStore{}
	p, d, _ := page(t, storeEnv(s, nil), "latency=0")
	d.Consume()
	base := s.keysCalls.Load()
	onUI(d, p, func(ctx app.Context) {
		p.run.applyBatch(p.run.run.n, batch{Events: []stampede.Event{{Kind: stampede.KindCacheHit}, {Kind: stampede.KindFetchDone, Detail: "200; not cached: quota"}}})
	})
	if n := s.keysCalls.Load() - base; n != 0 {
		t.Errorf("a batch without a stored entry read the cache %d times", n)
	}
	onUI(d, p, func(ctx app.Context) {
		p.run.applyBatch(p.run.run.n, batch{Events: []stampede.Event{{Kind: stampede.KindFetchDone, Detail: "200 application/json, 7 B", Stored: true}}})
	})
	if n := s.keysCalls.Load() - base; n != 1 {
		t.Errorf("a batch with a stored entry read the cache %d times; want 1", n)
	}
}

// TestCacheRefreshCoalesced: refreshes asked for while one is in flight
// become one more, and asking never waits for the store.
func TestCacheRefreshCoalesced(t *testing.T) {
	s := &faultyStore{keysDelay: 100 * time.Millisecond}
	p, d, _ := page(t, storeEnv(s, nil), "latency=0")
	d.Consume()
	base := s.keysCalls.Load()
	var took time.Duration
	onUI(d, p, func(ctx app.Context) {
		start := time.Now()
		for range 10 {
			p.views.cache.refresh(ctx)
		}
		took = time.Since(start)
		if !p.views.cache.loading || !p.views.cache.again {
			t.Errorf("loading %v, again %v; want a refresh in flight and one pending", p.views.cache.loading, p.views.cache.again)
		}
	})
	if took > 50*time.Millisecond {
		t.Errorf("asking for 10 refreshes took %v on the UI goroutine; the store takes 100ms a read", took)
	}
	if n := s.keysCalls.Load() - base; n != 2 {
		t.Errorf("10 refreshes read the keys %d times; want 2 (one in flight, one after)", n)
	}
	if p.views.cache.loading || p.views.cache.again {
		t.Errorf("loading %v, again %v after all ended", p.views.cache.loading, p.views.cache.again)
	}
}

func TestBodyTextAndHelpers(t *testing.T) {
	for ct, want := range map[string]bool{"text/plain": true, "application/json; charset=utf-8": true,
		"image/svg+xml": true, "application/problem+json": true, "image/png": false, "": false,
		"application/octet-stream": false, "nonsense;;": false} {
		if got := isTextType(ct); got != want {
			t.Errorf("isTextType(%q) = %v", ct, got)
		}
	}
	text, note := bodyText(stampede.Response{Status: 200, Body: []byte("a\x00b\x1b[31m")})
	if text != "a\uFFFDb\uFFFD[31m" || !strings.Contains(note, "no content type") {
		t.Errorf("control characters: %q, %q", text, note)
	}
	if _, note := bodyText(stampede.Response{Status: 204, ContentType: "text/plain"}); !strings.Contains(note, "empty body") {
		t.Errorf("empty: %q", note)
	}
	now := time.Now()
	for d, want := range map[time.Duration]string{0: "just now", 12 * time.Second: "12 s ago",
		3 * time.Minute: "3 min ago", 5 * time.Hour: "5 h ago", 72 * time.Hour: "3 days ago"} {
		if got := age(now.Add(-d), now); got != want {
			t.Errorf("age(%v) = %q; want %q", d, got, want)
		}
	}
	if got := runLabel("not-a-run-id-x-y", "t1"); got != "not-a-run-id-x-y" {
		t.Errorf("runLabel of a foreign id = %q", got)
	}
}

// TestOnSelf: a row's handler hands its work to the inspector's own
// context, which outlives the row's button.
func TestOnSelf(t *testing.T) {
	p, d, _ := page(t, Env{}, "latency=0")
	d.Consume()
	var src app.UI
	onUI(d, p.views.cache, func(ctx app.Context) {
		p.views.cache.onSelf(ctx, func(ctx app.Context) { src = ctx.Src() })
	})
	d.Consume()
	if src != app.UI(p.views.cache) {
		t.Errorf("onSelf ran with source %T; want the inspector", src)
	}
}

func TestExpiresIn(t *testing.T) {
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		stored time.Time
		ttl    time.Duration
		want   string
	}{
		{now, 0, "never"},
		{time.Time{}, time.Second, "unknown"},
		{now.Add(-800 * time.Millisecond), 2 * time.Second, "in 1.2 s"},
		{now.Add(-5 * time.Second), 2 * time.Second, "expired 3.0 s ago"},
		{now, 90 * time.Second, "in 1m30s"},
	} {
		if got := expiresIn(tt.stored, tt.ttl, now); got != tt.want {
			t.Errorf("expiresIn(%v, %v) = %q; want %q", now.Sub(tt.stored), tt.ttl, got, tt.want)
		}
	}
	if got := tookText(230 * time.Millisecond); got != "230 ms" {
		t.Errorf("tookText = %q", got)
	}
}
