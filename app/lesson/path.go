package lesson

import "github.com/stampede-playground/stampede/app/stampede"

// The claims below hold whatever the machine's speed, because the
// workers of a run all start together: each asks the cache before any
// fetch can have come back (in the browser every worker's cache read is
// queued before the first added latency has passed; natively the tests
// run in a synctest bubble). So under none and percall every caller
// misses, and under a lock the second caller waits for the whole first
// fetch, at least the added latency.

var path = []Lesson{
	{
		Name:  "stampede",
		Title: "The stampede",
		Text: `Ten workers ask for data/stuff.json at the same moment. Each one looks
in the cache, finds nothing there, and goes to the network. Nothing makes
the others wait while the first is still fetching: there is no lock.

This is the stampede, or thundering herd. One answer would have done for
all of them, but the server pays for every caller.`,
		Scenario: "# Ten workers want the same URL at the same moment.\ncrowd x10: get data/stuff.json\n",
		Latency:  "300ms",
		Runs: []Run{{
			Strategy: stampede.None,
			Expect:   Expect{Fetches: map[string]int{"data/stuff.json": 10}, Hits: n(0), Shared: n(0)},
			Marks:    []Mark{{Kind: "fetch"}},
		}},
		Question: Question{
			Text: "How many network fetches will the server see?",
			Choices: []Choice{
				{"1", "1: the first fetch fills the cache for the others"},
				{"5", "About 5: some find the cache filled"},
				{"10", "10: one per worker"},
			},
			Correct: "10", Ask: AskFetches, URL: "data/stuff.json",
		},
		Why: `All ten looked in the cache before any fetch had come back, so all ten
missed. The crowd band's highlighted blue bars are their ten fetches, the
ones that overlap drawn as one; "show crowd" gives each worker a lane.`,
	},
	{
		Name:  "lock",
		Title: "The lock, as in the asyncio answer",
		Text: `Now get_stuff holds one asyncio.Lock around the whole check, fetch and
store. parse_stuff and use_stuff both want data/stuff.json. The first to
take the lock finds the cache empty, fetches and stores. The second waits
at the lock, and when its turn comes the answer is already in the cache.

do_work fetches data/other.json without the cache; the next lesson is
about it.`,
		Scenario: seedText(),
		Latency:  "500ms",
		Runs: []Run{{
			Strategy: stampede.Lock,
			Expect:   Expect{Fetches: map[string]int{"data/stuff.json": 1, "data/other.json": 1}, Hits: n(1), Wait: Some},
			Marks:    []Mark{{Kind: "wait"}, {Kind: "link"}},
		}},
		Question: Question{
			Text: "How many times will the server be asked for data/stuff.json?",
			Choices: []Choice{
				{"1", "Once: the second caller finds it in the cache"},
				{"2", "Twice: both callers fetch it"},
			},
			Correct: "1", Ask: AskFetches, URL: "data/stuff.json",
		},
		Why: `The second caller waited for the lock (the highlighted yellow bar) while
the first fetched and stored. Its cache hit, the green tick, is joined
to that fetch by the dashed link.`,
	},
	{
		Name:  "do-work",
		Title: "The task the lock never blocks",
		Text: `The lock guards the cache and nothing else. do_work needs no cache: it
fetches data/other.json straight from the network, then works for 300 ms.
It never asks for the lock, so it never joins the queue, however long
the lock is held.

Here the added latency is a full second, so whoever holds the lock holds
it for more than a second while the other caller of data/stuff.json
waits.`,
		Scenario: seedText(),
		Latency:  "1s",
		Runs: []Run{{
			Strategy: stampede.Lock,
			Expect: Expect{Fetches: map[string]int{"data/stuff.json": 1, "data/other.json": 1}, Hits: n(1),
				Wait: Some, NeverWait: []string{"do_work"}},
			Marks: []Mark{{Kind: "fetch", Worker: "do_work"}, {Kind: "work", Worker: "do_work"}},
		}},
		Question: Question{
			Text: "While a caller waits for the lock, is do_work delayed by it?",
			Choices: []Choice{
				{"yes", "Yes: it waits its turn like everyone else"},
				{"no", "No: it never takes the lock"},
			},
			Correct: "no", Ask: AskDelayed, Worker: "do_work",
		},
		Why: `do_work's lane has no yellow wait bar: it never queued for the lock,
so nothing the lock did could hold it up. Its fetch and its work are
highlighted.`,
	},
	{
		Name:  "percall",
		Title: "The bug: a lock created inside the function",
		Text: `A common copy of the answer writes lock = asyncio.Lock() inside
get_stuff. It looks the same, but now every call makes a new lock of its
own. A lock only helps when the callers share it: here each caller takes
its own lock at once, nobody ever waits, and everybody fetches.

The code has a lock and still stampedes.`,
		Scenario: presetText("percall"),
		Latency:  "300ms",
		Runs: []Run{{
			Strategy: stampede.PerCall,
			Expect:   Expect{Fetches: map[string]int{"data/stuff.json": 12}, Hits: n(0), Shared: n(0), Wait: None},
			Marks:    []Mark{{Kind: "fetch"}},
		}},
		Question: Question{
			Text: "Twelve callers, each with a lock of its own. How many fetches of data/stuff.json?",
			Choices: []Choice{
				{"1", "1: the lock stops the others"},
				{"2", "2: only the first two race"},
				{"12", "12: every caller fetches"},
			},
			Correct: "12", Ask: AskFetches, URL: "data/stuff.json",
		},
		Why: `Every caller took a free lock of its own at once, so nobody queued, and
all twelve fetched (the highlighted blue bars): twelve locks that
protect nothing.`,
	},
	{
		Name:  "once",
		Title: "Run it only once",
		Text: `The same lock answers a sibling question: how do I run a job only once,
though many ask for it? Five starters each ask for warm_up. The first
takes the lock and runs the job. The others wait at the lock, then find
the job done and share its outcome.

Afterwards they all get data/stuff.json, under a lock per URL.`,
		Scenario: presetText("once"),
		Latency:  "200ms",
		Runs: []Run{{
			Strategy: stampede.Keyed,
			Expect:   Expect{OnceRuns: n(1), Fetches: map[string]int{"data/stuff.json": 1}, Hits: n(4)},
			Marks:    []Mark{{Kind: "once"}, {Kind: "shared"}, {Kind: "link"}},
		}},
		Question: Question{
			Text: "Five starters ask for warm_up. How many times does it run?",
			Choices: []Choice{
				{"1", "Once"},
				{"5", "Five times, once per starter"},
			},
			Correct: "1", Ask: AskOnceRuns,
		},
		Why: `One starter ran the job: the pink once bar (highlighted). The others
waited, then took its outcome: their shared marks, joined to it by dashed
links ("show starter" gives each a lane).`,
	},
	{
		Name:  "one-lock",
		Title: "One lock for every URL",
		Text: `The asyncio answer has one lock for the whole cache. reader_a and
reader_b want different URLs, so neither can use the other's answer; yet
under one lock they still take turns, and the second waits a whole
fetch for nothing.

The fix is a lock per URL (keyed): callers of one URL still queue,
callers of different URLs do not. This lesson runs twice, first under
lock, then under keyed.`,
		Scenario: "# Two workers, two different URLs.\nreader_a: get data/a.json\nreader_b: get data/b.json\n",
		Latency:  "1s",
		Runs: []Run{
			{
				Strategy: stampede.Lock,
				Expect:   Expect{Fetches: map[string]int{"data/a.json": 1, "data/b.json": 1}, Wait: Some},
				Marks:    []Mark{{Kind: "wait"}},
			},
			{
				Strategy: stampede.Keyed,
				Expect:   Expect{Fetches: map[string]int{"data/a.json": 1, "data/b.json": 1}, Wait: None},
				Marks:    []Mark{{Kind: "fetch"}},
			},
		},
		Question: Question{
			Text: "Under which strategy does one reader wait for the other?",
			Choices: []Choice{
				{"lock", "Under lock only"},
				{"keyed", "Under keyed only"},
				{"both", "Under both"},
				{"neither", "Under neither: the URLs differ"},
			},
			Correct: "lock", Ask: AskWhichWaits,
		},
		Why: `Under lock one reader waited through the other's whole fetch of another
URL: the yellow bar of the first run. Under keyed, the run you see now,
nobody waits: each reader holds its own URL's lock while it fetches
(highlighted).`,
	},
	{
		Name:  "singleflight",
		Title: "Sharing the flight",
		Text: `With a lock, the other callers wait, then read the cache one after
another. singleflight (Go's golang.org/x/sync/singleflight, or a dict of
asyncio Tasks) goes further: the first caller's fetch is the flight, and
whoever asks while it is in the air joins it and gets the same response
when it lands. No queue at a lock, no second look in the cache.`,
		Scenario: "# Ten workers want the same URL at the same moment.\ncrowd x10: get data/stuff.json\n",
		Latency:  "300ms",
		Runs: []Run{{
			Strategy: stampede.Singleflight,
			Expect:   Expect{Fetches: map[string]int{"data/stuff.json": 1}, Shared: n(9), Hits: n(0)},
			Marks:    []Mark{{Kind: "shared"}, {Kind: "link"}},
		}},
		Question: Question{
			Text: "Ten workers ask at once. How do the nine that do not fetch get their answer?",
			Choices: []Choice{
				{"hit", "From the cache, one after another"},
				{"shared", "They share the one fetch in flight"},
				{"fetch", "They fetch too"},
			},
			Correct: "shared", Ask: AskHowDeduped,
		},
		Why: `The nine shared results (highlighted) were answered by the one fetch
when it ended; the dashed link joins them to it.`,
	},
	{
		Name:  "crosstab",
		Title: "Across tabs",
		Text: `Every lock so far lives inside one page. Open the page in a second tab
and that tab has locks of its own, so both tabs fetch. crosstab takes a
Web Lock per URL (navigator.locks), which every tab of the site shares,
and keeps the cache in IndexedDB, which they share too.

Press Run, then Open a second tab while it runs: the new tab runs this
lesson at once, without clearing the cache.`,
		Scenario: "# Five workers in each tab want one URL.\ntab x5: get data/c.json\n",
		Latency:  "2s",
		Runs: []Run{{
			Strategy: stampede.CrossTab,
			Expect: Expect{Fetches: map[string]int{"data/c.json": 1}, Hits: n(4),
				AllTabs: map[string]int{"data/c.json": 1}},
			Marks: []Mark{{Kind: "fetch"}, {Kind: "hit"}},
		}},
		Question: Question{
			Text: "Five workers here, five in the second tab. How many fetches of data/c.json will the server see in all?",
			Choices: []Choice{
				{"1", "1: one fetch for both tabs"},
				{"2", "2: one per tab"},
				{"10", "10: one per worker"},
			},
			Correct: "1", Ask: AskFetchesInAll, URL: "data/c.json",
		},
		Why: `One fetch (highlighted) filled the shared cache; every other worker, in
either tab, got a cache hit. A second tab's workers, once you open one,
are drawn dashed.`,
		SecondTab: true,
	},
	{
		Name:  "expiry",
		Title: "When the entry expires",
		Text: `An entry does not stay in the cache for ever: here each one lives one
second (its ttl). Five readers ask for data/hot.json ten times a second
each, for four seconds, under a lock per URL (keyed).

When the entry expires, the next reader to take the lock finds it expired
and fetches it again. Whoever asks meanwhile waits at the lock, then
reads the new entry. One fetch per expiry, so the server is safe, but
every expiry makes a queue.`,
		Scenario: expiryText,
		Latency:  "300ms",
		TTL:      "1s",
		Runs: []Run{{
			Strategy: stampede.Keyed,
			Expect:   Expect{Refreshes: Some, OneFetchPerRefresh: true, WaitAfterStore: Some, Stale: None},
			Marks:    []Mark{{Kind: "fetch"}, {Kind: "wait"}},
		}},
		Question: Question{
			Text: "The entry expires while readers keep asking. What do those who ask during the refresh get?",
			Choices: []Choice{
				{"wait", "They wait for the one refresh"},
				{"stale", "The old entry, at once"},
				{"fetch", "Nothing: they all fetch it again"},
			},
			Correct: "wait", Ask: AskAtExpiry,
		},
		Why: `Each refresh is one blue fetch (highlighted), and the yellow waits stacked
behind it are the readers who asked while it was in the air. The load
chart under the timeline marks each expiry.`,
	},
	{
		Name:  "stale-or-early",
		Title: "Serve stale, or refresh early",
		Text: `Two ways to keep readers from queueing at expiry. swr
(stale-while-revalidate) answers with the expired entry at once and
refreshes it in the background: nobody waits, but some answers are a
little old. xfetch refreshes before expiry: now and then one reader,
picked at random and more often as expiry nears, fetches while the entry
is still fresh, so the others seldom see it expire.

This lesson runs the same readers twice: under swr, then under xfetch.`,
		Scenario: expiryText,
		Latency:  "300ms",
		TTL:      "1s",
		Runs: []Run{
			{
				Strategy: stampede.SWR,
				Expect:   Expect{Refreshes: Some, OneFetchPerRefresh: true, WaitAfterStore: None, Stale: Some},
				Marks:    []Mark{{Kind: "fetch"}, {Kind: "hit"}},
			},
			{
				Strategy: stampede.XFetch,
				Expect:   Expect{Refreshes: Some, OneFetchPerRefresh: true, Early: Some, Stale: None},
				Marks:    []Mark{{Kind: "fetch"}},
			},
		},
		Question: Question{
			Text: "Which of the two ever answers with an expired entry?",
			Choices: []Choice{
				{"swr", "swr"},
				{"xfetch", "xfetch"},
				{"both", "Both"},
				{"neither", "Neither"},
			},
			Correct: "swr", Ask: AskWhichStale,
		},
		Why: `swr answered some readers with the expired entry while its background
fetch ran. xfetch never does: it refreshes early (the highlighted
fetches of the run you see now), and a reader who finds the entry
expired all the same waits for the refresh rather than take it stale.`,
	},
}

// expiryText is the readers of the expiry lessons: 50 requests a second
// for one URL, for four seconds. (More would show the same; in the
// browser 200 a second kept the page too busy to answer them on time.)
const expiryText = `# Five readers ask for one URL ten times a second each, for 4 s.
readers x5 every 100ms for 4s: get data/hot.json
`

// presetText is the text of the named preset.
func presetText(name string) string {
	p, err := stampede.LookupPreset(name)
	if err != nil {
		panic("lesson: " + err.Error())
	}
	return p.Text
}

func seedText() string { return presetText("seed") }
