// Package devserver serves a built Stampede site the way `make serve` and
// the end-to-end tests need: the static files, app.wasm compressed with
// the right Content-Type, and a demo origin that answers slowly and
// counts what it really received, so a presenter can show the server saw
// one request where the page made fifty calls.
package devserver

import (
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// MaxSlow caps the delay /slow/ may be asked for.
const MaxSlow = 30 * time.Second

// Server serves dir and the demo origin. It is safe for concurrent use.
type Server struct {
	dir   string
	files http.Handler

	mu      sync.Mutex     // protects counts and aborted
	counts  map[string]int // request path -> requests received
	aborted int            // /slow/ requests the client gave up on before the answer
}

// New returns a Server for the site in dir.
func New(dir string) *Server {
	return &Server{dir: dir, files: http.FileServer(http.Dir(dir)), counts: map[string]int{}}
}

// Counts returns how many requests each counted path received: the
// playground's data files and the /slow/ demo origin.
func (s *Server) Counts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.counts))
	for k, v := range s.counts {
		out[k] = v
	}
	return out
}

// Count returns the requests received for one path.
func (s *Server) Count(p string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[p]
}

// Aborted returns how many /slow/ requests the client aborted (its
// connection or stream closed) before the answer was due: a stopped run's
// fetches must all end up here rather than run on.
func (s *Server) Aborted() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.aborted
}

// Reset forgets the counts.
func (s *Server) Reset() {
	s.mu.Lock()
	s.counts = map[string]int{}
	s.aborted = 0
	s.mu.Unlock()
}

func (s *Server) hit(p string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts[p]++
	return s.counts[p]
}

// counted reports whether requests to p are data requests worth counting,
// as opposed to the app's own files.
func counted(p string) bool {
	return strings.Contains(p, "/data/") || strings.Contains(p, "/slow/") ||
		strings.Contains(p, "/status/") || strings.Contains(p, "/redirect/")
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := path.Clean(r.URL.Path)
	switch {
	case strings.HasSuffix(p, "/_stampede/counts"):
		s.serveCounts(w, r)
		return
	case strings.HasSuffix(p, "/_stampede/reset"):
		if r.Method != http.MethodPost {
			http.Error(w, "reset wants POST", http.StatusMethodNotAllowed)
			return
		}
		s.Reset()
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if counted(p) {
		n := s.hit(p)
		w.Header().Set("Cache-Control", "no-store")
		if i := strings.Index(p, "/slow/"); i >= 0 {
			s.serveSlow(w, r, p[i+len("/slow/"):], n)
			return
		}
		if i := strings.Index(p, "/status/"); i >= 0 {
			serveStatus(w, r, p[i+len("/status/"):])
			return
		}
		if i := strings.Index(p, "/redirect/"); i >= 0 {
			serveRedirect(w, r, p[i+len("/redirect/"):])
			return
		}
	}
	if strings.HasSuffix(p, ".wasm") {
		s.serveWasm(w, r, p)
		return
	}
	if !counted(p) {
		w.Header().Set("Cache-Control", "no-cache")
	}
	s.files.ServeHTTP(w, r)
}

// serveSlow answers /slow/NAME?ms=N after N milliseconds.
func (s *Server) serveSlow(w http.ResponseWriter, r *http.Request, name string, hit int) {
	ms := 0
	if v := r.URL.Query().Get("ms"); v != "" {
		var err error
		ms, err = strconv.Atoi(v)
		if err != nil || ms < 0 || time.Duration(ms)*time.Millisecond > MaxSlow {
			http.Error(w, "ms must be a whole number of milliseconds from 0 to 30000", http.StatusBadRequest)
			return
		}
	}
	if name == "" || strings.Contains(name, "/") {
		http.Error(w, "want /slow/NAME?ms=N", http.StatusNotFound)
		return
	}
	t := time.NewTimer(time.Duration(ms) * time.Millisecond)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
		s.mu.Lock()
		s.aborted++
		s.mu.Unlock()
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"name": name, "ms": ms, "hit": hit})
}

// serveStatus answers /status/NAME?code=N with status N (400 to 599), so
// the playground can show a server error fanned out to its waiters.
func serveStatus(w http.ResponseWriter, r *http.Request, name string) {
	code, err := strconv.Atoi(r.URL.Query().Get("code"))
	if err != nil || code < 400 || code > 599 || name == "" || strings.Contains(name, "/") {
		http.Error(w, "want /status/NAME?code=N with N from 400 to 599", http.StatusBadRequest)
		return
	}
	http.Error(w, http.StatusText(code), code)
}

// serveRedirect answers /redirect/NAME?to=URL with a 302 to URL, which
// must be http(s) on a loopback host: the demo of a redirect to another
// origin, and no open redirect.
func serveRedirect(w http.ResponseWriter, r *http.Request, name string) {
	to, err := url.Parse(r.URL.Query().Get("to"))
	if err != nil || name == "" || strings.Contains(name, "/") || (to.Scheme != "http" && to.Scheme != "https") ||
		(to.Hostname() != "localhost" && !net.ParseIP(to.Hostname()).IsLoopback()) {
		http.Error(w, "want /redirect/NAME?to=URL with an http(s) URL on localhost", http.StatusBadRequest)
		return
	}
	http.Redirect(w, r, to.String(), http.StatusFound)
}

func (s *Server) serveCounts(w http.ResponseWriter, _ *http.Request) {
	counts := s.Counts()
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(counts)
}

// serveWasm serves app.wasm as application/wasm, so browsers compile it
// while it streams, from a precompressed .br or .gz file when the client
// accepts one.
func (s *Server) serveWasm(w http.ResponseWriter, r *http.Request, p string) {
	name := filepath.Join(s.dir, filepath.FromSlash(strings.TrimPrefix(p, "/")))
	w.Header().Set("Content-Type", "application/wasm")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Add("Vary", "Accept-Encoding")
	accept := r.Header.Get("Accept-Encoding")
	for _, enc := range []struct{ token, ext string }{{"br", ".br"}, {"gzip", ".gz"}} {
		if !strings.Contains(accept, enc.token) {
			continue
		}
		if f, err := os.Open(name + enc.ext); err == nil {
			defer f.Close()
			if st, err := f.Stat(); err == nil {
				w.Header().Set("Content-Encoding", enc.token)
				http.ServeContent(w, r, "", st.ModTime(), f)
				return
			}
		}
	}
	http.ServeFile(w, r, name)
}
