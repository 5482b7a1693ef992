//go:build js && wasm

package idbstore

import (
	"errors"
	"fmt"
	"math"
	"sync"
	"syscall/js"
	"time"

	"github.com/stampede-playground/stampede/app/stampede"
)

// encode returns the JavaScript entry for r:
// {url, body (Uint8Array), contentType, status, fetchedAt, storedAt,
// deltaMs, fetchedBy, runId, size}. fetchedAt and storedAt are
// milliseconds since the epoch (microseconds in the fraction, so that
// new Date(storedAt) reads them), or null for a zero time; deltaMs is
// r.Delta in milliseconds, with its fraction.
func encode(r stampede.Response) js.Value {
	body := js.Global().Get("Uint8Array").New(len(r.Body))
	js.CopyBytesToJS(body, r.Body)
	v := js.Global().Get("Object").New()
	v.Set("url", r.URL)
	v.Set("body", body)
	v.Set("contentType", r.ContentType)
	v.Set("status", r.Status)
	v.Set("fetchedAt", millis(r.FetchedAt))
	v.Set("storedAt", millis(r.StoredAt))
	v.Set("deltaMs", float64(r.Delta)/float64(time.Millisecond))
	v.Set("fetchedBy", r.FetchedBy)
	v.Set("runId", r.RunID)
	v.Set("size", len(r.Body))
	return v
}

// decode is encode's inverse. It tolerates missing fields, and a body
// stored as an ArrayBuffer. An entry without a storedAt field was
// written before schema 2, by an older page (the upgrade stamped those
// it found): it counts as stored at unstamped, the Store's open time, so
// that its time to live starts when this page loaded. A storedAt of null
// is a zero StoredAt, as it was put.
func decode(v js.Value, unstamped time.Time) (stampede.Response, error) {
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
		FetchedAt:   fromMillis(v.Get("fetchedAt")),
		StoredAt:    fromMillis(v.Get("storedAt")),
	}
	if v.Get("storedAt").IsUndefined() {
		r.StoredAt = unstamped
	}
	if f := v.Get("status"); f.Type() == js.TypeNumber {
		r.Status = f.Int()
	}
	if f := v.Get("deltaMs"); f.Type() == js.TypeNumber {
		r.Delta = time.Duration(math.Round(f.Float() * float64(time.Millisecond)))
	}
	body := v.Get("body")
	u8, ab := jsTypes()
	switch {
	case body.IsUndefined() || body.IsNull():
	case body.InstanceOf(u8): // what encode stores
		r.Body = make([]byte, body.Get("length").Int())
		js.CopyBytesToGo(r.Body, body)
	case body.InstanceOf(ab):
		body = u8.New(body)
		r.Body = make([]byte, body.Get("length").Int())
		js.CopyBytesToGo(r.Body, body)
	default:
		return stampede.Response{}, errors.New("stored body is not bytes")
	}
	return r, nil
}

// millis is t as milliseconds since the epoch, to the microsecond (a
// float64 holds today's microseconds exactly), or null for the zero time.
// The nanoseconds are dropped, never rounded up, so that a time read
// back is never after the time put.
func millis(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return float64(t.UnixMicro()) / 1000
}

// fromMillis is millis' inverse: the zero time for anything but a number.
func fromMillis(v js.Value) time.Time {
	if v.Type() != js.TypeNumber {
		return time.Time{}
	}
	return time.UnixMicro(int64(math.Round(v.Float() * 1000)))
}

// jsTypes are Uint8Array and ArrayBuffer, looked up once: decode runs on
// every cache hit.
var jsTypes = sync.OnceValues(func() (u8, ab js.Value) {
	return js.Global().Get("Uint8Array"), js.Global().Get("ArrayBuffer")
})
