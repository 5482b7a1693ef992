package lesson

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/stampede-playground/stampede/app/stampede"
)

// Count is what a lesson says of how often something happens: Some
// (at least once) or None (never); "" says nothing.
type Count string

const (
	Some Count = "some"
	None Count = "none"
)

// Expect is what a lesson claims about a run on a cleared cache. Every
// claim must hold on every such run, however the machine schedules it:
// counts, not timings. Zero fields claim nothing.
type Expect struct {
	// Fetches are the network fetches per URL: what the server sees.
	Fetches  map[string]int `json:"fetches,omitempty"`
	Hits     *int           `json:"hits,omitempty"`
	Shared   *int           `json:"shared,omitempty"`
	OnceRuns *int           `json:"onceRuns,omitempty"`
	// Wait is whether a caller waits at least half the added latency,
	// that is for another caller's fetch.
	Wait Count `json:"wait,omitempty"`
	// NeverWait are workers that never wait for a lock.
	NeverWait []string `json:"neverWait,omitempty"`

	// The claims of expiry (a ttl), about the callers that ask after the
	// first entry was stored:
	//
	// WaitAfterStore Some: one of them waits at least half the added
	// latency (for a refresh); None: none of them waits at all.
	WaitAfterStore Count `json:"waitAfterStore,omitempty"`
	// Stale: answers with an expired entry (Stats.Stale).
	Stale Count `json:"stale,omitempty"`
	// Refreshes: fetches that replaced an entry (Stats.Refreshes).
	Refreshes Count `json:"refreshes,omitempty"`
	// Early: refreshes decided before expiry (xfetch).
	Early Count `json:"early,omitempty"`
	// OneFetchPerRefresh: every network fetch but the first replaced an
	// entry, so no two callers fetched for one expiry.
	OneFetchPerRefresh bool `json:"oneFetchPerRefresh,omitempty"`
	// AllTabs are the fetches per URL of every tab that runs the lesson
	// while this run goes on or after it, without clearing the cache.
	AllTabs map[string]int `json:"allTabs,omitempty"`
}

// Outcome is what a lesson reads from one run: its stats and facts
// derived from the typed fields of its events (never their Detail).
type Outcome struct {
	RunID   string
	Stats   stampede.Stats
	Latency time.Duration
	// Fetches are this run's network fetches per URL.
	Fetches map[string]int
	// Remote are the fetches per URL of other tabs that this page saw;
	// OtherTabs counts every event it saw from another tab.
	Remote    map[string]int
	OtherTabs int
	// Elsewhere are the URLs whose cache hits were answered with an
	// entry another run stored (another tab's, or an earlier run's).
	Elsewhere map[string]bool
	// Waited are the workers that waited for a lock or a flight at all.
	Waited map[string]bool
	// WaitsAfterStore are the waits of callers that asked after the
	// run's first entry was stored; LongWaitsAfterStore those of them
	// that lasted at least half the added latency.
	WaitsAfterStore, LongWaitsAfterStore int
	// Early are the refreshes decided before expiry.
	Early int
	// Ended is set when the run ran to its end, not stopped.
	Ended bool
}

// pass is one pass through a worker's steps (a steady line repeats).
type pass struct {
	worker string
	rep    int
}

// Observe reads run runID's outcome from its stats and events. Events
// from other tabs (Event.Tab set) count as Remote only. The events must
// be all of the run's: a lesson's run is small (TestLessonData).
func Observe(runID string, st stampede.Stats, events []stampede.Event, latency time.Duration, ended bool) Outcome {
	o := Outcome{RunID: runID, Stats: st, Latency: latency, Ended: ended,
		Fetches: map[string]int{}, Remote: map[string]int{}, Elsewhere: map[string]bool{}, Waited: map[string]bool{}}
	asked := map[pass]time.Duration{}   // when the pass's current step asked
	waiting := map[pass]time.Duration{} // when the pass's current wait began
	stored := time.Duration(-1)         // when the first entry was stored
	for _, e := range events {
		if e.Tab != "" {
			o.OtherTabs++
			if e.Kind == stampede.KindFetchStart {
				o.Remote[e.Target]++
			}
			continue
		}
		p := pass{e.Worker, e.Rep}
		switch e.Kind {
		case stampede.KindRequest:
			asked[p] = e.At
		case stampede.KindFetchStart:
			o.Fetches[e.Target]++
			if e.Early {
				o.Early++
			}
		case stampede.KindFetchDone:
			if e.Stored && stored < 0 {
				stored = e.At
			}
		case stampede.KindLockWait:
			if !e.Background {
				o.Waited[e.Worker] = true
				waiting[p] = e.At
			}
		}
		if e.Background {
			continue // a refresh nobody waits for: its waits are nobody's
		}
		switch e.Kind {
		case stampede.KindCacheHit:
			if e.ByRun != "" && e.ByRun != runID {
				o.Elsewhere[e.Target] = true
			}
			fallthrough
		case stampede.KindLockAcquired, stampede.KindShared, stampede.KindError, stampede.KindOnceDone:
			began, ok := waiting[p]
			if !ok {
				break
			}
			delete(waiting, p)
			if at, ok := asked[p]; ok && stored >= 0 && at > stored {
				o.WaitsAfterStore++
				if e.At-began >= latency/2 {
					o.LongWaitsAfterStore++
				}
			}
		}
	}
	return o
}

// MaxWait is the run's longest lock or in-flight wait.
func (o Outcome) MaxWait() time.Duration {
	return time.Duration(o.Stats.MaxWaitMs * float64(time.Millisecond))
}

// someWait reports whether a caller waited at least half the latency.
func (o Outcome) someWait() bool { return o.MaxWait() >= o.Latency/2 }

// InAll is the fetches of url by every tab this page knows of: its
// own, those it saw another tab make, and one more when its hits were
// answered by an entry someone else fetched and it saw no such fetch.
func (o Outcome) InAll(url string) int {
	n := o.Fetches[url] + o.Remote[url]
	if o.Remote[url] == 0 && o.Elsewhere[url] {
		n++
	}
	return n
}

// Check compares o with e, one message per claim the run contradicts.
func Check(e Expect, o Outcome) []string {
	var bad []string
	fail := func(format string, args ...any) { bad = append(bad, fmt.Sprintf(format, args...)) }
	if !o.Ended {
		fail("the run was stopped before its end")
	}
	if o.Stats.Errors > 0 {
		fail("%d requests failed", o.Stats.Errors)
	}
	if len(e.Fetches) > 0 {
		for _, url := range sortedKeys(e.Fetches) {
			if got, want := o.Fetches[url], e.Fetches[url]; got != want {
				fail("%s was fetched %d times; the lesson says %d", url, got, want)
			}
		}
		for _, url := range sortedKeys(o.Fetches) {
			if _, ok := e.Fetches[url]; !ok {
				fail("%s was fetched %d times; the lesson says nothing of it", url, o.Fetches[url])
			}
		}
	}
	count := func(name string, want *int, got int) {
		if want != nil && got != *want {
			fail("%s: %d; the lesson says %d", name, got, *want)
		}
	}
	count("cache hits", e.Hits, o.Stats.Hits)
	count("shared results", e.Shared, o.Stats.Shared)
	count("once jobs run", e.OnceRuns, o.Stats.OnceRuns)
	switch e.Wait {
	case Some:
		if !o.someWait() {
			fail("the longest wait was %v; the lesson says a caller waits for another's fetch (at least %v)", o.MaxWait().Round(time.Millisecond), o.Latency/2)
		}
	case None:
		if o.someWait() {
			fail("a caller waited %v; the lesson says nobody waits for another's fetch", o.MaxWait().Round(time.Millisecond))
		}
	}
	switch e.WaitAfterStore {
	case Some:
		if o.LongWaitsAfterStore == 0 {
			fail("no caller that asked after the first entry was stored waited %v; the lesson says some wait for a refresh", o.Latency/2)
		}
	case None:
		if o.WaitsAfterStore > 0 {
			fail("%d callers that asked after the first entry was stored waited; the lesson says none does", o.WaitsAfterStore)
		}
	}
	some := func(what string, c Count, n int) {
		switch {
		case c == Some && n == 0:
			fail("no %s; the lesson says some", what)
		case c == None && n > 0:
			fail("%d %s; the lesson says none", n, what)
		}
	}
	some("stale answers", e.Stale, o.Stats.Stale)
	some("refreshes", e.Refreshes, o.Stats.Refreshes)
	some("early refreshes", e.Early, o.Early)
	if e.OneFetchPerRefresh {
		total := 0
		for _, n := range o.Fetches {
			total += n
		}
		if total != len(o.Fetches)+o.Stats.Refreshes {
			fail("%d network fetches of %d URLs and %d refreshes; the lesson says one fetch per URL and one per refresh", total, len(o.Fetches), o.Stats.Refreshes)
		}
	}
	for _, w := range e.NeverWait {
		if o.Waited[w] {
			fail("%s waited for a lock; the lesson says it never does", w)
		}
	}
	return bad
}

// CheckAllTabs compares the fetches of every tab that ran the lesson,
// per URL, with e.AllTabs.
func CheckAllTabs(e Expect, fetches map[string]int) []string {
	var bad []string
	for _, url := range sortedKeys(e.AllTabs) {
		if got, want := fetches[url], e.AllTabs[url]; got != want {
			bad = append(bad, fmt.Sprintf("the tabs fetched %s %d times in all; the lesson says %d", url, got, want))
		}
	}
	return bad
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Ask says where a question's answer is read from.
type Ask uint8

const (
	// AskFetches: the run's network fetches of Question.URL, as a
	// number; the choice of that ID.
	AskFetches Ask = iota
	// AskOnceRuns: how many times the once jobs ran.
	AskOnceRuns
	// AskDelayed: "yes" when Question.Worker waited for a lock, else "no".
	AskDelayed
	// AskHowDeduped: how the callers that did not fetch were answered:
	// "shared" (an in-flight fetch), "hit" (the cache) or "fetch" (they
	// fetched too).
	AskHowDeduped
	// AskWhichWaits: under which of the runs' strategies a caller
	// waited for another's fetch: a strategy's name, "both" or "neither".
	AskWhichWaits
	// AskFetchesInAll: the fetches of Question.URL by every tab
	// (Outcome.InAll).
	AskFetchesInAll
	// AskAtExpiry: what the callers that ask while an expired entry is
	// refreshed get: "stale" (the old entry), "wait" (they wait for the
	// refresh) or "fetch" (neither: they fetch).
	AskAtExpiry
	// AskWhichStale: under which of the runs' strategies some answer
	// was stale: a strategy's name, "both" or "neither".
	AskWhichStale
)

// Answer reads the answer to q from the outcomes of a lesson's runs (in
// the order of runs): the ID of the choice it makes, which may be one no
// choice has (say, 7 fetches), and a sentence saying what the runs did.
func Answer(q Question, runs []Run, outs []Outcome) (id, said string) {
	if len(outs) == 0 {
		return "", ""
	}
	last := outs[len(outs)-1]
	switch q.Ask {
	case AskFetches:
		n := last.Fetches[q.URL]
		return fmt.Sprint(n), fmt.Sprintf("The server was asked for %s %s.", q.URL, times(n))
	case AskFetchesInAll:
		n := last.InAll(q.URL)
		own := last.Fetches[q.URL]
		said := fmt.Sprintf("%s was fetched %s in all: %s by this tab", q.URL, times(n), times(own))
		if last.OtherTabs == 0 && !last.Elsewhere[q.URL] {
			return fmt.Sprint(n), said + ". No other tab has run the lesson yet: open one, and its workers join here."
		}
		if n == own {
			return fmt.Sprint(n), said + ", never by another tab."
		}
		return fmt.Sprint(n), said + ", " + times(n-own) + " by other tabs."
	case AskOnceRuns:
		n := last.Stats.OnceRuns
		return fmt.Sprint(n), fmt.Sprintf("The job ran %s.", times(n))
	case AskDelayed:
		if last.Waited[q.Worker] {
			return "yes", q.Worker + " waited for the lock."
		}
		return "no", q.Worker + " never waited for the lock."
	case AskHowDeduped:
		s := last.Stats
		switch {
		case s.Shared > 0 && s.Shared >= s.Hits:
			return "shared", fmt.Sprintf("%d network %s; %d callers shared the fetch in flight, %d read the cache.", s.Fetches, plural(s.Fetches, "fetch", "fetches"), s.Shared, s.Hits)
		case s.Hits > 0:
			return "hit", fmt.Sprintf("%d network %s; %d callers read the cache.", s.Fetches, plural(s.Fetches, "fetch", "fetches"), s.Hits)
		}
		return "fetch", fmt.Sprintf("Every caller fetched: %d network fetches.", s.Fetches)
	case AskAtExpiry:
		s := last.Stats
		switch {
		case s.Stale > 0:
			return "stale", fmt.Sprintf("%d answers were stale; %d refreshes.", s.Stale, s.Refreshes)
		case last.LongWaitsAfterStore > 0:
			return "wait", fmt.Sprintf("%d refreshes, %d network fetches in all; %d callers waited for a refresh, the longest %v.",
				s.Refreshes, s.Fetches, last.LongWaitsAfterStore, last.MaxWait().Round(time.Millisecond))
		}
		return "fetch", fmt.Sprintf("%d network fetches, %d refreshes; nobody waited for a refresh.", s.Fetches, s.Refreshes)
	case AskWhichWaits:
		return which(runs, outs, func(o Outcome) (bool, string) {
			if o.someWait() {
				return true, fmt.Sprintf("the longest wait was %v", o.MaxWait().Round(time.Millisecond))
			}
			return false, "nobody waited"
		})
	case AskWhichStale:
		return which(runs, outs, func(o Outcome) (bool, string) {
			s := o.Stats
			if s.Stale > 0 {
				return true, fmt.Sprintf("%d stale answers, %d refreshes", s.Stale, s.Refreshes)
			}
			return false, fmt.Sprintf("no stale answer, %d refreshes (%d early)", s.Refreshes, o.Early)
		})
	}
	return "", ""
}

// which answers "under which strategy does it happen": the one run whose
// outcome says yes, "both", or "neither", and a sentence per run.
func which(runs []Run, outs []Outcome, happened func(Outcome) (bool, string)) (id, said string) {
	var yes, parts []string
	for i, o := range outs {
		if i >= len(runs) {
			break
		}
		name := string(runs[i].Strategy)
		ok, what := happened(o)
		if ok {
			yes = append(yes, name)
		}
		parts = append(parts, "under "+name+" "+what)
	}
	said = capitalize(strings.Join(parts, "; ")) + "."
	switch {
	case len(yes) == 0:
		return "neither", said
	case len(yes) > 1 && len(yes) == len(outs):
		return "both", said
	}
	return yes[0], said
}

func times(n int) string {
	switch n {
	case 0:
		return "not once"
	case 1:
		return "once"
	case 2:
		return "twice"
	}
	return fmt.Sprintf("%d times", n)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// Done reports whether every run of the lesson has an outcome.
func (l Lesson) Done(outs []Outcome) bool {
	return len(outs) >= len(l.Runs) && !slices.ContainsFunc(outs, func(o Outcome) bool { return !o.Ended })
}
