//go:build !js

package main

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// maxBytes caps what /bytes may be asked for.
const maxBytes = 64 << 20

// origin is the HTTP origin the browser tests fetch from. Every response
// allows any origin (CORS) unless the path says otherwise, because the test
// page is served by wasmbrowsertest from another port.
//
//	/text?body=B&type=T      200, body B, Content-Type T (default text/plain)
//	/status/N                status N with its status text
//	/bytes?n=N               N bytes with a Content-Length
//	/bytes?n=N&chunked=1     N bytes in flushed pieces, no Content-Length
//	/hang?id=I               never answers; notes when the client gives up
//	/hang?id=I&after=headers sends the headers and 1 KiB, then hangs
//	/aborted?id=I            "yes" once the client gave up /hang?id=I
//	                         (waits up to 5s), else "no"
//	/redirect?to=U           302 to U
//	/nocors                  200 without Access-Control-Allow-Origin
type origin struct {
	mu      sync.Mutex               // protects aborted
	aborted map[string]chan struct{} // hang id -> closed once the client gave up; lazily initialized
}

func (o *origin) abortedChan(id string) chan struct{} {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.aborted == nil {
		o.aborted = make(map[string]chan struct{})
	}
	c, ok := o.aborted[id]
	if !ok {
		c = make(chan struct{})
		o.aborted[id] = c
	}
	return c
}

func (o *origin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	if r.URL.Path != "/nocors" {
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Access-Control-Expose-Headers", "*")
	}
	h.Set("Cache-Control", "no-store")
	q := r.URL.Query()
	switch p := r.URL.Path; {
	case p == "/text" || p == "/nocors":
		typ := q.Get("type")
		if typ == "" {
			typ = "text/plain; charset=utf-8"
		}
		h.Set("Content-Type", typ)
		fmt.Fprint(w, q.Get("body"))

	case strings.HasPrefix(p, "/status/"):
		code, err := strconv.Atoi(strings.TrimPrefix(p, "/status/"))
		if err != nil || code < 200 || code > 599 {
			http.Error(w, "bad status", http.StatusBadRequest)
			return
		}
		h.Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(code)
		fmt.Fprintf(w, "status %d", code)

	case p == "/bytes":
		n, err := strconv.Atoi(q.Get("n"))
		if err != nil || n < 0 || n > maxBytes {
			http.Error(w, fmt.Sprintf("n must be a whole number up to %d", maxBytes), http.StatusBadRequest)
			return
		}
		h.Set("Content-Type", "application/octet-stream")
		chunked := q.Get("chunked") == "1"
		if !chunked {
			h.Set("Content-Length", strconv.Itoa(n))
		}
		piece := []byte(strings.Repeat("x", 4<<10))
		rc := http.NewResponseController(w)
		for n > 0 {
			k := min(n, len(piece))
			if _, err := w.Write(piece[:k]); err != nil {
				return // the client gave up
			}
			if chunked {
				_ = rc.Flush()
			}
			n -= k
		}

	case p == "/hang":
		id := q.Get("id")
		if q.Get("after") == "headers" {
			h.Set("Content-Type", "application/octet-stream")
			_, _ = w.Write(make([]byte, 1<<10))
			_ = http.NewResponseController(w).Flush()
		}
		select {
		case <-r.Context().Done():
			if id != "" {
				c := o.abortedChan(id)
				o.mu.Lock()
				select {
				case <-c:
				default:
					close(c)
				}
				o.mu.Unlock()
			}
		case <-time.After(time.Minute):
		}

	case p == "/aborted":
		h.Set("Content-Type", "text/plain; charset=utf-8")
		select {
		case <-o.abortedChan(q.Get("id")):
			fmt.Fprint(w, "yes")
		case <-time.After(5 * time.Second):
			fmt.Fprint(w, "no")
		case <-r.Context().Done():
		}

	case p == "/redirect":
		http.Redirect(w, r, q.Get("to"), http.StatusFound)

	default:
		http.NotFound(w, r)
	}
}
