//go:build js && wasm

package jsfetch

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"syscall/js"

	"github.com/stampede-playground/stampede/app/stampede"
)

// Fetch implements stampede.Fetcher: one GET of url, which the browser
// resolves against the page when it is relative.
//
// A cancelled ctx or the timeout aborts the request and Fetch returns an
// error wrapping ctx's error (context.Canceled or DeadlineExceeded). A
// non-2xx status returns a *stampede.HTTPError, a body over the limit an
// error wrapping stampede.ErrTooLarge, a refused or failed request an
// error wrapping ErrNetwork, and a redirect to another origin an error
// naming both origins.
func (f *Fetcher) Fetch(ctx context.Context, url string) (r stampede.Response, err error) {
	if err := ctx.Err(); err != nil {
		return stampede.Response{}, fmt.Errorf("jsfetch: GET %s: %w", url, err)
	}
	defer func() {
		// syscall/js panics with a js.Error when JavaScript throws.
		if p := recover(); p != nil {
			r, err = stampede.Response{}, fmt.Errorf("jsfetch: GET %s: %v", url, p)
		}
	}()

	parent := ctx
	timeout := f.TimeoutDuration()
	var cancel context.CancelFunc
	if timeout > 0 {
		ctx, cancel = context.WithTimeout(ctx, timeout)
	} else {
		ctx, cancel = context.WithCancel(ctx)
	}
	// Ending ctx aborts the request (see fetch), so whatever is still in
	// flight when Fetch returns, an unread error body for instance, is
	// dropped. Aborting a fetch that has completed does nothing.
	defer cancel()

	r, err = f.fetch(ctx, url)
	if err != nil && ctx.Err() != nil {
		// The request ended because ctx did, whatever the browser said.
		if perr := parent.Err(); perr != nil {
			return stampede.Response{}, fmt.Errorf("jsfetch: GET %s: %w", url, perr)
		}
		return stampede.Response{}, fmt.Errorf("jsfetch: GET %s: not done within the %v timeout: %w", url, timeout, ctx.Err())
	}
	return r, err
}

func (f *Fetcher) fetch(ctx context.Context, url string) (stampede.Response, error) {
	global := js.Global()
	if global.Get("fetch").Type() != js.TypeFunction {
		return stampede.Response{}, fmt.Errorf("jsfetch: GET %s: this JavaScript environment has no fetch", url)
	}
	wantOrigin, err := originOf(url)
	if err != nil {
		return stampede.Response{}, fmt.Errorf("jsfetch: GET %s: %w", url, err)
	}

	controller := global.Get("AbortController").New()
	context.AfterFunc(ctx, func() { controller.Call("abort") })
	init := js.ValueOf(map[string]any{
		"method":      "GET",
		"cache":       "no-store", // really hit the network: the log must tell the truth
		"credentials": "same-origin",
		"redirect":    "follow",
		"signal":      controller.Get("signal"),
	})
	resp, err := await(ctx, global.Call("fetch", url, init))
	if err != nil {
		var jerr *jsError
		if errors.As(err, &jerr) {
			// fetch rejects with a TypeError and, on purpose, no detail
			// when the network fails or CORS refuses the response.
			return stampede.Response{}, fmt.Errorf("jsfetch: GET %s: %w (%v)", url, ErrNetwork, jerr)
		}
		return stampede.Response{}, fmt.Errorf("jsfetch: GET %s: %w", url, err)
	}

	// redirect: "follow" follows any redirect; refuse one that left the
	// origin asked for. An empty url is a synthetic response, e.g. from a
	// service worker, that came from no redirect.
	if final := resp.Get("url").String(); final != "" {
		finalOrigin, err := originOf(final)
		if err != nil {
			return stampede.Response{}, fmt.Errorf("jsfetch: GET %s: final URL %s: %w", url, final, err)
		}
		if finalOrigin != wantOrigin {
			return stampede.Response{}, fmt.Errorf("jsfetch: GET %s: refused a redirect to another origin: asked %s, redirected to %s (%s)", url, wantOrigin, finalOrigin, final)
		}
	}

	status := resp.Get("status").Int()
	if status < 200 || status > 299 {
		return stampede.Response{}, &stampede.HTTPError{URL: url, Status: status, Text: resp.Get("statusText").String()}
	}

	headers := resp.Get("headers")
	limit := f.MaxBodySize()
	hint := 0
	if cl := header(headers, "content-length"); cl != "" {
		// Content-Length is the size on the wire, compressed or not, so
		// it only rules out early; the reader below enforces the limit.
		if n, err := strconv.ParseInt(cl, 10, 64); err == nil {
			if n > int64(limit) {
				return stampede.Response{}, fmt.Errorf("jsfetch: GET %s: Content-Length %d is over the %d-byte limit: %w", url, n, limit, stampede.ErrTooLarge)
			}
			hint = int(n)
		}
	}
	body, err := readBody(ctx, resp, limit, hint)
	if err != nil {
		return stampede.Response{}, fmt.Errorf("jsfetch: GET %s: %w", url, err)
	}
	return stampede.Response{
		URL:         url,
		Status:      status,
		ContentType: header(headers, "content-type"),
		Body:        body,
	}, nil
}

// readBody reads resp's body, at most limit bytes, chunk by chunk from its
// stream, or with arrayBuffer() when there is no stream. hint is the
// expected size.
func readBody(ctx context.Context, resp js.Value, limit, hint int) ([]byte, error) {
	stream := resp.Get("body")
	if stream.Truthy() && stream.Get("getReader").Type() == js.TypeFunction {
		return readStream(ctx, stream.Call("getReader"), limit, hint)
	}
	buf, err := await(ctx, resp.Call("arrayBuffer"))
	if err != nil {
		return nil, readError(err)
	}
	u8 := js.Global().Get("Uint8Array").New(buf)
	n := u8.Get("length").Int()
	if n > limit {
		return nil, fmt.Errorf("body of %d bytes is over the %d-byte limit: %w", n, limit, stampede.ErrTooLarge)
	}
	b := make([]byte, n)
	js.CopyBytesToGo(b, u8)
	return b, nil
}

func readStream(ctx context.Context, reader js.Value, limit, hint int) ([]byte, error) {
	b := make([]byte, 0, hint)
	for {
		res, err := await(ctx, reader.Call("read"))
		if err != nil {
			return nil, readError(err)
		}
		if res.Get("done").Bool() {
			return b, nil
		}
		chunk := res.Get("value") // a Uint8Array
		n := chunk.Get("length").Int()
		if len(b)+n > limit {
			// Stop the download now; Fetch's abort then finds it done.
			reader.Call("cancel")
			return nil, fmt.Errorf("body is over the %d-byte limit: %w", limit, stampede.ErrTooLarge)
		}
		b = slices.Grow(b, n)[:len(b)+n]
		js.CopyBytesToGo(b[len(b)-n:], chunk)
	}
}

func readError(err error) error {
	var jerr *jsError
	if errors.As(err, &jerr) {
		return fmt.Errorf("reading the body: %w (%v)", ErrNetwork, jerr)
	}
	return err
}

// header returns the value of the header name, or "" when there is none
// (Headers.get returns null then).
func header(headers js.Value, name string) string {
	v := headers.Call("get", name)
	if v.Type() != js.TypeString {
		return ""
	}
	return v.String()
}

// originOf returns the origin of url resolved against the page, as the
// browser's URL parser sees it.
func originOf(url string) (origin string, err error) {
	defer func() {
		if p := recover(); p != nil {
			origin, err = "", fmt.Errorf("invalid URL: %v", p)
		}
	}()
	urlType := js.Global().Get("URL")
	var u js.Value
	if loc := js.Global().Get("location"); loc.Truthy() {
		u = urlType.New(url, loc.Get("href"))
	} else {
		u = urlType.New(url)
	}
	return u.Get("origin").String(), nil
}

// jsError is a JavaScript value a promise rejected with.
type jsError struct {
	Name, Message string
}

func (e *jsError) Error() string {
	if e.Message == "" {
		return e.Name
	}
	return e.Name + ": " + e.Message
}

func toJSError(v js.Value) *jsError {
	if v.Type() == js.TypeObject {
		name, msg := v.Get("name"), v.Get("message")
		if name.Type() == js.TypeString {
			e := &jsError{Name: name.String()}
			if msg.Type() == js.TypeString {
				e.Message = msg.String()
			}
			return e
		}
	}
	return &jsError{Name: js.Global().Get("String").Invoke(v).String()}
}

type settled struct {
	v        js.Value
	rejected bool
}

// await waits until the promise p settles or ctx ends. A rejection is
// returned as a *jsError, the end of ctx as ctx.Err().
//
// The callbacks never block: they send on a buffered channel, which a
// promise fills at most once, and release both functions, because once
// the promise has settled neither is called again. If ctx ends first the
// functions stay registered until the promise settles; the callers abort
// the request then, which settles every promise they wait on.
func await(ctx context.Context, p js.Value) (js.Value, error) {
	done := make(chan settled, 1)
	var onFulfilled, onRejected js.Func
	settle := func(s settled) {
		done <- s
		onFulfilled.Release()
		onRejected.Release()
	}
	onFulfilled = js.FuncOf(func(_ js.Value, args []js.Value) any {
		settle(settled{v: firstArg(args)})
		return nil
	})
	onRejected = js.FuncOf(func(_ js.Value, args []js.Value) any {
		settle(settled{v: firstArg(args), rejected: true})
		return nil
	})
	func() {
		defer func() {
			if p := recover(); p != nil {
				onFulfilled.Release()
				onRejected.Release()
				panic(p)
			}
		}()
		p.Call("then", onFulfilled, onRejected)
	}()

	select {
	case s := <-done:
		if s.rejected {
			return js.Undefined(), toJSError(s.v)
		}
		return s.v, nil
	case <-ctx.Done():
		return js.Undefined(), ctx.Err()
	}
}

func firstArg(args []js.Value) js.Value {
	if len(args) == 0 {
		return js.Undefined()
	}
	return args[0]
}
