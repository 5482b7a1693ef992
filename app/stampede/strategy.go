package stampede

import (
	"fmt"
	"strings"
)

// Strategy names how Loader.Get guards check-fetch-store.
type Strategy string

const (
	// None guards nothing: concurrent callers of one URL all miss the
	// cache and all fetch. The stampede.
	None Strategy = "none"
	// Lock holds one lock for every URL around check-fetch-store, exactly
	// the asyncio.Lock example: it deduplicates, but serialises unrelated
	// URLs behind each other.
	Lock Strategy = "lock"
	// Keyed holds a lock per URL and re-checks the store once it is held.
	Keyed Strategy = "keyed"
	// Singleflight lets callers of one URL share the in-flight result
	// (golang.org/x/sync/singleflight).
	Singleflight Strategy = "singleflight"
	// PerCall creates the lock inside the call: the common bug. Every
	// caller has its own lock, so nothing is deduplicated.
	PerCall Strategy = "percall"
	// CrossTab holds a lock per URL across every tab of the origin through
	// an external Locker (the browser's Web Locks), re-checking the shared
	// store after the lock is granted.
	CrossTab Strategy = "crosstab"
	// SWR is stale-while-revalidate: an expired entry is answered at
	// once, marked stale, while one background refresh per URL fetches
	// the new one under the URL's lock. Nobody waits unless the cache is
	// empty; then it is Keyed.
	SWR Strategy = "swr"
	// XFetch is probabilistic early expiration (Vattani et al., VLDB
	// 2015): a caller that finds a fresh entry refreshes it before it
	// expires, with a probability that grows as expiry nears (see
	// EarlyRefresh); the others keep the fresh value. On a miss or an
	// expired entry it is Keyed.
	XFetch Strategy = "xfetch"
)

// Strategies lists the strategies in teaching order.
func Strategies() []Strategy {
	return []Strategy{None, Lock, Keyed, Singleflight, PerCall, CrossTab, SWR, XFetch}
}

// Describe says in one line what the strategy does.
func (s Strategy) Describe() string {
	switch s {
	case None:
		return "no guard: every caller misses and fetches (the stampede)"
	case Lock:
		return "one lock around check-fetch-store for all URLs (asyncio.Lock): dedups, but serialises unrelated URLs"
	case Keyed:
		return "a lock per URL, re-checking the cache once held: dedups without serialising"
	case Singleflight:
		return "callers of one URL share the in-flight fetch (x/sync/singleflight)"
	case PerCall:
		return "the bug: a new lock per call protects nothing"
	case CrossTab:
		return "a Web Lock per URL across all tabs, sharing the IndexedDB cache"
	case SWR:
		return "stale-while-revalidate: an expired entry is answered at once while one background refresh per URL fetches the new one"
	case XFetch:
		return "probabilistic early expiration (xfetch): one caller refreshes before expiry, so nobody waits or gets a stale answer"
	}
	return "unknown strategy"
}

// dedups reports whether the strategy promises one fetch per URL.
func (s Strategy) dedups() bool {
	return s == Lock || s == Keyed || s == Singleflight || s == CrossTab || s == SWR || s == XFetch
}

// ParseStrategy checks a strategy name.
func ParseStrategy(name string) (Strategy, error) {
	for _, s := range Strategies() {
		if string(s) == name {
			return s, nil
		}
	}
	names := make([]string, 0, len(Strategies()))
	for _, s := range Strategies() {
		names = append(names, string(s))
	}
	return "", fmt.Errorf("unknown strategy %q: want %s", name, strings.Join(names, ", "))
}
