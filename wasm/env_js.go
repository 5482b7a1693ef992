//go:build js && wasm

package main

import (
	"context"
	"sync"

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
	env := ui.Env{
		// The run's timeout (30 s, or window.stampede.run's timeout up to
		// 5m) bounds each fetch through its context; jsfetch's own 30 s
		// default would cut a longer one short.
		Fetcher: jsfetch.New(jsfetch.Timeout(0)),
		OpenStore: func(ctx context.Context) (stampede.Store, string) {
			return idbstore.OpenOrMemory(ctx, "stampede")
		},
		Version: app.Getenv("GOAPP_VERSION"),
	}
	// Without Web Locks the page refuses crosstab and says why; it never
	// falls back to an in-page lock that other tabs cannot see.
	if l, err := weblock.New(); err == nil {
		env.CrossTab = l
	} else {
		env.NoCrossTab = err.Error()
	}
	if ch, err := tabsChannel(); err == nil { // a nil *Channel must not become a non-nil ui.Channel
		env.Tabs = ch
	}
	return env
}

// tabsChannel is the page's one BroadcastChannel to the other tabs,
// opened on first use: browserEnv runs for every page the router makes.
var tabsChannel = sync.OnceValues(func() (*broadcast.Channel[[]ui.TabEvent], error) {
	return broadcast.Open[[]ui.TabEvent]("stampede")
})

// runCLI is never reached in the browser: RunWhenOnBrowser does not return.
func runCLI() {}
