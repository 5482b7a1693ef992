package lesson

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/stampede-playground/stampede/app/stampede"
)

// Waiting is what a lesson says about lock waits.
type Waiting string

const (
	// WaitSome: some caller waits at least half the added latency, that
	// is for another caller's fetch.
	WaitSome Waiting = "some"
	// WaitNone: no caller waits half the added latency.
	WaitNone Waiting = "none"
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
	Wait     Waiting        `json:"wait,omitempty"`
	// NeverWait are workers that never wait for a lock.
	NeverWait []string `json:"neverWait,omitempty"`
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
	// Remote are the fetches per URL of other tabs that this page saw.
	Remote map[string]int
	// Elsewhere are the URLs whose cache hits were answered with an
	// entry another run stored (another tab's, or an earlier run's).
	Elsewhere map[string]bool
	// Waited are the workers that waited for a lock or a flight at all.
	Waited map[string]bool
	// Ended is set when the run ran to its end, not stopped.
	Ended bool
}

// Observe reads run runID's outcome from its stats and events. Events
// from other tabs (Event.Tab set) count as Remote only.
func Observe(runID string, st stampede.Stats, events []stampede.Event, latency time.Duration, ended bool) Outcome {
	o := Outcome{RunID: runID, Stats: st, Latency: latency, Ended: ended,
		Fetches: map[string]int{}, Remote: map[string]int{}, Elsewhere: map[string]bool{}, Waited: map[string]bool{}}
	for _, e := range events {
		if e.Tab != "" {
			if e.Kind == stampede.KindFetchStart {
				o.Remote[e.Target]++
			}
			continue
		}
		switch e.Kind {
		case stampede.KindFetchStart:
			o.Fetches[e.Target]++
		case stampede.KindCacheHit:
			if e.ByRun != "" && e.ByRun != runID {
				o.Elsewhere[e.Target] = true
			}
		case stampede.KindLockWait:
			if !e.Background {
				o.Waited[e.Worker] = true
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
	case WaitSome:
		if !o.someWait() {
			fail("the longest wait was %v; the lesson says a caller waits for another's fetch (at least %v)", o.MaxWait().Round(time.Millisecond), o.Latency/2)
		}
	case WaitNone:
		if o.someWait() {
			fail("a caller waited %v; the lesson says nobody waits for another's fetch", o.MaxWait().Round(time.Millisecond))
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
		return fmt.Sprint(n), fmt.Sprintf("%s was fetched %s in all: %s by this tab, %s by other tabs.",
			q.URL, times(n), times(own), times(n-own))
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
	case AskWhichWaits:
		var waited, parts []string
		for i, o := range outs {
			if i >= len(runs) {
				break
			}
			name := string(runs[i].Strategy)
			if o.someWait() {
				waited = append(waited, name)
				parts = append(parts, fmt.Sprintf("under %s the longest wait was %v", name, o.MaxWait().Round(time.Millisecond)))
			} else {
				parts = append(parts, fmt.Sprintf("under %s nobody waited", name))
			}
		}
		said = capitalize(strings.Join(parts, "; ")) + "."
		switch {
		case len(waited) == 0:
			return "neither", said
		case len(waited) > 1 && len(waited) == len(outs):
			return "both", said
		}
		return waited[0], said
	}
	return "", ""
}

func times(n int) string {
	switch n {
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
