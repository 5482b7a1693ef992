package ui

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/stampede-playground/stampede/app/stampede"
)

// The cache inspector (#cache) lists what the store holds: one row per
// entry, sorted by URL, with its size, content type, age and the run and
// worker that stored it. An entry's body can be viewed, as text only, and
// an entry deleted; "Clear all" is the page's one Clear path (clearCache).
//
// The listing is read off the UI goroutine (ctx.Async, then
// ctx.Dispatch), one refresh at a time: a refresh asked for while one is
// in flight runs once that one is done, no sooner than cacheRefreshGap
// after it. With IndexedDB each Get is a short transaction of its own.

const (
	// maxCacheRows bounds the listing: the first entries by URL.
	maxCacheRows = 200
	// maxViewBytes bounds the body text that "view" shows.
	maxViewBytes = 16 << 10
	// cacheRefreshGap is the least time between two reads of the
	// listing while a run keeps storing entries.
	cacheRefreshGap = 300 * time.Millisecond
)

// cacheInspector is #cache. It owns the listing and the body view; it
// reads the store the runner opened, again whenever the runner says what
// the store holds changed. Its state changes only on the UI goroutine.
type cacheInspector struct {
	app.Compo

	runView

	gen      int // the runner's cacheGen the listing was read for
	list     cacheListing
	loaded   bool      // list has been read at least once
	loading  bool      // a refresh is in flight; at most one is
	again    bool      // a refresh was asked for while one was in flight
	lastRead time.Time // when the last refresh ended

	viewURL  string // the entry whose body is shown; "" for none
	viewText string // its body as text, truncated
	viewNote string // what the text is: type, truncation, loading, errors

	note string // the outcome of the last delete

	drawn stager[cacheRow] // the rows drawn, cacheChunk a component
}

// cacheChunk is how many rows the inspector draws per draw turn
// (draws.go): a listing of 100 entries drawn at once took the page's
// thread for about 150 ms, and a turn of 25 rows up to 103 ms at the end
// of the bench's 10,000-worker run (`-only long`); with 10, no turn of
// the inspector's at the run's end was among its longest tasks.
const cacheChunk = 10

// cacheEntry is one row: a stored Response without its body.
type cacheEntry struct {
	URL         string
	Status      int
	ContentType string
	Size        int
	FetchedAt   time.Time
	StoredAt    time.Time     // zero when the entry does not say
	Delta       time.Duration // how long its fetch took
	FetchedBy   string
	RunID       string
}

// cacheListing is one read of the store.
type cacheListing struct {
	Entries []cacheEntry // sorted by URL, at most maxCacheRows
	Count   int          // keys in the store
	Size    int          // body bytes of Entries
	Err     string       // a failed read; Entries holds what was read before it
}

// readListing reads up to max entries of s, in URL order. It runs off the
// UI goroutine. A store that panics is reported like one that fails.
func readListing(ctx context.Context, s stampede.Store, max int) (l cacheListing) {
	if err := guardStore(func() error { l = listStore(ctx, s, max); return nil }); err != nil {
		l.Err = "reading the cache failed: " + err.Error()
	}
	return l
}

func listStore(ctx context.Context, s stampede.Store, max int) (l cacheListing) {
	keys, err := s.Keys(ctx)
	if err != nil {
		l.Err = "reading the cache's keys failed: " + err.Error()
		return l
	}
	sort.Strings(keys)
	l.Count = len(keys)
	for _, k := range keys {
		if len(l.Entries) == max {
			break
		}
		r, ok, err := s.Get(ctx, k)
		if err != nil {
			l.Err = fmt.Sprintf("reading %s from the cache failed: %v", k, err)
			return l
		}
		if !ok { // deleted since Keys
			l.Count--
			continue
		}
		l.Entries = append(l.Entries, cacheEntry{URL: k, Status: r.Status, ContentType: r.ContentType,
			Size: r.Size(), FetchedAt: r.FetchedAt, StoredAt: r.StoredAt, Delta: r.Delta,
			FetchedBy: r.FetchedBy, RunID: r.RunID})
		l.Size += r.Size()
	}
	return l
}

func (c *cacheInspector) OnMount(ctx app.Context) {
	c.follow(ctx, func() {
		if c.gen != c.run.cacheGen || (!c.loaded && !c.loading && c.run.ready) {
			c.gen = c.run.cacheGen
			c.refresh(ctx)
		}
		c.restage(ctx)
	})
	if c.run.ready {
		c.refresh(ctx)
	}
}

func (c *cacheInspector) OnDismount() {
	c.runView.OnDismount()
	c.drawn.queued = false // its turn is skipped
}

// refresh reads the listing again, in the background. A call while a
// refresh is in flight is remembered and served once it ends.
func (c *cacheInspector) refresh(ctx app.Context) {
	r := c.run
	if !r.ready || r.store == nil {
		return
	}
	if c.loading {
		c.again = true
		return
	}
	c.loading, c.again = true, false
	store, wait := r.store, cacheRefreshGap-time.Since(c.lastRead)
	ctx.Async(func() {
		if wait > 0 {
			_ = stampede.Sleep(ctx, wait)
		}
		l := readListing(ctx, store, maxCacheRows)
		ctx.Dispatcher().Dispatch(app.Dispatch{Mode: app.Next, Source: ctx.Src(), Function: func(ctx app.Context) {
			arrived := func(ctx app.Context, draw bool) {
				c.loading, c.loaded, c.lastRead = false, true, time.Now()
				if draw {
					c.setList(ctx, l)
				} else {
					c.list, c.skipped = l, true // drawn in sight, or at the run's end
				}
				if c.again {
					c.refresh(ctx)
				}
			}
			if c.unseen() {
				arrived(ctx, false)
				return
			}
			c.run.drawTurn(ctx, func(ctx app.Context) { arrived(ctx, true) })
		}})
	})
}

// setList shows l.
func (c *cacheInspector) setList(ctx app.Context, l cacheListing) {
	c.list = l
	c.restage(ctx)
}

// restage draws the rows as they are now (in draw turns): after a read,
// and when what a row says of its entry changes (the run's state, its
// ttl, the entry viewed, the time).
func (c *cacheInspector) restage(ctx app.Context) {
	c.drawn.set(c.run, ctx, c.rows(c.list.Entries, time.Now(), c.run.busy || !c.run.ready))
}

// viewEntry shows url's body, or hides it when it is shown.
func (c *cacheInspector) viewEntry(ctx app.Context, url string) {
	defer c.restage(ctx) // the rows' view buttons say which is viewed
	if c.viewURL == url {
		c.viewURL, c.viewText, c.viewNote = "", "", ""
		return
	}
	if !c.run.ready {
		return
	}
	c.viewURL, c.viewText, c.viewNote = url, "", "reading…"
	store := c.run.store
	ctx.Async(func() {
		text, note := readBody(ctx, store, url)
		ctx.Dispatch(func(app.Context) {
			if c.viewURL != url { // closed or another chosen meanwhile
				return
			}
			c.viewText, c.viewNote = text, note
		})
	})
}

// deleteEntry removes url from the store, then reads the listing again.
// Like Clear, it waits for the end of a run.
func (c *cacheInspector) deleteEntry(ctx app.Context, url string) {
	if !c.run.ready || c.run.busy {
		return
	}
	store := c.run.store
	ctx.Async(func() {
		err := guardStore(func() error { return store.Delete(ctx, url) })
		ctx.Dispatch(func(ctx app.Context) {
			if err != nil {
				c.note = fmt.Sprintf("Deleting %s failed: %v", url, err)
			} else {
				c.note = "Deleted " + url + "."
				if c.viewURL == url {
					c.viewURL, c.viewText, c.viewNote = "", "", ""
				}
				c.setList(ctx, c.list.without(url)) // its rows as they are now
			}
			c.refresh(ctx)
		})
	})
}

// without is l less url's row, until the next read says otherwise.
func (l cacheListing) without(url string) cacheListing {
	out := l
	out.Entries = nil
	for _, e := range l.Entries {
		if e.URL == url {
			out.Count--
			out.Size -= e.Size
			continue
		}
		out.Entries = append(out.Entries, e)
	}
	return out
}

func (c *cacheInspector) onRefresh(ctx app.Context, e app.Event) { c.refresh(ctx) }

func (c *cacheInspector) onClear(ctx app.Context, e app.Event) { c.run.clearCache(ctx) }

// onSelf runs fn on the UI goroutine with the inspector's own context
// instead of ctx. A row's buttons need it: go-app ends an element's
// context when the element is dismounted, and a deleted row's button is,
// which would cancel the store calls started from it and drop their
// dispatches.
func (c *cacheInspector) onSelf(ctx app.Context, fn func(app.Context)) {
	ctx.Dispatcher().Dispatch(app.Dispatch{Mode: app.Update, Source: c, Function: fn})
}

// Render.

func (c *cacheInspector) Render() app.UI {
	ready := c.run.ready
	busy := c.run.busy || !ready
	refresh := app.Elem("button").ID("cache-refresh").Attr("type", "button").Text("Refresh").OnClick(c.onRefresh)
	clear := app.Elem("button").ID("cache-clear").Attr("type", "button").Text("Clear all").
		Title("remove every entry (as Clear cache)").OnClick(c.onClear)
	if !ready {
		refresh = refresh.Attr("disabled", true)
	}
	if busy {
		clear = clear.Attr("disabled", true)
	}
	summary := "Reading the cache…"
	if c.loaded {
		summary = c.list.summary()
	} else if !ready {
		summary = "The cache opens when the page has loaded."
	}
	entries := c.list.Entries
	rows := c.drawn.shown
	return app.Elem("section").ID("cache").Class("panel", "cache").Aria("label", "cache inspector").Aria("busy", c.loading).Body(
		app.Div().Class("cache-head").Body(
			app.Elem("h2").Text("Cache"),
			app.Div().Class("buttons").Body(refresh, clear),
		),
		app.P().ID("cache-summary").Class("status").Aria("live", "polite").Text(summary),
		app.If(c.list.Err != "",
			app.P().ID("cache-error").Class("status", "err").Role("alert").Text(c.list.Err),
		),
		app.If(c.note != "",
			app.P().ID("cache-note").Class("status").Role("status").Text(c.note),
		),
		app.If(len(entries) > 0,
			app.Div().Class("cache-scroll").Body(
				app.Elem("table").Class("cache-table").Body(
					app.Elem("thead").Body(app.Elem("tr").Body(
						app.Elem("th").Attr("scope", "col").Text("URL"),
						app.Elem("th").Attr("scope", "col").Text("size"),
						app.Elem("th").Attr("scope", "col").Text("type"),
						app.Elem("th").Attr("scope", "col").Text("age"),
						app.Elem("th").Attr("scope", "col").Text("expires"),
						app.Elem("th").Attr("scope", "col").Text("fetch took"),
						app.Elem("th").Attr("scope", "col").Text("stored by"),
						app.Elem("th").Attr("scope", "col").Body(app.Elem("span").Class("visually-hidden").Text("actions")),
					)),
					app.Range(rows).Slice(func(i int) app.UI { return &cacheRowChunk{Irows: rows[i], c: c} }),
				),
			),
		),
		app.If(c.viewURL != "", c.renderBody()),
	)
}

// cacheRow is a row as drawn: an entry and what the inspector says of it.
type cacheRow struct {
	Entry                               cacheEntry
	Age, Expires, ExpiresTitle, RunName string
	Viewing, Busy                       bool
}

// rows are entries as drawn at now, in chunks of cacheChunk.
func (c *cacheInspector) rows(entries []cacheEntry, now time.Time, busy bool) [][]cacheRow {
	rows := make([]cacheRow, len(entries))
	for i, e := range entries {
		rows[i] = cacheRow{Entry: e, Age: age(e.FetchedAt, now), Expires: expiresIn(e.StoredAt, c.run.ttl, now),
			ExpiresTitle: expiresTitle(c.run.ttl), RunName: runLabel(e.RunID, c.run.tab), Viewing: c.viewURL == e.URL, Busy: busy}
	}
	return chunks(rows, cacheChunk)
}

// cacheRowChunk is a chunk of the listing: a <tbody> of rows. It only shows
// what the inspector gives it; its buttons call the inspector.
type cacheRowChunk struct {
	app.Compo

	Irows []cacheRow
	c     *cacheInspector
}

func (r *cacheRowChunk) Render() app.UI {
	return app.Elem("tbody").Body(app.Range(r.Irows).Slice(func(i int) app.UI { return r.c.renderRow(r.Irows[i]) }))
}

func (c *cacheInspector) renderRow(row cacheRow) app.UI {
	e, viewing, busy := row.Entry, row.Viewing, row.Busy
	viewLabel := "view"
	if viewing {
		viewLabel = "hide"
	}
	ct := e.ContentType
	if ct == "" {
		ct = "none"
	}
	expires := row.Expires
	ageCell := app.Elem("td").Class("cache-age").Text(row.Age)
	if !e.FetchedAt.IsZero() {
		ageCell = ageCell.Title(e.FetchedAt.Format(time.RFC3339))
	}
	byCell := app.Elem("td").Class("cache-by")
	if e.RunID != "" {
		byCell = byCell.Title(e.RunID)
	}
	// The URL scopes each handler: go-app keeps a handler whose code and
	// scope are unchanged, so without it a row would keep the handler of
	// the URL it showed before.
	del := app.Elem("button").Attr("type", "button").Class("cache-delete").Text("delete").
		Aria("label", "delete "+e.URL+" from the cache").OnClick(func(ctx app.Context, _ app.Event) {
		c.onSelf(ctx, func(ctx app.Context) { c.deleteEntry(ctx, e.URL) })
	}, e.URL)
	if busy {
		del = del.Attr("disabled", true).Title("wait for the run to end")
	}
	return app.Elem("tr").DataSet("url", e.URL).DataSet("size", e.Size).DataSet("run-id", e.RunID).
		DataSet("expires", expires).DataSet("delta-ms", e.Delta.Milliseconds()).
		DataSet("fetched-by", e.FetchedBy).Body(
		app.Elem("td").Class("cache-url").Body(app.Code().Text(e.URL)),
		app.Elem("td").Class("cache-size").Title(fmt.Sprintf("%d bytes", e.Size)).Text(byteSize(e.Size)),
		app.Elem("td").Class("cache-type").Body(
			app.Text(ct),
			app.If(!isTextType(e.ContentType), app.Elem("span").Class("cache-bin").Title("not a text type").Text("not text")),
		),
		ageCell,
		app.Elem("td").Class("cache-expires").Title(row.ExpiresTitle).Text(expires),
		app.Elem("td").Class("cache-delta").Text(tookText(e.Delta)),
		byCell.Body(
			app.If(e.RunID != "", app.Elem("span").Class("cache-run").Text(row.RunName)),
			app.If(e.FetchedBy != "", app.Elem("span").Class("cache-worker").Text(e.FetchedBy)),
			app.If(e.RunID == "" && e.FetchedBy == "", app.Text("unknown")),
		),
		app.Elem("td").Class("cache-actions").Body(
			app.Elem("button").Attr("type", "button").Class("cache-view").Text(viewLabel).
				Aria("label", viewLabel+" the body of "+e.URL).Aria("expanded", viewing).
				Aria("controls", "cache-body").OnClick(func(ctx app.Context, _ app.Event) {
				c.onSelf(ctx, func(ctx app.Context) { c.viewEntry(ctx, e.URL) })
			}, e.URL),
			del,
		),
	)
}

func (c *cacheInspector) renderBody() app.UI {
	return app.Div().ID("cache-body").Class("cache-body").DataSet("view-url", c.viewURL).Body(
		app.P().Class("status").Body(
			app.Elem("strong").Text(c.viewURL),
			app.Text(": "+c.viewNote),
		),
		app.If(c.viewText != "", app.Elem("pre").Class("cache-text").Text(c.viewText)),
	)
}
