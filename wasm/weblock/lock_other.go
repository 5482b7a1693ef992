//go:build !(js && wasm)

package weblock

import "context"

// Locker is a stampede.Locker on the Web Locks API. Natively there is none:
// New fails and Lock and Query only return ErrNotBrowser.
type Locker struct{}

// New returns ErrNotBrowser: there are no Web Locks in a native build.
func New() (*Locker, error) { return nil, ErrNotBrowser }

// Lock returns ErrNotBrowser.
func (l *Locker) Lock(ctx context.Context, key string) (func(), error) {
	return nil, ErrNotBrowser
}

// Query returns ErrNotBrowser.
func (l *Locker) Query(ctx context.Context) (State, error) { return State{}, ErrNotBrowser }
