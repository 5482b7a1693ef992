package ui

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/stampede-playground/stampede/app/stampede"
)

// TabEvent is one event of a run, as a tab tells the other tabs of the
// origin about it.
type TabEvent struct {
	Tab   string         `json:"tab"`   // the sending tab's id
	RunID string         `json:"runId"` // the sending tab's run
	Time  time.Time      `json:"time"`  // when it happened, by the wall clock
	Event stampede.Event `json:"event"` // its At is not carried: Time is
}

// A Channel carries TabEvents between the tabs of the origin; in the
// browser it is a BroadcastChannel (wasm/broadcast). A tab does not
// receive what it publishes itself. Publish must not block; Subscribe
// calls fn on a goroutine of its own for every event another tab
// published, until cancel is called.
type Channel interface {
	Publish(TabEvent)
	Subscribe(fn func(TabEvent)) (cancel func())
}

// publishedKinds are the kinds of events a tab tells the other tabs.
var publishedKinds = map[stampede.Kind]bool{
	stampede.KindFetchStart: true, stampede.KindFetchDone: true, stampede.KindCacheHit: true,
	stampede.KindShared: true, stampede.KindError: true,
}

// maxRemoteRuns bounds how many other tabs' run ids a page remembers.
const maxRemoteRuns = 100

// newTabID returns a short id that tells this tab's lines from another's
// in the log, such as "t3f9a".
func newTabID() string { return fmt.Sprintf("t%04x", rand.IntN(1<<16)) }

// publishEvents tells the other tabs about evs of run runID, which
// started at start. It runs off the UI goroutine, as the log follower's
// batches arrive.
func publishEvents(ch Channel, tab, runID string, start time.Time, evs []stampede.Event) {
	if ch == nil {
		return
	}
	for _, e := range evs {
		if publishedKinds[e.Kind] {
			ch.Publish(TabEvent{Tab: tab, RunID: runID, Time: start.Add(e.At), Event: e})
		}
	}
}

// subscribeTabs shows the other tabs' events in the log. It returns the
// cancel of the subscription, or nil without a Channel.
func (r *runner) subscribeTabs(ctx app.Context) func() {
	if r.env.Tabs == nil {
		return nil
	}
	return r.env.Tabs.Subscribe(func(ev TabEvent) {
		ctx.Dispatch(func(app.Context) { r.addRemote(ev) })
	})
}

// addRemote adds another tab's event to the log, timed from this page's
// run (or from the first such event when this page has not run), and
// remembers its run so a hit on that run's fetch can say so.
func (r *runner) addRemote(ev TabEvent) {
	if ev.Tab == "" || ev.Tab == r.tab {
		return
	}
	if r.remote == nil || len(r.remote) >= maxRemoteRuns {
		r.remote = map[string]string{}
	}
	r.remote[ev.RunID] = ev.Tab
	if r.run.start.IsZero() {
		r.run.start = ev.Time
	}
	e := ev.Event
	e.Tab = ev.Tab
	e.At = ev.Time.Sub(r.run.start)
	r.run.events = appendBounded(r.run.events, []stampede.Event{e}, logSize)
	r.rev++
	r.changed()
}

// markServed notes, on this page's cache hits among lines, which were
// answered with a response another tab's run fetched.
func (r *runner) markServed(lines []logLine) {
	for i := range lines {
		ln := &lines[i]
		if tab, ok := r.remote[ln.ByRun]; ok && ln.ByRun != "" && !ln.Remote {
			ln.Served = "served by another tab (" + tab + ")"
		}
	}
}

// secondTabURL is the page's shareable URL for the same scenario under
// the crosstab strategy.
func (p *Playground) secondTabURL() string {
	s := p.settings
	s.Strategy = stampede.CrossTab
	return stateURL(p.location(), s)
}

// onSecondTab switches this page to crosstab and opens the same scenario
// under crosstab in a new tab, for a demo of two tabs sharing one fetch.
func (p *Playground) onSecondTab(ctx app.Context, e app.Event) {
	if p.run.env.CrossTab == nil {
		return // the button is disabled and its title says why
	}
	u := p.secondTabURL()
	if !p.run.busy {
		p.settings.Strategy = stampede.CrossTab
		p.syncURL()
	}
	p.browser.openTab(u)
}

// openTab is window.open(u, "_blank", "noopener"); natively a no-op.
func openTab(u string) {
	app.Window().Call("open", u, "_blank", "noopener")
}
