//go:build !(js && wasm)

package jsfetch

import (
	"context"

	"github.com/stampede-playground/stampede/app/stampede"
)

// Fetch returns ErrNotBrowser: there is no browser fetch in a native build.
func (f *Fetcher) Fetch(ctx context.Context, url string) (stampede.Response, error) {
	return stampede.Response{}, ErrNotBrowser
}
