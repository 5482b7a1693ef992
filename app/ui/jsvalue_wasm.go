//go:build js && wasm

package ui

import "github.com/maxence-charriere/go-app/v9/pkg/app"

// rawJS is the syscall/js value inside a go-app Value, for a FuncOf
// callback's result: go-app hands that result to js.ValueOf, which knows
// js.Value but not go-app's wrapper around it.
func rawJS(v app.Value) any { return app.JSValue(v) }
