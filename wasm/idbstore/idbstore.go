// Package idbstore is a stampede.Store on IndexedDB, so that the cache
// survives a reload and is shared by the tabs of one origin.
//
// One database holds one object store, "responses", keyed by URL. Every
// Store method uses one short transaction and waits for nothing else while
// it is open: IndexedDB commits a transaction by itself once control
// returns to the event loop, so a transaction can never be held across a
// fetch or a lock wait. The Go-side lock of the caller guards a sequence of
// these calls. Puts that arrive together share one transaction (a group
// commit), each returning once that transaction has committed.
//
// Outside the browser the package still compiles, so that the native build
// of the site can prerender its pages: Open fails there and OpenOrMemory
// falls back to a stampede.MemoryStore.
package idbstore

import (
	"errors"
	"time"
)

const (
	// SchemaVersion is the database version this package creates, and
	// upgrades older ones to (upgrade_js.go has the steps).
	SchemaVersion = 2
	// ObjectStore is the name of the object store that holds the responses.
	ObjectStore = "responses"
	// OpenTimeout bounds OpenOrMemory's attempt to open the database: a
	// database another tab blocks from opening would otherwise wait forever.
	OpenTimeout = 3 * time.Second
)

var (
	// ErrClosed reports a call on a closed Store.
	ErrClosed = errors.New("store is closed")
	// ErrVersionChange reports a call on a Store that closed its database
	// so that another tab could upgrade or delete it.
	ErrVersionChange = errors.New("database closed because another tab is upgrading or deleting it; reload the page")
	// ErrNotBrowser is what Open returns in a native build.
	ErrNotBrowser = errors.New("idbstore: only available in a browser (js/wasm)")
)

// unavailable is OpenOrMemory's notice when it falls back to memory.
func unavailable(err error) string {
	return "IndexedDB unavailable (" + err.Error() + "): using an in-memory cache; nothing persists across reloads"
}
