//go:build !(js && wasm)

package ui

import "github.com/maxence-charriere/go-app/v9/pkg/app"

// rawJS is nil natively, where go-app's JavaScript values are inert.
func rawJS(app.Value) any { return nil }
