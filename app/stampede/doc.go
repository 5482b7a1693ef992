// Package stampede is the engine of the Stampede playground: a Loader that
// guards check-fetch-store with a Strategy, the Fetcher and Store it talks
// to, the events it emits, the Log and Stats derived from them, and the
// scenario language that describes a run.
//
// The package is plain Go: it builds natively and for js/wasm and knows
// nothing about the browser. The browser's fetch, IndexedDB and Web Locks
// plug in through the Fetcher, Store and Locker interfaces.
package stampede
