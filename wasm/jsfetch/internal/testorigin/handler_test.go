//go:build !js

package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestOrigin(t *testing.T) {
	ts := httptest.NewServer(&origin{})
	defer ts.Close()
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	tests := []struct {
		name, path string
		wantStatus int
		wantBody   string
		wantHeader map[string]string // "" means absent
	}{
		{"text", "/text?body=hi&type=text/x-test", 200, "hi", map[string]string{"Content-Type": "text/x-test", "Access-Control-Allow-Origin": "*"}},
		{"status 404", "/status/404", 404, "status 404", nil},
		{"status 500", "/status/500", 500, "status 500", nil},
		{"bad status", "/status/99", 400, "bad status\n", nil},
		{"bytes", "/bytes?n=5", 200, "xxxxx", map[string]string{"Content-Length": "5"}},
		{"bytes chunked", "/bytes?n=9000&chunked=1", 200, strings.Repeat("x", 9000), map[string]string{"Content-Length": ""}},
		{"bytes too many", "/bytes?n=-1", 400, "", nil},
		{"redirect", "/redirect?to=/text", 302, "", map[string]string{"Location": "/text"}},
		{"nocors", "/nocors?body=x", 200, "x", map[string]string{"Access-Control-Allow-Origin": ""}},
		{"unknown", "/nope", 404, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := noRedirect.Get(ts.URL + tt.path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status = %d; want %d", resp.StatusCode, tt.wantStatus)
			}
			if tt.wantBody != "" && string(body) != tt.wantBody {
				t.Errorf("body = %q; want %q", body, tt.wantBody)
			}
			for k, want := range tt.wantHeader {
				if got := resp.Header.Get(k); got != want {
					t.Errorf("header %s = %q; want %q", k, got, want)
				}
			}
		})
	}
}

func TestHangNotesAbort(t *testing.T) {
	ts := httptest.NewServer(&origin{})
	defer ts.Close()
	get := func(path string) string {
		resp, err := http.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", ts.URL+"/hang?id=a", nil)
	if _, err := http.DefaultClient.Do(req); err == nil {
		t.Fatal("/hang answered")
	}
	if got := get("/aborted?id=a"); got != "yes" {
		t.Errorf("/aborted?id=a = %q; want yes", got)
	}

	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	req, _ = http.NewRequestWithContext(ctx, "GET", ts.URL+"/hang?id=b&after=headers", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := io.ReadFull(resp.Body, make([]byte, 1024)); n != 1024 {
		t.Errorf("read %d bytes before the hang; want 1024", n)
	}
	cancel()
	resp.Body.Close()
	if got := get("/aborted?id=b"); got != "yes" {
		t.Errorf("/aborted?id=b = %q; want yes", got)
	}
}

func TestDeadAddr(t *testing.T) {
	addr, err := deadAddr()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := http.Get("http://" + addr + "/"); err == nil {
		t.Errorf("something answered on %s", addr)
	}
}
