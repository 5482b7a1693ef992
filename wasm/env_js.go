//go:build js && wasm

package main

import (
	"context"
	"sync"
	"sync/atomic"
	"syscall/js"
	"time"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/stampede-playground/stampede/app/stampede"
	"github.com/stampede-playground/stampede/app/ui"
	"github.com/stampede-playground/stampede/wasm/broadcast"
	"github.com/stampede-playground/stampede/wasm/idbstore"
	"github.com/stampede-playground/stampede/wasm/jsfetch"
	"github.com/stampede-playground/stampede/wasm/weblock"
)

// browserEnv wires the browser adapters into the page.
func browserEnv() ui.Env {
	earlyStore()
	env := ui.Env{
		// The run's timeout (30 s, or window.stampede.run's timeout up to
		// 5m) bounds each fetch through its context; jsfetch's own 30 s
		// default would cut a longer one short.
		Fetcher:   jsfetch.New(jsfetch.Timeout(0)),
		OpenStore: openStore,
		Version:   app.Getenv("GOAPP_VERSION"),
		Yield:     yieldToBrowser,
		Measure:   measure,
		OnScreen:  onScreen,
	}
	// Without Web Locks the page refuses crosstab and says why; it never
	// falls back to an in-page lock that other tabs cannot see.
	if l, err := weblock.New(); err == nil {
		env.CrossTab = l
	} else {
		env.NoCrossTab = err.Error()
	}
	if ch, err := tabsChannel(); err == nil { // a nil *Channel must not become a non-nil ui.Channel
		env.Tabs = tabs{ch}
	}
	return env
}

// The first page's store is opened early: the first browserEnv, which
// runs when the router makes the page and before its first render, starts
// opening IndexedDB, so that the browser opens the database (hundreds of
// milliseconds in a new profile) while the page renders and mounts
// instead of after. The first OpenStore call takes that store; any later
// one opens its own.
type openedStore struct {
	store  stampede.Store
	notice string
}

var (
	earlyStore = sync.OnceValue(func() <-chan openedStore {
		c := make(chan openedStore, 1)
		go func() {
			s, notice := idbstore.OpenOrMemory(context.Background(), storeName)
			c <- openedStore{s, notice}
		}()
		return c
	})
	earlyTaken atomic.Bool
)

const storeName = "stampede"

func openStore(ctx context.Context) (stampede.Store, string) {
	if !earlyTaken.CompareAndSwap(false, true) {
		return idbstore.OpenOrMemory(ctx, storeName)
	}
	early := earlyStore()
	select {
	case o := <-early:
		return o.store, o.notice
	case <-ctx.Done(): // the page is gone: close what opens
		go func() {
			if s, ok := (<-early).store.(*idbstore.Store); ok {
				_ = s.Close()
			}
		}()
		return idbstore.OpenOrMemory(ctx, storeName) // the memory store, and why
	}
}

// tabsChannel is the page's one BroadcastChannel to the other tabs,
// opened on first use: browserEnv runs for every page the router makes.
var tabsChannel = sync.OnceValues(func() (*broadcast.Channel[[]ui.TabEvent], error) {
	return broadcast.Open[[]ui.TabEvent]("stampede")
})

// tabs is ui.Channel on the page's BroadcastChannel; a presence message
// goes as the two fields it has (presence).
type tabs struct {
	ch *broadcast.Channel[[]ui.TabEvent]
}

func (t tabs) Publish(evs []ui.TabEvent) {
	if p, ok := asPresence(evs); ok {
		broadcast.PublishAs(t.ch, p)
		return
	}
	t.ch.Publish(evs)
}

func (t tabs) Subscribe(fn func([]ui.TabEvent)) (cancel func()) { return t.ch.Subscribe(fn) }

// yieldToBrowser returns after a browser task: a setTimeout callback,
// which the browser runs only once Go has handed the thread back (every
// goroutine waits), and after the tasks queued before it, such as input
// and rendering. It is ui.Env.Yield.
func yieldToBrowser(ctx context.Context) error {
	done := make(chan struct{})
	var fn js.Func
	fn = js.FuncOf(func(js.Value, []js.Value) any {
		fn.Release()
		close(done)
		return nil
	})
	js.Global().Call("setTimeout", fn, 0)
	select {
	case <-done:
		return nil
	case <-ctx.Done(): // the callback still comes, and releases itself
		return ctx.Err()
	}
}

// runCLI is never reached in the browser: RunWhenOnBrowser does not return.
func runCLI() {}

// measure is performance.measure(name, {start, duration}) for what ran
// from start to now.
func measure(name string, start time.Time) {
	perf := js.Global().Get("performance")
	ms := float64(time.Since(start).Microseconds()) / 1000
	opts := js.Global().Get("Object").New()
	opts.Set("start", perf.Call("now").Float()-ms)
	opts.Set("duration", ms)
	perf.Call("measure", name, opts)
}

// onScreen is ui.Env.OnScreen: an IntersectionObserver on el, with a
// margin of 200 px, so that a view about to be scrolled into sight has
// drawn already. Without IntersectionObserver every view counts as seen.
func onScreen(el app.Value, seen func(bool)) (stop func()) {
	ctor := js.Global().Get("IntersectionObserver")
	target := app.JSValue(el)
	if ctor.Type() != js.TypeFunction || target.Type() != js.TypeObject {
		seen(true) // nothing to watch with: a view counts as seen
		return func() {}
	}
	// seen dispatches to the UI goroutine, as go-app's own event
	// handlers do from their callbacks, so it is called here, in order.
	cb := js.FuncOf(func(_ js.Value, args []js.Value) any {
		if entries := args[0]; entries.Length() > 0 {
			seen(entries.Index(entries.Length() - 1).Get("isIntersecting").Bool()) // the latest
		}
		return nil
	})
	opts := js.Global().Get("Object").New()
	opts.Set("rootMargin", "200px")
	obs := ctor.New(cb, opts)
	obs.Call("observe", target)
	return func() {
		obs.Call("disconnect")
		cb.Release()
	}
}
