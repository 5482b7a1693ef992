package stampede

import (
	"fmt"
	"time"
)

// Preset is a ready-made scenario.
type Preset struct {
	Name  string
	Title string
	// Strategy is the strategy the preset is meant to show, or "" when it
	// reads well under any.
	Strategy Strategy
	Text     string
	// TTL is the time to live the preset is meant with; 0 means entries
	// never expire, as in every preset before expiry.
	TTL time.Duration
	// Latency is the added latency the preset is meant with, or 0 to
	// keep the page's.
	Latency time.Duration
}

var presets = []Preset{
	{
		Name:     "seed",
		Title:    "asyncio.Lock: two callers, one fetch; do_work never blocked",
		Strategy: Lock,
		Text: `# The asyncio.Lock example: check, fetch and store inside one lock.
# parse_stuff and use_stuff want the same URL: one network fetch.
# do_work needs no cache, so the lock never blocks it.
parse_stuff: get data/stuff.json
use_stuff:   get data/stuff.json
do_work:     fetch data/other.json; work 300ms
`,
	},
	{
		Name:     "once",
		Title:    "Run this only once, though many ask",
		Strategy: Keyed,
		Text: `# Five starters ask for the same warm-up job: it runs once,
# the others wait and share its outcome, then read the cache.
starter x5: once warm_up 300ms; get data/stuff.json
`,
	},
	{
		Name:  "stampede",
		Title: "50 workers on one URL",
		Text: `# A thundering herd: 50 workers want the same URL at once.
# Try none (50 fetches), then keyed or singleflight (1 fetch).
crowd x50: get data/stuff.json
`,
	},
	{
		Name:     "percall",
		Title:    "The bug: a lock created inside the function",
		Strategy: PerCall,
		Text: `# lock = asyncio.Lock() inside get_stuff(): every call makes its own
# lock, so no caller ever waits and every one of them fetches.
# Switch the strategy to lock or keyed to see the fix.
parse_stuff: get data/stuff.json
use_stuff:   get data/stuff.json
crowd x10:   get data/stuff.json
`,
	},
	{
		Name:     "mixed",
		Title:    "Several URLs, some shared",
		Strategy: Keyed,
		Text: `# Readers and writers share some URLs; report works in between.
# Under lock, unrelated URLs queue behind each other; under keyed they do not.
reader x10: get data/a.json; get data/b.json
writer x5:  get data/b.json; get data/c.json
report:     get data/c.json; work 200ms; get data/a.json
do_work:    fetch data/other.json; work 300ms
`,
	},
	{
		Name:    "expiry",
		Title:   "The stampede at expiry: a hot entry expires under steady load",
		TTL:     2 * time.Second,
		Latency: 200 * time.Millisecond,
		Text: `# 400 requests a second for one URL whose entry lives 2 s (ttl) and
# takes 200 ms to fetch. Each time it expires, none and percall send every
# request of the next 200 ms to the origin (about 80); keyed, singleflight
# and lock send one while the callers behind them wait; swr and xfetch
# send one that nobody waits for once the cache is warm. Compare them.
readers x40 every 100ms for 6s: get data/hot.json
`,
	},
	{
		Name:     "swr",
		Title:    "Stale-while-revalidate: expired, answered at once, refreshed behind",
		Strategy: SWR,
		TTL:      2 * time.Second,
		Latency:  200 * time.Millisecond,
		Text: `# The expiry preset under swr: when the entry expires, the callers
# get the stale one at once (counted as stale) while one background
# refresh fetches the new one. Nobody waits but on an empty cache.
readers x40 every 100ms for 6s: get data/hot.json
`,
	},
}

// Presets returns the presets in menu order.
func Presets() []Preset { return append([]Preset(nil), presets...) }

// LookupPreset finds a preset by name.
func LookupPreset(name string) (Preset, error) {
	for _, p := range presets {
		if p.Name == name {
			return p, nil
		}
	}
	names := ""
	for i, p := range presets {
		if i > 0 {
			names += ", "
		}
		names += p.Name
	}
	return Preset{}, fmt.Errorf("unknown preset %q: want %s", truncate(name), names)
}
