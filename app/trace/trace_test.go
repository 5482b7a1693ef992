package trace

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stampede-playground/stampede/app/stampede"
)

// opt sets a typed field of a test event.
type opt func(*stampede.Event)

func by(w string) opt              { return func(e *stampede.Event) { e.By = w } }
func byRun(r string) opt           { return func(e *stampede.Event) { e.ByRun = r } }
func tab(t string) opt             { return func(e *stampede.Event) { e.Tab = t } }
func detail(s string) opt          { return func(e *stampede.Event) { e.Detail = s } }
func latency(ms float64) opt       { return func(e *stampede.Event) { e.AddedLatency = dur(ms) } }
func status(code int) opt          { return func(e *stampede.Event) { e.Status = code } }
func stored() opt                  { return func(e *stampede.Event) { e.Stored = true } }
func rep(n int) opt                { return func(e *stampede.Event) { e.Rep = n } }
func background() opt              { return func(e *stampede.Event) { e.Background = true } }
func dur(ms float64) time.Duration { return time.Duration(ms * float64(time.Millisecond)) }

// ev is an event at ms milliseconds.
func ev(ms float64, worker string, k stampede.Kind, target string, opts ...opt) stampede.Event {
	e := stampede.Event{At: dur(ms), Worker: worker, Kind: k, Target: target}
	for _, o := range opts {
		o(&e)
	}
	return e
}

// seq numbers events as a Log does.
func seq(evs ...stampede.Event) []stampede.Event {
	for i := range evs {
		evs[i].Seq = i + 1
	}
	return evs
}

func laneName(tab, worker string) string {
	if tab != "" {
		return tab + ":" + worker
	}
	return worker
}

// ivString is an interval as the tests spell it: "fetch 200-210" in ms,
// with " open" or " failed" when so.
func ivString(iv *Interval) string {
	s := fmt.Sprintf("%s %g-%g", iv.Kind, float64(iv.Start)/1e6, float64(iv.End)/1e6)
	if iv.Open {
		s += " open"
	}
	if iv.Failed() {
		s += " failed"
	}
	return s
}

// describe spells a trace out: a line per lane, then a line per link.
func describe(t *Trace) []string {
	var out []string
	for _, l := range t.Lanes {
		var ivs []string
		for _, iv := range l.Intervals {
			ivs = append(ivs, ivString(iv))
		}
		out = append(out, laneName(l.Tab, l.Worker)+": "+strings.Join(ivs, ", "))
	}
	for _, l := range t.Links {
		from := "?"
		if l.From != nil {
			from = laneName(l.From.Tab, l.From.Worker) + " " + ivString(l.From)
		}
		s := from + " -> " + laneName(l.To.Tab, l.To.Worker) + " " + ivString(l.To)
		if l.Elsewhere {
			s += " (elsewhere: " + l.To.Begin.ByRun + ")"
		}
		out = append(out, "link "+s)
	}
	return out
}

const (
	stuff = "data/stuff.json"
	other = "data/other.json"
)

func TestBuild(t *testing.T) {
	for _, tt := range []struct {
		name   string
		events []stampede.Event
		want   []string
	}{
		{
			// The seed preset under lock with 200ms of added latency:
			// parse_stuff fetches inside the lock, use_stuff waits and
			// hits, do_work fetches past the cache and works.
			name: "seed under lock with latency",
			events: seq(
				ev(0, "parse_stuff", stampede.KindRequest, stuff),
				ev(0, "use_stuff", stampede.KindRequest, stuff),
				ev(0, "do_work", stampede.KindRequest, other),
				ev(0.1, "parse_stuff", stampede.KindLockWait, stuff),
				ev(0.2, "use_stuff", stampede.KindLockWait, stuff),
				ev(0.2, "parse_stuff", stampede.KindLockAcquired, stuff),
				ev(200.2, "parse_stuff", stampede.KindFetchStart, stuff, latency(200)),
				ev(200, "do_work", stampede.KindFetchStart, other, latency(200)),
				ev(205, "do_work", stampede.KindFetchDone, other, status(200)),
				ev(205, "do_work", stampede.KindWorkStart, ""),
				ev(210, "parse_stuff", stampede.KindFetchDone, stuff, status(200), stored()),
				ev(210, "parse_stuff", stampede.KindLockReleased, stuff),
				ev(210, "parse_stuff", stampede.KindDone, ""),
				ev(210.1, "use_stuff", stampede.KindLockAcquired, stuff),
				ev(210.2, "use_stuff", stampede.KindCacheHit, stuff, by("parse_stuff"), byRun("r1")),
				ev(210.3, "use_stuff", stampede.KindLockReleased, stuff),
				ev(505, "do_work", stampede.KindWorkDone, ""),
			),
			want: []string{
				"parse_stuff: wait 0.1-0.2, latency 0.2-200.2, fetch 200.2-210, held 0.2-210",
				"use_stuff: wait 0.2-210.1, hit 210.2-210.2, held 210.1-210.3",
				"do_work: latency 0-200, fetch 200-205, work 205-505",
				"link parse_stuff fetch 200.2-210 -> use_stuff hit 210.2-210.2",
			},
		},
		{
			// singleflight: a leader fetches, joiners wait for its flight
			// and share it; one joiner is answered by the leader's cache
			// read, which ends its wait with no lock-acquired between.
			name: "singleflight joiners",
			events: seq(
				ev(0, "c#1", stampede.KindFetchStart, stuff),
				ev(1, "c#2", stampede.KindLockWait, stuff, by("c#1")),
				ev(2, "c#3", stampede.KindLockWait, stuff, by("c#1")),
				ev(3, "r", stampede.KindLockWait, "data/v", by("s")),
				ev(5, "r", stampede.KindCacheHit, "data/v", by("s"), byRun("r1")),
				ev(50, "c#1", stampede.KindFetchDone, stuff, stored()),
				ev(51, "c#2", stampede.KindShared, stuff, by("c#1")),
				ev(51, "c#3", stampede.KindShared, stuff, by("c#1")),
			),
			want: []string{
				"c#1: fetch 0-50",
				"c#2: wait 1-51, shared 51-51",
				"c#3: wait 2-51, shared 51-51",
				"r: wait 3-5, hit 5-5",
				"link c#1 fetch 0-50 -> c#2 shared 51-51",
				"link c#1 fetch 0-50 -> c#3 shared 51-51",
				"link ? -> r hit 5-5 (elsewhere: r1)",
			},
		},
		{
			// A fetch fails mid-way: the error ends the fetch, and the
			// joiner's wait with a shared failure; an error with nothing
			// open is an instant only.
			name: "errors mid-fetch",
			events: seq(
				ev(0, "a", stampede.KindLockWait, stuff),
				ev(1, "a", stampede.KindLockAcquired, stuff),
				ev(2, "b", stampede.KindLockWait, stuff),
				ev(3, "a", stampede.KindFetchStart, stuff),
				ev(40, "a", stampede.KindError, stuff, status(503), detail("GET data/stuff.json: HTTP 503")),
				ev(40, "a", stampede.KindLockReleased, stuff),
				ev(41, "b", stampede.KindLockAcquired, stuff),
				ev(41, "b", stampede.KindError, stuff, detail("shared failure of a's fetch")),
				ev(41, "b", stampede.KindLockReleased, stuff),
				ev(42, "c", stampede.KindError, stuff),
			),
			want: []string{
				"a: wait 0-1, fetch 3-40 failed, error 40-40 failed, held 1-40",
				"b: wait 2-41, error 41-41 failed, held 41-41",
				"c: error 42-42 failed",
			},
		},
		{
			// A once job under keyed: the runner holds the job's lock and
			// runs it; a waiter gets "already run" after the lock. Under
			// singleflight a waiter shares the outcome without a lock.
			name: "once jobs",
			events: seq(
				ev(0, "s#1", stampede.KindLockWait, "warm_up"),
				ev(0, "s#1", stampede.KindLockAcquired, "warm_up"),
				ev(0, "s#1", stampede.KindOnceStart, "warm_up", detail("runs for 300ms")),
				ev(1, "s#2", stampede.KindLockWait, "warm_up"),
				ev(300, "s#1", stampede.KindOnceDone, "warm_up", by("s#1"), detail("ran")),
				ev(300, "s#1", stampede.KindLockReleased, "warm_up"),
				ev(301, "s#2", stampede.KindLockAcquired, "warm_up"),
				ev(301, "s#2", stampede.KindOnceDone, "warm_up", by("s#1"), detail("already run")),
				ev(301, "s#2", stampede.KindLockReleased, "warm_up"),
				ev(302, "f#1", stampede.KindOnceStart, "job"),
				ev(310, "f#1", stampede.KindOnceDone, "job", by("f#1")),
				ev(310, "f#2", stampede.KindOnceDone, "job", by("f#1"), detail("shared after waiting 8ms")),
			),
			want: []string{
				"s#1: wait 0-0, once 0-300, held 0-300",
				"s#2: wait 1-301, shared 301-301, held 301-301",
				"f#1: once 302-310",
				"f#2: shared 310-310",
				"link s#1 once 0-300 -> s#2 shared 301-301",
				"link f#1 once 302-310 -> f#2 shared 310-310",
			},
		},
		{
			// Another tab's events get lanes of their own, even for the
			// same worker names, and links stay within a tab. A hit on a
			// response the other tab stored says so.
			name: "cross-tab",
			events: seq(
				ev(0, "p", stampede.KindFetchStart, stuff, tab("t00ab")),
				ev(10, "p", stampede.KindFetchDone, stuff, tab("t00ab"), stored()),
				ev(11, "p", stampede.KindLockWait, stuff),
				ev(12, "p", stampede.KindLockAcquired, stuff),
				ev(12, "p", stampede.KindCacheHit, stuff, by("p"), byRun("other-run")),
				ev(12, "q", stampede.KindShared, stuff, tab("t00ab"), by("p")),
			),
			want: []string{
				"t00ab:p: fetch 0-10",
				"p: wait 11-12, hit 12-12, held 12-12 open",
				"t00ab:q: shared 12-12",
				"link ? -> p hit 12-12 (elsewhere: other-run)",
				"link t00ab:p fetch 0-10 -> t00ab:q shared 12-12",
			},
		},
		{
			// Mid-run: what has started and not ended ends at the last
			// event, open; open intervals come last in their lane.
			name: "open intervals",
			events: seq(
				ev(0, "a", stampede.KindLockWait, stuff),
				ev(1, "a", stampede.KindLockAcquired, stuff),
				ev(2, "a", stampede.KindFetchStart, stuff, latency(1)),
				ev(3, "b", stampede.KindLockWait, stuff),
				ev(4, "w", stampede.KindWorkStart, ""),
				ev(5, "o", stampede.KindOnceStart, "job"),
				ev(6, "w", stampede.KindWorkDone, ""),
				ev(7, "w", stampede.KindWorkStart, ""),
			),
			want: []string{
				"a: wait 0-1, latency 1-2, held 1-7 open, fetch 2-7 open",
				"b: wait 3-7 open",
				"w: work 4-6, work 7-7 open",
				"o: once 5-7 open",
			},
		},
		{
			// A fetch step fetches without storing; a hit on a response
			// stored before (another run's, by the same name) is not
			// served by it. A later get's stored fetch serves b's hit.
			name: "fetch step and get",
			events: seq(
				ev(0, "w", stampede.KindRequest, stuff, detail("fetch (no cache)")),
				ev(0, "w", stampede.KindFetchStart, stuff),
				ev(5, "w", stampede.KindFetchDone, stuff, status(200)),
				ev(5, "w", stampede.KindRequest, stuff, detail("get")),
				ev(6, "w", stampede.KindCacheHit, stuff, by("w"), byRun("r0")),
				ev(7, "w", stampede.KindRequest, other, detail("get")),
				ev(7, "w", stampede.KindFetchStart, other),
				ev(9, "w", stampede.KindFetchDone, other, status(200), stored()),
				ev(10, "b", stampede.KindCacheHit, other, by("w"), byRun("r1")),
				ev(11, "b", stampede.KindCacheHit, "data/gone.json", by("x")),
			),
			want: []string{
				"w: fetch 0-5, hit 6-6, fetch 7-9",
				"b: hit 10-10, hit 11-11",
				"link ? -> w hit 6-6 (elsewhere: r0)",
				"link w fetch 7-9 -> b hit 10-10",
				"link ? -> b hit 11-11",
			},
		},
		{
			// A steady line's repetitions of one worker overlap when a
			// step outlasts the period: each pairs its own events.
			name: "steady repetitions",
			events: seq(
				ev(0, "r", stampede.KindLockWait, stuff, rep(1)),
				ev(0, "r", stampede.KindLockAcquired, stuff, rep(1)),
				ev(1, "r", stampede.KindFetchStart, stuff, rep(1)),
				ev(10, "r", stampede.KindLockWait, stuff, rep(2)),
				ev(30, "r", stampede.KindFetchDone, stuff, rep(1), stored()),
				ev(30, "r", stampede.KindLockReleased, stuff, rep(1)),
				ev(31, "r", stampede.KindLockAcquired, stuff, rep(2)),
				ev(31, "r", stampede.KindCacheHit, stuff, rep(2), by("r")),
				ev(31, "r", stampede.KindLockReleased, stuff, rep(2)),
			),
			want: []string{
				"r: wait 0-0, fetch 1-30, held 0-30, wait 10-31, hit 31-31, held 31-31",
				"link r fetch 1-30 -> r hit 31-31",
			},
		},
		{
			// swr answers a stale hit at once and refreshes in the
			// background under the worker's name, while the worker goes
			// on: the refresh pairs apart from the worker's own steps.
			name: "background refresh",
			events: seq(
				ev(0, "w", stampede.KindCacheHit, stuff, by("old"), byRun("r0")),
				ev(0, "w", stampede.KindLockWait, stuff, background()),
				ev(0, "w", stampede.KindLockAcquired, stuff, background()),
				ev(1, "w", stampede.KindFetchStart, stuff, background()),
				ev(2, "w", stampede.KindLockWait, other),
				ev(3, "w", stampede.KindLockAcquired, other),
				ev(4, "w", stampede.KindFetchStart, other),
				ev(20, "w", stampede.KindFetchDone, stuff, background(), stored()),
				ev(20, "w", stampede.KindLockReleased, stuff, background()),
				ev(25, "w", stampede.KindError, other),
				ev(25, "w", stampede.KindLockReleased, other),
			),
			want: []string{
				"w: hit 0-0, wait 0-0, wait 2-3, fetch 1-20, held 0-20, fetch 4-25 failed, error 25-25 failed, held 3-25",
				"link ? -> w hit 0-0 (elsewhere: r0)",
			},
		},
		{
			name:   "no events",
			events: nil,
			want:   nil,
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := describe(Build(tt.events))
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(tt.want, "\n\t"))
			}
		})
	}
}

func TestBuildEventsAndDetail(t *testing.T) {
	evs := seq(
		ev(0, "a", stampede.KindLockWait, stuff, by("b"), detail("in-flight fetch by b")),
		ev(5, "a", stampede.KindCacheHit, stuff, by("b"), detail("after waiting 5ms for the leader's cache read")),
		ev(6, "a", stampede.KindFetchStart, other, latency(2), detail("after 2ms added latency")),
		ev(9, "a", stampede.KindFetchDone, other, status(200), detail("200 application/json, 7 B")),
		ev(10, "a", stampede.KindWorkStart, "", detail("for 300ms")),
		ev(11, "a", stampede.KindError, "", detail("boom")),
		ev(-1, "z", stampede.KindRequest, ""),
	)
	tr := Build(evs)
	if tr.Min != dur(-1) || tr.Max != dur(11) {
		t.Errorf("Min, Max = %v, %v; want -1ms, 11ms", tr.Min, tr.Max)
	}
	if tr.Lane("", "a") != tr.Lanes[0] || tr.Lane("t", "a") != nil || tr.Lanes[1].Group() != "z" {
		t.Errorf("Lane lookups")
	}
	for _, tt := range []struct {
		kind          Kind
		detail        string
		begin, finish int // Seq of Begin and Finish; 0 for nil
	}{
		{Wait, "after waiting 5ms for the leader's cache read", 1, 2}, // the end says how it ended
		{Hit, "after waiting 5ms for the leader's cache read", 2, 2},
		{Latency, "after 2ms added latency", 3, 3},
		{Fetch, "200 application/json, 7 B", 3, 4},
		{Work, "for 300ms", 5, 6}, // an error does not say how work ended
		{Error, "boom", 6, 6},
	} {
		var iv *Interval
		for _, c := range tr.Intervals {
			if c.Kind == tt.kind {
				iv = c
			}
		}
		if iv == nil {
			t.Errorf("no %s interval", tt.kind)
			continue
		}
		finish := 0
		if iv.Finish != nil {
			finish = iv.Finish.Seq
		}
		if iv.Detail != tt.detail || iv.Begin.Seq != tt.begin || finish != tt.finish {
			t.Errorf("%s: detail %q, events %d-%d; want %q, %d-%d", tt.kind, iv.Detail, iv.Begin.Seq, finish, tt.detail, tt.begin, tt.finish)
		}
	}
	if by := tr.Intervals[0].By(); by != "b" {
		t.Errorf("the wait's By = %q; want b, whose flight it waits on", by)
	}
	if evs[0].Detail != "in-flight fetch by b" {
		t.Error("Build changed its events")
	}
}

func TestKinds(t *testing.T) {
	var names []string
	for _, k := range Kinds() {
		names = append(names, k.String())
		if k.Instant() != (k == Hit || k == Shared || k == Error) {
			t.Errorf("%s.Instant() = %v", k, k.Instant())
		}
	}
	if got := strings.Join(names, " "); got != "held wait latency fetch work once hit shared error" {
		t.Errorf("Kinds = %s", got)
	}
	if s := Kind(200).String(); s != "kind(200)" {
		t.Errorf("Kind(200) = %s", s)
	}
}

func TestClassOf(t *testing.T) {
	for _, tt := range []struct {
		e    stampede.Event
		want Class
	}{
		{ev(0, "a", stampede.KindRequest, stuff), ClassNone},
		{ev(0, "a", stampede.KindCacheHit, stuff, by("b")), ClassDedup},
		{ev(0, "a", stampede.KindShared, stuff, by("b")), ClassDedup},
		{ev(0, "a", stampede.KindOnceDone, "job", by("b")), ClassDedup},
		{ev(0, "a", stampede.KindOnceDone, "job", by("a")), ClassNone}, // ran it itself
		{ev(0, "a", stampede.KindFetchStart, stuff), ClassNet},
		{ev(0, "a", stampede.KindFetchDone, stuff), ClassNet},
		{ev(0, "a", stampede.KindError, stuff), ClassErr},
		{ev(0, "a", stampede.KindLockWait, stuff), ClassLock},
		{ev(0, "a", stampede.KindLockAcquired, stuff), ClassLock},
		{ev(0, "a", stampede.KindLockReleased, stuff), ClassLock},
		{ev(0, "a", stampede.KindWorkStart, ""), ClassNone},
	} {
		if got := ClassOf(tt.e); got != tt.want {
			t.Errorf("ClassOf(%s by %q) = %q; want %q", tt.e.Kind, tt.e.By, got, tt.want)
		}
	}
}
