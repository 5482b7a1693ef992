//go:build js && wasm

package main

import (
	"context"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/stampede-playground/stampede/app/stampede"
	"github.com/stampede-playground/stampede/app/ui"
	"github.com/stampede-playground/stampede/wasm/idbstore"
	"github.com/stampede-playground/stampede/wasm/jsfetch"
)

// browserEnv wires the browser adapters into the page.
func browserEnv() ui.Env {
	return ui.Env{
		Fetcher: jsfetch.New(),
		OpenStore: func(ctx context.Context) (stampede.Store, string) {
			return idbstore.OpenOrMemory(ctx, "stampede")
		},
		Version: app.Getenv("GOAPP_VERSION"),
	}
}

// runCLI is never reached in the browser: RunWhenOnBrowser does not return.
func runCLI() {}
