// Package broadcast carries values between the tabs of an origin on a
// BroadcastChannel, as JSON text. A tab does not receive what it
// publishes itself; every other tab of the origin that subscribed to a
// channel of the same name does.
//
// Outside the browser the package still compiles, so that the native build
// of the site can prerender its pages, but Open returns ErrNotBrowser.
package broadcast

import "errors"

// Buffer is how many received values may wait for a slow subscriber;
// values that arrive while the buffer is full are dropped, so a callback
// of the browser never waits for Go.
const Buffer = 256

var (
	// ErrUnsupported reports a browser without BroadcastChannel.
	ErrUnsupported = errors.New("this browser has no BroadcastChannel")
	// ErrNotBrowser is what Open returns in a native build.
	ErrNotBrowser = errors.New("broadcast: only available in a browser (js/wasm)")
)
