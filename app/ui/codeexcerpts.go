package ui

import (
	"strings"

	"github.com/stampede-playground/stampede/app/stampede"
)

// The code panel shows, next to the editor, the Go that the chosen
// strategy runs and the Python asyncio (or, for crosstab, JavaScript Web
// Locks) code it mirrors. The Go excerpts are real: code_test.go reads
// the engine's source and fails when an excerpt is no longer found there
// verbatim (leading whitespace aside), so they cannot drift from it.

// goChunk is a run of lines copied from File, a path from the module root.
type goChunk struct {
	File string // e.g. app/stampede/loader.go
	Note string // where in the file, e.g. "getLocked"; shown as a comment
	Code string // the lines, indented as in the file
}

// codeExcerpt is what the panel shows for one strategy.
type codeExcerpt struct {
	Go       []goChunk
	Mirror   string // the Python (or JavaScript) it mirrors
	MirrorIn string // the mirror's language, as the panel labels it
}

// The chunks several strategies share.
var (
	chunkGetLocked = goChunk{File: "app/stampede/loader.go", Note: "getLocked", Code: `
	unlock, waited, err := l.acquire(ctx, c, url, url)
	if err != nil {
		return Response{}, err
	}
	defer l.release(c, url, unlock)`}

	chunkCallCFS = goChunk{File: "app/stampede/loader.go", Code: `
	return l.checkFetchStore(ctx, c, url, waited)`}

	chunkCheckFetchStore = goChunk{File: "app/stampede/fetchstore.go", Note: "checkFetchStore, the critical section", Code: `
	r, st := l.lookup(ctx, c, url, waited)
	if st == entryFresh {
		return r, nil
	}
	return l.fetchStore(ctx, c, url, replaces(st))`}

	chunkFetchStore = goChunk{File: "app/stampede/fetchstore.go", Note: "fetchStore", Code: `
	r, took, err := l.fetch(ctx, c, url, old)
	if err != nil {
		l.noteFailure(url, c.worker, err)
		return Response{}, err
	}
	r.StoredAt = time.Now() // its time to live starts now
	// The entry is written whole in one Put; a failed Put leaves the old
	// state and the caller still gets its response.
	if err := l.store.Put(ctx, url, r); err != nil {`}
)

// pyCheckFetchStore is the body every Python version shares.
const pyCheckFetchStore = `        if url in cache:
            return cache[url]
        stuff = await fetch(url)
        cache[url] = stuff
        return stuff`

// codeExcerpts are the panel's contents, one per strategy.
var codeExcerpts = map[stampede.Strategy]codeExcerpt{
	stampede.None: {
		Go: []goChunk{
			{File: "app/stampede/loader.go", Note: "Get", Code: `
	case None:
		r, err = l.checkFetchStore(ctx, c, url, 0)`},
			{File: "app/stampede/fetchstore.go", Note: "checkFetchStore, unguarded", Code: `
	r, st := l.lookup(ctx, c, url, waited)
	if st == entryFresh {
		return r, nil
	}
	return l.fetchStore(ctx, c, url, replaces(st))`},
		},
		MirrorIn: "Python asyncio",
		Mirror: `cache = {}

async def get_stuff(url):
    # no lock: between the check and the store there is an await,
    # so every concurrent caller misses and fetches (the stampede)
    if url in cache:
        return cache[url]
    stuff = await fetch(url)
    cache[url] = stuff
    return stuff`,
	},
	stampede.Lock: {
		Go: []goChunk{
			{File: "app/stampede/loader.go", Note: "NewLoader", Code: `
	case Lock:
		l.locker = globalLocker{m: newMutex()}`},
			{File: "app/stampede/lock.go", Code: `
// globalLocker is one lock for every key: the asyncio.Lock example.
type globalLocker struct{ m mutex }`},
			chunkGetLocked,
			chunkCallCFS,
			chunkCheckFetchStore,
			chunkFetchStore,
		},
		MirrorIn: "Python asyncio",
		Mirror: `lock = asyncio.Lock()  # one lock, made once

async def get_stuff(url):
    async with lock:  # critical section: check, fetch, store
` + pyCheckFetchStore + `
# parse_stuff() and use_stuff() both want the same URL -> one fetch;
# do_work() needs no cache and is never blocked by the lock.`,
	},
	stampede.Keyed: {
		Go: []goChunk{
			{File: "app/stampede/lock.go", Note: "keyedLocker.ref, a lock per URL", Code: `
	k.mu.Lock()
	if k.locks == nil {
		k.locks = make(map[string]*keyedEntry)
	}
	e = k.locks[key]
	if e == nil {
		e = &keyedEntry{m: newMutex()}
		k.locks[key] = e
	}
	e.refs++
	k.mu.Unlock()`},
			chunkGetLocked,
			chunkCallCFS,
			{File: "app/stampede/fetchstore.go", Note: "checkFetchStore, checked again when held", Code: `
	r, st := l.lookup(ctx, c, url, waited)
	if st == entryFresh {
		return r, nil
	}`},
		},
		MirrorIn: "Python asyncio",
		Mirror: `locks = {}  # url -> asyncio.Lock

async def get_stuff(url):
    lock = locks.setdefault(url, asyncio.Lock())
    async with lock:  # only callers of this url wait
` + pyCheckFetchStore + `
# (Go drops a url's lock when nobody holds or wants it)`,
	},
	stampede.Singleflight: {
		Go: []goChunk{
			{File: "app/stampede/shared.go", Note: "getShared", Code: `
	l.mu.Lock()
	leader, waiting := l.inflight[url]
	if !waiting {
		if l.inflight == nil {
			l.inflight = make(map[string]string)
		}
		l.inflight[url] = c.worker`},
			{File: "app/stampede/shared.go", Code: `
	ch := l.group.DoChan(url, func() (any, error) {
		ran = true
		defer func() {
			l.mu.Lock()
			delete(l.inflight, url)
			l.group.Forget(url)
			l.mu.Unlock()
			l.bg.Done()
		}()
		r, st := l.lookup(ctx, c, url, 0)
		if st == entryFresh {
			return flight{r, true}, nil
		}
		r, err := l.fetchStore(ctx, c, url, replaces(st))
		return flight{r, false}, err
	})`},
			{File: "app/stampede/shared.go", Code: `
	select {
	case res := <-ch:`},
		},
		MirrorIn: "Python asyncio",
		Mirror: `inflight = {}  # url -> the Task fetching it

async def get_stuff(url):
    task = inflight.get(url)
    if task is None:  # the first caller starts the fetch
        task = asyncio.create_task(fetch_and_store(url))
        inflight[url] = task
        task.add_done_callback(lambda _: inflight.pop(url, None))
    return await asyncio.shield(task)  # the others share its result

async def fetch_and_store(url):
` + strings.ReplaceAll(pyCheckFetchStore, "        ", "    "),
	},
	stampede.PerCall: {
		Go: []goChunk{
			{File: "app/stampede/loader.go", Note: "NewLoader", Code: `
	case PerCall:
		l.locker = perCallLocker{}`},
			{File: "app/stampede/lock.go", Code: `
// perCallLocker creates a new lock on every call: the bug of writing
// ` + "`lock = asyncio.Lock()`" + ` inside the function. Each caller gets its own
// lock, so it never waits and protects nothing.
type perCallLocker struct{}

func (perCallLocker) Lock(ctx context.Context, key string) (func(), error) {
	return globalLocker{m: newMutex()}.Lock(ctx, key)
}`},
			chunkGetLocked,
			chunkCallCFS,
		},
		MirrorIn: "Python asyncio (the bug)",
		Mirror: `async def get_stuff(url):
    lock = asyncio.Lock()  # BUG: a new lock on every call
    async with lock:  # never contended: protects nothing
` + pyCheckFetchStore + `
# every concurrent caller misses and fetches, as with no lock at all`,
	},
	stampede.CrossTab: {
		Go: []goChunk{
			{File: "app/stampede/loader.go", Note: "NewLoader, a Locker from the browser", Code: `
	case CrossTab:
		if c.CrossTab == nil {
			return nil, ErrNoCrossTab
		}
		l.locker = c.CrossTab`},
			{File: "wasm/weblock/lock_js.go", Note: "weblock.Locker.Lock", Code: `
	name := LockName(key)`},
			{File: "wasm/weblock/lock_js.go", Code: `
	locks.Call("request", name, opts, onGrant).Call("then", onSettled, onRejected)`},
			chunkGetLocked,
			chunkCallCFS,
		},
		MirrorIn: "JavaScript Web Locks (asyncio.Lock cannot span tabs)",
		Mirror: `// tabs are like processes: an asyncio.Lock lives in one of them.
// navigator.locks is one lock per name for every tab of the origin,
// and IndexedDB is the cache they share.
async function getStuff(url) {
  return navigator.locks.request("stampede:" + url, async () => {
    const hit = await idbGet(url);  // checked again once granted
    if (hit) return hit;
    const stuff = await fetch(url, {cache: "no-store"});
    await idbPut(url, stuff);
    return stuff;
  });
}`,
	},
	stampede.SWR: {
		Go: []goChunk{
			{File: "app/stampede/refresh.go", Note: "getStale", Code: `
	r, st := l.lookup(ctx, c, url, 0)
	switch st {
	case entryFresh:
		return r, nil
	case entryExpired:
		if !l.quiet {
			l.emitStale(c, r, url)
		}
		l.refreshInBackground(ctx, c, url)
		return r, nil
	}
	return l.getLocked(ctx, c, url)`},
			{File: "app/stampede/refresh.go", Note: "refreshInBackground, one per URL", Code: `
	if l.refreshing[url] {
		l.mu.Unlock()
		return
	}`},
			{File: "app/stampede/refresh.go", Note: "the refresh, in its own goroutine", Code: `
		unlock, _, err := l.acquire(ctx, c, url, url)`},
			{File: "app/stampede/refresh.go", Code: `
		_, st := l.peek(ctx, url)
		if st == entryFresh {
			return
		}
		if _, err := l.fetchStore(ctx, c, url, replaces(st)); err != nil {`},
		},
		MirrorIn: "Python asyncio",
		Mirror: `cache, locks, refreshing = {}, {}, {}  # url -> Entry, Lock, Task

async def get_stuff(url):
    entry = cache.get(url)
    if entry is None:  # empty cache: wait, as keyed does
        return await refresh(url)
    if entry.expired() and url not in refreshing:
        # nobody awaits this task: the callers get the stale entry
        task = asyncio.create_task(refresh(url))
        refreshing[url] = task
        task.add_done_callback(lambda _: refreshing.pop(url, None))
    return entry.stuff  # stale or not, at once

async def refresh(url):
    async with locks.setdefault(url, asyncio.Lock()):
        entry = cache.get(url)
        if entry is not None and not entry.expired():
            return entry.stuff  # refreshed meanwhile
        stuff = await fetch(url)
        cache[url] = Entry(stuff, stored_at=time.monotonic())
        return stuff`,
	},
	stampede.XFetch: {
		Go: []goChunk{
			{File: "app/stampede/refresh.go", Note: "getEarly", Code: `
	r, st := l.peek(ctx, url)
	if st != entryFresh {
		return l.getLocked(ctx, c, url)
	}
	expiry := r.ExpiresAt(l.cfg.TTL)
	if l.cfg.TTL <= 0 || !EarlyRefresh(time.Now(), expiry, r.Delta, l.beta, l.rand()) {`},
			{File: "app/stampede/refresh.go", Code: `
	unlock, ok := l.keyed.tryLock(url)
	if !ok { // another caller holds url's lock: it is refreshing`},
			{File: "app/stampede/refresh.go", Code: `
	return l.fetchStore(ctx, c, url, replacing{exists: true, early: true, expiry: expiry})`},
			{File: "app/stampede/expiry.go", Note: "EarlyRefresh, the paper's rule", Code: `
	ahead := -float64(delta) * beta * math.Log(u) // ns, ≥ 0
	gap := float64(expiry.Sub(now))               // ns until expiry
	return ahead >= gap`},
			{File: "app/stampede/fetchstore.go", Note: "fetch: delta is what a caller waits", Code: `
	r.Delta = time.Since(begin)`},
		},
		MirrorIn: "Python asyncio (after Vattani et al., VLDB 2015)",
		Mirror: `cache, locks = {}, {}  # url -> Entry(stuff, delta, expiry), Lock

async def get_stuff(url, beta=1.0):
    entry = cache.get(url)
    lock = locks.setdefault(url, asyncio.Lock())
    if entry is None or time.monotonic() >= entry.expiry:
        async with lock:  # a miss or an expired entry: as keyed
            entry = cache.get(url)
            if entry is None or time.monotonic() >= entry.expiry:
                entry = await fetch_and_store(url)
            return entry.stuff
    # refresh early, at random: likelier as expiry nears, and the
    # longer a fetch takes (delta); the others keep the fresh value
    early = time.monotonic() - entry.delta * beta * math.log(1 - random.random())
    if early >= entry.expiry and not lock.locked():
        async with lock:  # one early refresh at a time
            return (await fetch_and_store(url)).stuff
    return entry.stuff

async def fetch_and_store(url):
    start = time.monotonic()
    stuff = await fetch(url)
    delta = time.monotonic() - start  # what a refresh costs a caller
    cache[url] = Entry(stuff, delta, expiry=time.monotonic() + TTL)
    return cache[url]`,
	},
}
