// Package ui is the Stampede playground page: a go-app component that
// edits a scenario, runs it with the engine in app/stampede, and shows the
// live log, the counters and #run-stats. It builds natively (prerendering,
// tests) and for js/wasm, and knows the browser only through go-app and
// the Env that wasm/main.go fills.
package ui

import (
	"context"
	"time"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/stampede-playground/stampede/app/stampede"
)

// Env is what the page needs from the browser; wasm/main.go fills it.
type Env struct {
	Fetcher   stampede.Fetcher                                   // browser fetch (nil natively during prerender)
	OpenStore func(ctx context.Context) (stampede.Store, string) // store + a notice when falling back to memory ("" if IndexedDB works); nil → MemoryStore
	CrossTab  stampede.Locker                                    // cross-tab locks (Web Locks); nil when the browser has none
	// NoCrossTab says why CrossTab is nil, e.g. "the crosstab strategy
	// needs Web Locks (navigator.locks), which this browser does not
	// have" (weblock.ErrUnsupported, which is stampede.ErrNoCrossTab); the
	// page shows it.
	NoCrossTab string
	Tabs       Channel // carries run events to and from the other tabs; nil: none
	// Yield returns once the browser has run a task of its own (or ctx
	// is done). Go hands the page's thread back to the browser only when
	// every goroutine waits, and a timer that expires while others run
	// does not count: a run's pauses (its start slices, the pacer) wait
	// on Yield so that each is a real turn for the browser. Nil natively:
	// short timers instead.
	Yield func(ctx context.Context) error
	// Measure, when set, records that what name says ran from start to
	// now (performance.measure in a browser, where the developer tools
	// and `make bench` show it): a draw turn, a run's start, a batch.
	Measure func(name string, start time.Time)
	// OnScreen, when set, calls seen with whether el is in or near the
	// browser's viewport: once soon after the call, then at every
	// change, until stop is called. seen must not wait (it dispatches). A view
	// out of sight does not draw while a run goes on (runView): drawing
	// what nobody sees took the page's one thread from the run. Nil
	// natively: every view counts as seen.
	OnScreen func(el app.Value, seen func(bool)) (stop func())
	Version  string
}

// NewPlayground returns the page at route "/".
func NewPlayground(env Env) app.Composer {
	return newPlayground(env)
}
