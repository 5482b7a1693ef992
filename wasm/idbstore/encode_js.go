//go:build js && wasm

package idbstore

import (
	"errors"
	"fmt"
	"syscall/js"
	"time"

	"github.com/stampede-playground/stampede/app/stampede"
)

// encode returns the JavaScript entry for r:
// {url, body (Uint8Array), contentType, status, fetchedAt (ms since the
// epoch, or null), fetchedBy, runId, size}.
func encode(r stampede.Response) js.Value {
	body := js.Global().Get("Uint8Array").New(len(r.Body))
	js.CopyBytesToJS(body, r.Body)
	v := js.Global().Get("Object").New()
	v.Set("url", r.URL)
	v.Set("body", body)
	v.Set("contentType", r.ContentType)
	v.Set("status", r.Status)
	if r.FetchedAt.IsZero() {
		v.Set("fetchedAt", js.Null())
	} else {
		v.Set("fetchedAt", r.FetchedAt.UnixMilli())
	}
	v.Set("fetchedBy", r.FetchedBy)
	v.Set("runId", r.RunID)
	v.Set("size", len(r.Body))
	return v
}

// decode is encode's inverse. It tolerates missing fields, and a body
// stored as an ArrayBuffer.
func decode(v js.Value) (stampede.Response, error) {
	if v.Type() != js.TypeObject {
		return stampede.Response{}, fmt.Errorf("stored value is a %v, not an entry", v.Type())
	}
	str := func(name string) string {
		if f := v.Get(name); f.Type() == js.TypeString {
			return f.String()
		}
		return ""
	}
	r := stampede.Response{
		URL:         str("url"),
		ContentType: str("contentType"),
		FetchedBy:   str("fetchedBy"),
		RunID:       str("runId"),
	}
	if f := v.Get("status"); f.Type() == js.TypeNumber {
		r.Status = f.Int()
	}
	if f := v.Get("fetchedAt"); f.Type() == js.TypeNumber {
		r.FetchedAt = time.UnixMilli(int64(f.Float()))
	}
	body := v.Get("body")
	switch {
	case body.IsUndefined() || body.IsNull():
	case body.InstanceOf(js.Global().Get("ArrayBuffer")):
		body = js.Global().Get("Uint8Array").New(body)
		fallthrough
	case body.InstanceOf(js.Global().Get("Uint8Array")):
		r.Body = make([]byte, body.Get("length").Int())
		js.CopyBytesToGo(r.Body, body)
	default:
		return stampede.Response{}, errors.New("stored body is not bytes")
	}
	return r, nil
}
