// Package jsfetch is a stampede.Fetcher on the browser's fetch, called
// through syscall/js rather than net/http, which would add about 5 MB to
// app.wasm.
//
// Every request is tied to an AbortController that the caller's ctx (and
// the per-fetch timeout) aborts, bypasses the HTTP cache (cache: "no-store",
// so the network really is hit and the playground's log tells the truth),
// refuses to follow a redirect to another origin and stops reading a body
// once it passes the size limit.
//
// Outside the browser the package still compiles, so that the native build
// of the site can prerender its pages, but Fetch only returns an error.
package jsfetch

import (
	"errors"
	"time"

	"github.com/stampede-playground/stampede/app/stampede"
)

// DefaultTimeout bounds one Fetch unless the Timeout option says otherwise.
const DefaultTimeout = 30 * time.Second

// ErrNetwork reports a request the browser refused to complete: the
// network failed, nothing listened, or CORS refused it. The browser does
// not say which (on purpose), but its console does.
var ErrNetwork = errors.New("network failed or CORS refused the request")

// ErrNotBrowser is what Fetch returns in a native build.
var ErrNotBrowser = errors.New("jsfetch: only available in a browser (js/wasm)")

// Fetcher fetches URLs with the browser's fetch. Use New; the zero value
// also works and uses DefaultMaxBody and DefaultTimeout. A Fetcher is
// safe for concurrent use.
type Fetcher struct {
	maxBody int           // 0: stampede.DefaultMaxBody
	timeout time.Duration // 0: DefaultTimeout; negative: none beyond ctx
}

var _ stampede.Fetcher = (*Fetcher)(nil)

// An Option configures a Fetcher.
type Option func(*Fetcher)

// MaxBody limits a response body to n bytes; a larger body fails with an
// error wrapping stampede.ErrTooLarge. n <= 0 means stampede.DefaultMaxBody.
func MaxBody(n int) Option {
	return func(f *Fetcher) {
		if n < 0 {
			n = 0
		}
		f.maxBody = n
	}
}

// Timeout bounds each Fetch, from the request to the last byte of the
// body, to d. d <= 0 means no bound beyond the caller's ctx.
func Timeout(d time.Duration) Option {
	return func(f *Fetcher) {
		if d <= 0 {
			d = -1
		}
		f.timeout = d
	}
}

// New returns a Fetcher configured by opts.
func New(opts ...Option) *Fetcher {
	f := &Fetcher{}
	for _, o := range opts {
		o(f)
	}
	return f
}

// MaxBodySize returns the body size limit in bytes.
func (f *Fetcher) MaxBodySize() int {
	if f.maxBody <= 0 {
		return stampede.DefaultMaxBody
	}
	return f.maxBody
}

// TimeoutDuration returns the per-fetch timeout; 0 means none beyond ctx.
func (f *Fetcher) TimeoutDuration() time.Duration {
	switch {
	case f.timeout == 0:
		return DefaultTimeout
	case f.timeout < 0:
		return 0
	}
	return f.timeout
}
