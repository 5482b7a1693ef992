package ui

import (
	"fmt"
	"math/rand/v2"
	"sync"
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
	// Presence, in a message of its own, carries no event: it says that
	// tab Tab is open. A tab says presenceHello when it subscribes, and
	// the tabs that hear it answer presenceHere.
	Presence string `json:"presence,omitempty"`
}

// The presence messages: a tab tells the other tabs its runs' events only
// once it has heard from one. Encoding them (10,000 events for a run of
// 10,000 workers) was about 300 ms of the page's thread in a profile, all
// of it wasted in the usual case of a page open in one tab.
const (
	presenceHello = "hello" // a tab opened: those that hear it answer
	presenceHere  = "here"  // the answer
)

// A Channel carries TabEvents between the tabs of the origin, a batch
// per message; in the browser it is a BroadcastChannel (wasm/broadcast).
// A tab does not receive what it publishes itself. Publish must not
// block or keep the slice; Subscribe calls fn on a goroutine of its own
// for every batch another tab published, until cancel is called.
type Channel interface {
	Publish([]TabEvent)
	Subscribe(fn func([]TabEvent)) (cancel func())
}

// publishChunk bounds a message to the other tabs: a run of 10,000
// workers tells them its events in messages of this many, and the
// follower lets the browser in between two (each is encoded as JSON on
// the page's one thread).
const publishChunk = 500

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
	out := make([]TabEvent, 0, min(len(evs), publishChunk))
	for _, e := range evs {
		if !publishedKinds[e.Kind] {
			continue
		}
		if len(out) == publishChunk {
			ch.Publish(out)
			out = out[:0]
			time.Sleep(time.Millisecond) // a timer's turn for the browser
		}
		out = append(out, TabEvent{Tab: tab, RunID: runID, Time: start.Add(e.At), Event: e})
	}
	if len(out) > 0 {
		ch.Publish(out)
	}
}

// subscribeTabs shows the other tabs' events in the log. Events that
// arrive while the page is busy wait in a queue and are added together,
// with one update of the views, so a busy other tab does not make this
// one redraw for each of its events. It returns the cancel of the
// subscription, or nil without a Channel.
func (r *runner) subscribeTabs(ctx app.Context) func() {
	if r.env.Tabs == nil {
		return nil
	}
	var (
		mu      sync.Mutex // protects pending
		pending []TabEvent
	)
	cancel := r.env.Tabs.Subscribe(func(evs []TabEvent) {
		evs = r.heard(evs)
		if len(evs) == 0 {
			return
		}
		mu.Lock()
		first := len(pending) == 0
		pending = append(pending, evs...)
		mu.Unlock()
		if !first {
			return // the dispatch that will drain the queue is on its way
		}
		ctx.Dispatch(func(app.Context) {
			mu.Lock()
			evs := pending
			pending = nil
			mu.Unlock()
			add := make([]stampede.Event, 0, len(evs))
			for _, ev := range evs {
				if e, ok := r.remoteEvent(ev); ok {
					add = append(add, e)
				}
			}
			r.run.events = appendBounded(r.run.events, add, logSize)
			r.rev++
			r.changed()
		})
	})
	r.env.Tabs.Publish([]TabEvent{{Tab: r.tab, Presence: presenceHello}})
	return cancel
}

// heard notes that another tab is open when evs come from one, answers a
// hello, and returns evs without the presence messages. It runs on the
// subscription's goroutine.
func (r *runner) heard(evs []TabEvent) []TabEvent {
	out := evs[:0:0]
	for _, ev := range evs {
		if ev.Tab != "" && ev.Tab != r.tab {
			r.peers.Store(true)
		}
		switch ev.Presence {
		case "":
			out = append(out, ev)
		case presenceHello:
			if ev.Tab != r.tab {
				r.env.Tabs.Publish([]TabEvent{{Tab: r.tab, Presence: presenceHere}})
			}
		}
	}
	return out
}

// tellTabs publishes evs of run runID to the other tabs, if any has been
// heard from (see presenceHello). It runs off the UI goroutine.
func (r *runner) tellTabs(runID string, start time.Time, evs []stampede.Event) {
	if !r.peers.Load() {
		return
	}
	publishEvents(r.env.Tabs, r.tab, runID, start, evs)
}

// remoteEvent is another tab's event as the log shows it, timed from this
// page's run (or from the first such event when this page has not run);
// it remembers the event's run so a hit on that run's fetch can say so.
// ok is false for an event that is not another tab's.
func (r *runner) remoteEvent(ev TabEvent) (e stampede.Event, ok bool) {
	if ev.Tab == "" || ev.Tab == r.tab {
		return e, false
	}
	if r.remote == nil || len(r.remote) >= maxRemoteRuns {
		r.remote = map[string]string{}
	}
	r.remote[ev.RunID] = ev.Tab
	if r.run.start.IsZero() {
		r.run.start = ev.Time
	}
	e = ev.Event
	e.Tab = ev.Tab
	e.At = ev.Time.Sub(r.run.start)
	return e, true
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
