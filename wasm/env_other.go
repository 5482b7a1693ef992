//go:build !(js && wasm)

package main

import "github.com/stampede-playground/stampede/app/ui"

// browserEnv is the prerendering environment: no fetch, no IndexedDB.
func browserEnv() ui.Env { return ui.Env{} }
