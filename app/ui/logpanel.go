package ui

import (
	"fmt"
	"time"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/stampede-playground/stampede/app/stampede"
)

// logPanel is the live log: its filters, the note on how much it shows,
// the lines and the legend. It owns the filter and the lines derived
// from the runner's shown events; it recomputes them when the events,
// the cursor or the filter change.
type logPanel struct {
	app.Compo

	runView

	filter  filter
	lines   []logLine
	matched int
	rev     int // the runner's rev the lines were built from; -1 for none
	// drawn are the lines drawn, in logSlots lists (draws.go's stager):
	// a finished run's 500 lines drawn at once took the page's thread for
	// about 250 ms.
	drawn   stager[logLine]
	filters *logFilters
}

// logChunk is how many lines each of the log's lists holds: the log
// draws one list per draw turn.
const logChunk = 25

// logSlots is how many lists the log has, in fixed places, the newest
// lines in the last: a list keeps its place as the log grows, so go-app
// never redraws one for having moved.
const logSlots = MaxLines / logChunk

// logEvery is the least time between two updates of the live log while a
// run goes on. Every batch (batchEvery) rewrote its lines: in a profile
// of 20 workers over 100 URLs, that was a quarter of the page's thread,
// taken from the run it shows.
const logEvery = 500 * time.Millisecond

func newLogPanel(r *runner) *logPanel {
	l := &logPanel{runView: runView{run: r, every: logEvery}}
	l.filters = &logFilters{runView: runView{run: r, every: logEvery}, panel: l}
	l.refresh(nil)
	return l
}

func (l *logPanel) OnMount(ctx app.Context) {
	l.follow(ctx, func() {
		if l.rev != l.run.rev {
			l.refresh(ctx)
		}
	})
}

func (l *logPanel) OnDismount() {
	l.runView.OnDismount()
	l.drawn.queued = false // its turn is skipped
}

// slots are lines in logSlots lists, the oldest list first and the
// newest logChunk lines in the last; an empty list is nil.
func slots(lines []logLine) [][]logLine {
	out := make([][]logLine, logSlots)
	n := len(lines)
	for s := 0; s < logSlots; s++ { // s = 0: the newest
		hi := n - s*logChunk
		lo := max(hi-logChunk, 0)
		if hi <= lo {
			break
		}
		out[logSlots-1-s] = lines[lo:hi]
	}
	return out
}

// refresh recomputes the lines from the shown events and the filter, and
// draws them (in turns).
func (l *logPanel) refresh(ctx app.Context) {
	r := l.run
	if !r.hasGroup(l.filter.Group) {
		l.filter.Group = ""
	}
	limit := MaxLines
	if r.busy {
		limit = LiveLines
	}
	l.lines, l.matched = buildView(r.shownEvents(), l.filter, limit)
	r.markServed(l.lines)
	l.rev = r.rev
	l.drawn.set(r, ctx, slots(l.lines))
}

// hasGroup reports whether the run has a scenario line named name.
func (r *runner) hasGroup(name string) bool {
	if name == "" {
		return true
	}
	for _, g := range r.run.groups {
		if g.Name == name {
			return true
		}
	}
	return false
}

// setFilter applies what set changes of the filter.
func (l *logPanel) setFilter(ctx app.Context, set func(*filter)) {
	set(&l.filter)
	l.refresh(ctx)
}

func (l *logPanel) Render() app.UI {
	r := l.run
	slots := l.drawn.shown
	return app.Div().ID("log-panel").Body(
		l.filters,
		app.P().ID("log-note").Class("status").Text(viewNote(len(l.lines), l.matched, r.run.total, r.run.dropped, l.filter.active())),
		app.Elem("section").ID("log").Class("log").Role("log").Aria("live", "polite").
			Aria("relevant", "additions").Aria("label", "live log").TabIndex(0).Body(
			app.Div().Class("log-lines").Body(
				app.Range(slots).Slice(func(i int) app.UI { return newLogList().Lines(slots[i]) }),
			),
		),
		app.P().Class("legend").Body(
			app.Elem("span").Class("line", "net").Text("network fetch"),
			app.Elem("span").Class("line", "dedup").Text("deduplicated: cache hit or shared"),
			app.Elem("span").Class("line", "err").Text("error"),
			app.Elem("span").Class("line", "lock").Text("lock"),
		),
	)
}

// kindChoices are the kind filter's entries: the classes, then each kind.
func kindChoices() [][2]string {
	c := [][2]string{
		{"", "all kinds"},
		{classNet, "network fetches"},
		{classDedup, "deduplicated"},
		{classErr, "errors"},
		{classLock, "lock events"},
	}
	for _, k := range stampede.Kinds() {
		c = append(c, [2]string{k.String(), k.String()})
	}
	return c
}

// logFilters are the log's filters. They follow the runner on their
// own, in a draw turn of their own (draws.go): a run of many scenario
// lines has as many worker choices to draw when it starts. The filter
// itself is the log panel's.
type logFilters struct {
	app.Compo

	runView

	panel *logPanel
}

// onPanel applies set to the panel's filter, on the panel.
func (f *logFilters) onPanel(ctx app.Context, set func(*filter)) {
	ctx.Dispatcher().Dispatch(app.Dispatch{Mode: app.Update, Source: f.panel, Function: func(ctx app.Context) {
		f.panel.setFilter(ctx, set)
	}})
}

func (f *logFilters) onGroup(ctx app.Context, e app.Event) {
	v := ctx.JSSrc().Get("value").String()
	f.onPanel(ctx, func(fl *filter) { fl.Group = v })
}

func (f *logFilters) onKind(ctx app.Context, e app.Event) {
	v := ctx.JSSrc().Get("value").String()
	f.onPanel(ctx, func(fl *filter) { fl.Kind = v })
}

func (f *logFilters) Render() app.UI {
	kinds := kindChoices()
	groups := f.run.run.groups
	cur := f.panel.filter
	return app.Div().Class("filters").Body(
		app.Elem("label").Attr("for", "filter-group").Text("Workers"),
		app.Select().ID("filter-group").OnChange(f.onGroup).Body(
			option("", "all workers", cur.Group == ""),
			app.Range(groups).Slice(func(i int) app.UI {
				g := groups[i]
				label := g.Name
				if g.Count > 1 {
					label = fmt.Sprintf("%s (%s#1…%d)", g.Name, g.Name, g.Count)
				}
				return option(g.Name, label, g.Name == cur.Group)
			}),
		),
		app.Elem("label").Attr("for", "filter-kind").Text("Kind"),
		app.Select().ID("filter-kind").OnChange(f.onKind).Body(
			app.Range(kinds).Slice(func(i int) app.UI {
				return option(kinds[i][0], kinds[i][1], kinds[i][0] == cur.Kind)
			}),
		),
	)
}
