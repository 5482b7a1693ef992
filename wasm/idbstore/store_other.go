//go:build !(js && wasm)

package idbstore

import (
	"context"
	"errors"

	"github.com/stampede-playground/stampede/app/stampede"
)

// Store is a stampede.Store on IndexedDB. In a native build there is no
// IndexedDB: Open fails and every method returns ErrNotBrowser.
type Store struct{}

var _ stampede.Store = (*Store)(nil)

// Open returns ErrNotBrowser: there is no IndexedDB in a native build.
func Open(ctx context.Context, name string) (*Store, error) { return nil, ErrNotBrowser }

// OpenOrMemory returns a new stampede.MemoryStore and a notice that says so.
func OpenOrMemory(ctx context.Context, name string) (store stampede.Store, notice string) {
	return &stampede.MemoryStore{}, unavailable(errors.New("not running in a browser"))
}

// Get implements stampede.Store.
func (s *Store) Get(ctx context.Context, url string) (stampede.Response, bool, error) {
	return stampede.Response{}, false, ErrNotBrowser
}

// Put implements stampede.Store.
func (s *Store) Put(ctx context.Context, url string, r stampede.Response) error { return ErrNotBrowser }

// Delete implements stampede.Store.
func (s *Store) Delete(ctx context.Context, url string) error { return ErrNotBrowser }

// Keys implements stampede.Store.
func (s *Store) Keys(ctx context.Context) ([]string, error) { return nil, ErrNotBrowser }

// Clear implements stampede.Store.
func (s *Store) Clear(ctx context.Context) error { return ErrNotBrowser }

// Entries returns ErrNotBrowser.
func (s *Store) Entries(ctx context.Context) ([]stampede.Response, error) {
	return nil, ErrNotBrowser
}

// Close does nothing.
func (s *Store) Close() error { return nil }
