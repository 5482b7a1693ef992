//go:build !(js && wasm)

package main

import (
	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/stampede-playground/stampede/app/ui"
)

// browserEnv is the prerendering environment: no fetch, no IndexedDB.
// The version is the build's: go-app's handler sets GOAPP_VERSION in the
// process before it prerenders, so the static page's footer carries it.
func browserEnv() ui.Env { return ui.Env{Version: app.Getenv("GOAPP_VERSION")} }
