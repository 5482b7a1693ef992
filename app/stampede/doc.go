// Package stampede is the engine of the Stampede playground: a Loader that
// guards check-fetch-store with a Strategy, the Fetcher and Store it talks
// to, the events it emits, the Log and Stats derived from them, and the
// scenario language that describes a run.
//
// Entries may expire (Config.TTL): an expired entry is a miss, so a hot
// entry's expiry under steady load (a scenario line that repeats, `every
// 100ms for 6s`) is a stampede again, one the locks turn into one fetch
// with callers waiting behind it, and the strategies swr and xfetch into
// one fetch nobody waits for.
//
// The package is plain Go: it builds natively and for js/wasm and knows
// nothing about the browser. The browser's fetch, IndexedDB and Web Locks
// plug in through the Fetcher, Store and Locker interfaces.
package stampede
