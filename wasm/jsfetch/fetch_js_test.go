//go:build js && wasm

package jsfetch

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"syscall/js"
	"testing"
	"time"

	"github.com/stampede-playground/stampede/app/stampede"
)

// testOrigins returns the test origin's address, another origin with the
// same handler and one where nothing listens, which testorigin (see
// internal/testorigin) exports when it wraps the test runner.
func testOrigins(t *testing.T) (origin, other, dead string) {
	t.Helper()
	origin = os.Getenv("STAMPEDE_TEST_ORIGIN")
	other = os.Getenv("STAMPEDE_TEST_OTHER_ORIGIN")
	dead = os.Getenv("STAMPEDE_TEST_DEAD_ORIGIN")
	if origin == "" || other == "" || dead == "" {
		const how = "run through the test origin: go build -o /tmp/testorigin ./wasm/jsfetch/internal/testorigin && " +
			`GOOS=js GOARCH=wasm go test -exec="/tmp/testorigin $(go env GOPATH)/bin/wasmbrowsertest" ./wasm/jsfetch`
		if testing.Short() {
			t.Skip("STAMPEDE_TEST_ORIGIN is not set; " + how)
		}
		t.Fatal("STAMPEDE_TEST_ORIGIN is not set; " + how)
	}
	return origin, other, dead
}

func get(t *testing.T, u string) string {
	t.Helper()
	r, err := New().Fetch(context.Background(), u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	return string(r.Body)
}

func TestFetchOK(t *testing.T) {
	origin, _, _ := testOrigins(t)
	u := origin + "/text?type=application/json&body=" + url.QueryEscape(`{"a":1}`)
	r, err := New().Fetch(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	if r.URL != u || r.Status != 200 || r.ContentType != "application/json" || string(r.Body) != `{"a":1}` {
		t.Errorf("got %+v (body %q); want 200 application/json {\"a\":1} from %s", r, r.Body, u)
	}
}

func TestFetchEmptyBody(t *testing.T) {
	origin, _, _ := testOrigins(t)
	r, err := New().Fetch(context.Background(), origin+"/text")
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != 200 || len(r.Body) != 0 {
		t.Errorf("got status %d, %d bytes; want 200, 0 bytes", r.Status, len(r.Body))
	}
}

// TestFetchRelative fetches a file of the test page's own server:
// relative URLs resolve against the page, and the origin check passes.
func TestFetchRelative(t *testing.T) {
	r, err := New().Fetch(context.Background(), "wasm_exec.js")
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != 200 || !strings.Contains(r.ContentType, "javascript") || !strings.Contains(string(r.Body), "Go") {
		t.Errorf("got status %d, type %q, %d bytes; want the page's wasm_exec.js", r.Status, r.ContentType, len(r.Body))
	}
}

func TestFetchHTTPError(t *testing.T) {
	origin, _, _ := testOrigins(t)
	for _, tt := range []struct {
		status int
		text   string
	}{
		{404, "Not Found"},
		{500, "Internal Server Error"},
		{503, "Service Unavailable"},
	} {
		t.Run(fmt.Sprint(tt.status), func(t *testing.T) {
			u := fmt.Sprintf("%s/status/%d", origin, tt.status)
			_, err := New().Fetch(context.Background(), u)
			var herr *stampede.HTTPError
			if !errors.As(err, &herr) {
				t.Fatalf("err = %v; want a *stampede.HTTPError", err)
			}
			if herr.Status != tt.status || herr.URL != u || herr.Text != tt.text {
				t.Errorf("got %+v; want status %d %q for %s", herr, tt.status, tt.text, u)
			}
		})
	}
}

func TestFetchTooLarge(t *testing.T) {
	origin, _, _ := testOrigins(t)
	for _, tt := range []struct {
		name    string
		limit   int // 0: default
		query   string
		tooMany bool
	}{
		{"at the limit", 1000, "n=1000", false},
		{"over by Content-Length", 1000, "n=1001", true},
		{"at the limit, streamed", 1000, "n=1000&chunked=1", false},
		{"over while streaming", 1000, "n=1001&chunked=1", true},
		{"default limit", 0, fmt.Sprintf("n=%d", stampede.DefaultMaxBody), false},
		{"over the default limit, streamed", 0, fmt.Sprintf("n=%d&chunked=1", 3*stampede.DefaultMaxBody), true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r, err := New(MaxBody(tt.limit)).Fetch(context.Background(), origin+"/bytes?"+tt.query)
			if tt.tooMany {
				if !errors.Is(err, stampede.ErrTooLarge) {
					t.Fatalf("err = %v; want ErrTooLarge", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := tt.limit
			if want == 0 {
				want = stampede.DefaultMaxBody
			}
			if len(r.Body) != want || strings.Trim(string(r.Body), "x") != "" {
				t.Errorf("got %d bytes; want %d x's", len(r.Body), want)
			}
		})
	}
}

// TestFetchCancel cancels a fetch waiting for the headers and one reading
// the body: Fetch returns at once with context.Canceled, and the server
// sees the request aborted.
func TestFetchCancel(t *testing.T) {
	origin, _, _ := testOrigins(t)
	for _, tt := range []struct{ name, query string }{
		{"before headers", ""},
		{"reading the body", "&after=headers"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			id := fmt.Sprintf("cancel-%d", time.Now().UnixNano())
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			errc := make(chan error, 1)
			go func() {
				_, err := New().Fetch(ctx, origin+"/hang?id="+id+tt.query)
				errc <- err
			}()
			time.Sleep(300 * time.Millisecond) // let the request reach the server
			cancelled := time.Now()
			cancel()
			select {
			case err := <-errc:
				if !errors.Is(err, context.Canceled) {
					t.Errorf("err = %v; want context.Canceled", err)
				}
				if d := time.Since(cancelled); d > 500*time.Millisecond {
					t.Errorf("Fetch returned %v after the cancel", d)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("Fetch did not return after the cancel")
			}
			if got := get(t, origin+"/aborted?id="+id); got != "yes" {
				t.Errorf("the server did not see the request aborted (%q)", got)
			}
		})
	}
}

func TestFetchCancelledBefore(t *testing.T) {
	origin, _, _ := testOrigins(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := New().Fetch(ctx, origin+"/text"); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v; want context.Canceled", err)
	}
}

func TestFetchTimeout(t *testing.T) {
	origin, _, _ := testOrigins(t)
	id := fmt.Sprintf("timeout-%d", time.Now().UnixNano())
	t0 := time.Now()
	_, err := New(Timeout(300*time.Millisecond)).Fetch(context.Background(), origin+"/hang?id="+id)
	took := time.Since(t0)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "300ms timeout") {
		t.Errorf("err = %v; want DeadlineExceeded naming the 300ms timeout", err)
	}
	if took < 300*time.Millisecond || took > 2*time.Second {
		t.Errorf("Fetch took %v; want about 300ms", took)
	}
	if got := get(t, origin+"/aborted?id="+id); got != "yes" {
		t.Errorf("the server did not see the request aborted (%q)", got)
	}
}

func TestFetchNetworkFailure(t *testing.T) {
	origin, _, dead := testOrigins(t)
	for _, u := range []string{
		dead + "/text",            // nothing listens
		origin + "/nocors?body=x", // CORS refuses the response
	} {
		_, err := New().Fetch(context.Background(), u)
		if !errors.Is(err, ErrNetwork) || !strings.Contains(err.Error(), u) {
			t.Errorf("GET %s: err = %v; want ErrNetwork naming the URL", u, err)
		}
	}
}

func TestFetchRedirect(t *testing.T) {
	origin, other, _ := testOrigins(t)
	if got := get(t, origin+"/redirect?to="+url.QueryEscape("/text?body=same")); got != "same" {
		t.Errorf("same-origin redirect: body %q; want %q", got, "same")
	}

	u := origin + "/redirect?to=" + url.QueryEscape(other+"/text?body=other")
	_, err := New().Fetch(context.Background(), u)
	if err == nil || !strings.Contains(err.Error(), origin) || !strings.Contains(err.Error(), other) || !strings.Contains(err.Error(), "another origin") {
		t.Errorf("cross-origin redirect: err = %v; want a refusal naming %s and %s", err, origin, other)
	}
}

func TestFetchConcurrent(t *testing.T) {
	origin, _, _ := testOrigins(t)
	f := New()
	var wg sync.WaitGroup
	for i := range 32 {
		wg.Go(func() {
			want := fmt.Sprint("body ", i)
			r, err := f.Fetch(context.Background(), origin+"/text?body="+url.QueryEscape(want))
			if err != nil || string(r.Body) != want {
				t.Errorf("fetch %d: %q, %v; want %q", i, r.Body, err, want)
			}
		})
	}
	wg.Wait()
}

// TestReadBodyArrayBuffer covers the fallback for a response without a
// body stream, with a stand-in response object.
func TestReadBodyArrayBuffer(t *testing.T) {
	data := js.Global().Get("Uint8Array").New(5)
	js.CopyBytesToJS(data, []byte("hello"))
	arrayBuffer := js.FuncOf(func(js.Value, []js.Value) any {
		return js.Global().Get("Promise").Call("resolve", data.Get("buffer"))
	})
	defer arrayBuffer.Release()
	resp := js.ValueOf(map[string]any{"body": nil, "arrayBuffer": arrayBuffer})

	b, err := readBody(context.Background(), resp, 5, 0)
	if err != nil || string(b) != "hello" {
		t.Errorf("readBody = %q, %v; want hello", b, err)
	}
	if _, err := readBody(context.Background(), resp, 4, 0); !errors.Is(err, stampede.ErrTooLarge) {
		t.Errorf("readBody over the limit: err = %v; want ErrTooLarge", err)
	}
}
