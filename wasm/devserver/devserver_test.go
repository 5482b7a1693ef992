package devserver

import (
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func site(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range map[string]string{
		"index.html":      "<html>stampede</html>",
		"data/a.json":     `{"a":1}`,
		"web/app.wasm":    "\x00asm-raw",
		"web/app.wasm.gz": gz(t, "\x00asm-raw"),
	} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func gz(t *testing.T, s string) string {
	var b strings.Builder
	zw := gzip.NewWriter(&b)
	_, _ = zw.Write([]byte(s))
	_ = zw.Close()
	return b.String()
}

func TestServer(t *testing.T) {
	s := New(site(t))
	ts := httptest.NewServer(s)
	defer ts.Close()
	tests := []struct {
		name, method, path, accept string
		wantStatus                 int
		wantType, wantEnc, wantIn  string
	}{
		{"data file", "GET", "/data/a.json", "", 200, "application/json", "", `{"a":1}`},
		{"page", "GET", "/", "", 200, "text/html", "", "stampede"},
		{"wasm raw", "GET", "/web/app.wasm", "", 200, "application/wasm", "", "asm-raw"},
		{"wasm gzip", "GET", "/web/app.wasm", "gzip, br", 200, "application/wasm", "gzip", ""},
		{"slow", "GET", "/slow/x?ms=30", "", 200, "application/json", "", `"hit":1`},
		{"slow under a sub-path", "GET", "/sub/slow/x?ms=0", "", 200, "application/json", "", `"hit":1`},
		{"slow bad ms", "GET", "/slow/x?ms=-1", "", 400, "", "", "whole number"},
		{"slow too long", "GET", "/slow/x?ms=999999", "", 400, "", "", "30000"},
		{"missing", "GET", "/data/none.json", "", 404, "", "", ""},
		{"reset wants POST", "GET", "/_stampede/reset", "", 405, "", "", ""},
		{"traversal", "GET", "/../../etc/passwd", "", 404, "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, ts.URL+tt.path, nil)
			req.Header.Set("Accept-Encoding", tt.accept)
			t0 := time.Now()
			resp, err := http.DefaultTransport.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d (%s)", resp.StatusCode, tt.wantStatus, body)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, tt.wantType) {
				t.Errorf("Content-Type %q, want %q", ct, tt.wantType)
			}
			if enc := resp.Header.Get("Content-Encoding"); enc != tt.wantEnc {
				t.Errorf("Content-Encoding %q, want %q", enc, tt.wantEnc)
			}
			if !strings.Contains(string(body), tt.wantIn) {
				t.Errorf("body %q does not contain %q", body, tt.wantIn)
			}
			if tt.name == "slow" && time.Since(t0) < 30*time.Millisecond {
				t.Errorf("slow answered after %v, before 30ms", time.Since(t0))
			}
		})
	}
	if got := s.Count("/data/a.json"); got != 1 {
		t.Errorf("count of /data/a.json = %d, want 1", got)
	}
	resp, err := http.Get(ts.URL + "/_stampede/counts")
	if err != nil {
		t.Fatal(err)
	}
	var counts map[string]int
	if err := json.NewDecoder(resp.Body).Decode(&counts); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if counts["/slow/x"] != 3 || counts["/data/a.json"] != 1 || counts["/"] != 0 {
		t.Errorf("counts = %v", counts)
	}
	resp, _ = http.Post(ts.URL+"/_stampede/reset", "", nil)
	resp.Body.Close()
	if len(s.Counts()) != 0 {
		t.Errorf("after reset, counts = %v", s.Counts())
	}
}
