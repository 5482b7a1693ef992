// Package weblock is a stampede.Locker on the browser's Web Locks API
// (navigator.locks), so that one lock per key is shared by every tab and
// worker of the origin: the crosstab strategy holds it around
// check-fetch-store, and the tabs share one fetch through IndexedDB.
//
// A lock is requested with navigator.locks.request(name, {signal}, cb).
// The browser calls cb once the lock is granted, and holds the lock until
// the Promise cb returned settles; Go settles it when the caller unlocks.
// The request's AbortSignal is aborted when the caller's ctx ends before
// the grant, so a cancelled run leaves no queued request behind. When a
// tab closes, the browser releases what it held and drops what it waited
// for.
//
// Outside the browser the package still compiles, so that the native build
// of the site can prerender its pages, but New returns ErrNotBrowser.
package weblock

import (
	"errors"

	"github.com/stampede-playground/stampede/app/stampede"
)

var _ stampede.Locker = (*Locker)(nil)

// Prefix starts the name of every lock this package requests, so the
// playground's locks are told apart from any other lock of the origin.
const Prefix = "stampede:"

// LockName is the Web Locks name of the lock for key.
func LockName(key string) string { return Prefix + key }

var (
	// ErrUnsupported reports a browser without the Web Locks API. It is
	// the engine's ErrNoCrossTab, so that errors.Is matches either and the
	// page says one thing whichever of them it shows.
	ErrUnsupported = stampede.ErrNoCrossTab
	// ErrNotBrowser is what New returns in a native build.
	ErrNotBrowser = errors.New("weblock: only available in a browser (js/wasm)")
)

// State is what navigator.locks.query() reports about this package's
// locks: the names held and the names waited for, in the browser's order.
type State struct {
	Held    []string
	Pending []string
}
