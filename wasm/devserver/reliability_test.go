package devserver

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestReliabEndpoints: /status/ and /redirect/ are counted and refuse
// what they are not for; /slow/ counts the requests a client aborted.
func TestReliabEndpoints(t *testing.T) {
	s := New(site(t))
	ts := httptest.NewServer(s)
	defer ts.Close()
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	tests := []struct {
		path     string
		want     int
		location string
	}{
		{"/status/boom?code=500", 500, ""},
		{"/status/gone?code=410", 410, ""},
		{"/status/ok?code=200", 400, ""},
		{"/status/x?code=abc", 400, ""},
		{"/redirect/r?to=http://127.0.0.1:1/x", 302, "http://127.0.0.1:1/x"},
		{"/redirect/r?to=http://localhost:9/y", 302, "http://localhost:9/y"},
		{"/redirect/r?to=https://example.com/", 400, ""},
		{"/redirect/r?to=javascript:alert(1)", 400, ""},
	}
	for _, tt := range tests {
		resp, err := noFollow.Get(ts.URL + tt.path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.want || resp.Header.Get("Location") != tt.location {
			t.Errorf("GET %s = %d, Location %q; want %d, %q", tt.path, resp.StatusCode, resp.Header.Get("Location"), tt.want, tt.location)
		}
	}
	if got := s.Count("/status/boom"); got != 1 {
		t.Errorf("/status/boom counted %d times, want 1", got)
	}
	if got := s.Count("/redirect/r"); got != 4 {
		t.Errorf("/redirect/r counted %d times, want 4", got)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, ts.URL+"/slow/x?ms=5000", nil)
	if _, err := http.DefaultClient.Do(req); err == nil {
		t.Fatal("the aborted request got an answer")
	}
	deadline := time.Now().Add(3 * time.Second)
	for s.Aborted() != 1 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if s.Aborted() != 1 {
		t.Errorf("Aborted() = %d, want 1", s.Aborted())
	}
	s.Reset()
	if s.Aborted() != 0 {
		t.Error("Reset kept the aborted count")
	}
}
