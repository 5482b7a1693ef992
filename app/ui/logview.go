package ui

import (
	"fmt"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/stampede-playground/stampede/app/stampede"
	"github.com/stampede-playground/stampede/app/trace"
)

// MaxLines is how many log lines the page shows at most, after filters.
const MaxLines = 500

// LiveLines is how many it shows while a run goes on. go-app updates a
// list's items by position, so each batch of a big run rewrites every
// shown line: a CPU profile of 10,000 workers put a quarter of the page's
// thread there with 500 lines. After the run the log shows MaxLines.
const LiveLines = 100

// logSize is how many events a run's Log and the page keep.
const logSize = 10000

// Line classes, also the names of the class filters: app/trace's classes.
const (
	classDedup = string(trace.ClassDedup) // answered without its own network fetch
	classNet   = string(trace.ClassNet)   // a network fetch
	classErr   = string(trace.ClassErr)   // a failed request
	classLock  = string(trace.ClassLock)  // waiting for, holding or letting go of a lock
)

// classify says how a log line is marked (trace.ClassOf), "" for unmarked.
func classify(e stampede.Event) string { return string(trace.ClassOf(e)) }

// badges are the words shown on marked lines.
var badges = map[string]string{classDedup: "deduped", classNet: "network", classErr: "error"}

// filter selects log lines. The zero value selects everything.
type filter struct {
	Group string // worker group, as stampede.GroupOf; "" for all
	Kind  string // a kind name, a class (dedup, net, err, lock), or "" for all
}

func (f filter) active() bool { return f.Group != "" || f.Kind != "" }

func (f filter) match(e stampede.Event) bool {
	if f.Group != "" && e.Group() != f.Group {
		return false
	}
	switch f.Kind {
	case "":
		return true
	case classDedup, classNet, classErr, classLock:
		return classify(e) == f.Kind
	}
	return e.Kind.String() == f.Kind
}

// logLine is one event as the log shows it.
type logLine struct {
	Seq    int
	AtMs   string
	Worker string
	Kind   string
	Target string
	Detail string
	By     string // who served it, when not the worker itself
	Class  string
	Badge  string
	Remote bool   // another tab's event; Worker is prefixed with that tab's id
	ByRun  string // the run whose fetch a cache hit was answered with
	Served string // "served by another tab (…)", set by the page
}

func lineOf(e stampede.Event) logLine {
	c := classify(e)
	l := logLine{
		Seq:    e.Seq,
		AtMs:   fmt.Sprintf("%.1f", float64(e.At.Microseconds())/1000),
		Worker: e.Worker,
		Kind:   e.Kind.String(),
		Target: e.Target,
		Detail: e.Detail,
		Class:  c,
		Badge:  badges[c],
		ByRun:  e.ByRun,
	}
	if e.Tab != "" {
		l.Remote = true
		l.Worker = e.Tab + ":" + e.Worker
	}
	if e.By != "" && e.By != e.Worker {
		l.By = e.By
	}
	return l
}

// buildView returns the newest max events that match f, oldest first, and
// how many of events match in all.
func buildView(events []stampede.Event, f filter, max int) (lines []logLine, matched int) {
	var picked []int
	for i := len(events) - 1; i >= 0; i-- {
		if !f.match(events[i]) {
			continue
		}
		matched++
		if len(picked) < max {
			picked = append(picked, i)
		}
	}
	lines = make([]logLine, len(picked))
	for k, i := range picked {
		lines[len(picked)-1-k] = lineOf(events[i])
	}
	return lines, matched
}

// viewNote says how much of the log is shown.
func viewNote(shown, matched, total, dropped int, filtered bool) string {
	switch {
	case total == 0:
		return "no events yet: press Run"
	case filtered:
		return fmt.Sprintf("showing last %d of %d matching events (%d events in all, %d dropped)", shown, matched, total, dropped)
	}
	return fmt.Sprintf("showing last %d of %d events (%d dropped)", shown, total, dropped)
}

// appendBounded appends more to events, keeping the newest max. It drops
// the oldest by slicing, not copying: copying the 10,000 kept events on
// every batch of a big run was a tenth of the page's thread. append
// copies only what is kept when it outgrows the array, so the cost per
// event stays constant and the array at most about twice max. The
// events before the result's start are never written again, so earlier
// results stay valid.
func appendBounded(events, more []stampede.Event, max int) []stampede.Event {
	events = append(events, more...)
	if len(events) > max {
		events = events[len(events)-max:]
	}
	return events
}

// logList renders log lines. It only displays what its parent gives it.
type logList struct {
	app.Compo

	Ilines []logLine
}

func newLogList() *logList { return &logList{} }

// Lines sets the lines to show.
func (l *logList) Lines(v []logLine) *logList {
	l.Ilines = v
	return l
}

func (l *logList) Render() app.UI {
	return app.Elem("ol").Class("lines").Body(
		app.Range(l.Ilines).Slice(func(i int) app.UI {
			ln := l.Ilines[i]
			li := app.Elem("li").Class("line", ln.Class)
			if ln.Remote {
				li = li.Class("remote").Title("from another tab's run")
			}
			return li.Body(
				app.Elem("span").Class("at").Text(ln.AtMs),
				app.Elem("span").Class("worker").Text(ln.Worker),
				app.Elem("span").Class("kind").Text(ln.Kind),
				app.Elem("span").Class("target").Text(ln.Target),
				app.If(ln.By != "",
					app.Elem("span").Class("by").Text("by "+ln.By),
				),
				app.If(ln.Badge != "",
					app.Elem("span").Class("badge").Text(ln.Badge),
				),
				app.If(ln.Served != "",
					app.Elem("span").Class("served").Text(ln.Served),
				),
				app.If(ln.Detail != "",
					app.Elem("span").Class("detail").Text(ln.Detail),
				),
			)
		}),
	)
}
