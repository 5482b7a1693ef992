//go:build !(js && wasm)

package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stampede-playground/stampede/wasm/devserver"
)

// TestBrowsers runs the cross-browser suite, e2e/browsers/run.mjs, in
// Firefox ESR (over WebDriver BiDi, with puppeteer-core) and in WebKitGTK
// (WebKitWebDriver and MiniBrowser under xvfb-run, with
// selenium-webdriver), against the site buildSite built, served by the
// counting devserver. Each browser's checks come back as JSON lines and
// become subtests here: TestBrowsers/firefox/seed and so on.
//
// `make test` installs what it needs (make browsers): Debian's
// firefox-esr, webkit2gtk-driver and xvfb, and the suite's npm packages
// from its lockfile. A missing piece fails the test rather than skips it.
func TestBrowsers(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test: builds app.wasm and drives Firefox and WebKit; run without -short")
	}
	root, dist := buildSite(t)
	dir := filepath.Join(root, "e2e", "browsers")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "puppeteer-core")); err != nil {
		t.Fatalf("the suite's npm packages are not installed (%v): run `make browsers`", err)
	}
	node := lookPath(t, "node", "NODE")

	srv := devserver.New(dist)
	ts := httptest.NewServer(withAborted(srv))
	t.Cleanup(ts.Close)
	// 127.0.0.1 rather than localhost: one origin whatever the resolver
	// says, and a secure context (Web Locks, service workers) in each.
	url := strings.Replace(ts.URL, "localhost", "127.0.0.1", 1)

	for _, b := range []struct {
		name string
		cmd  func(script string) []string
	}{
		{"firefox", func(script string) []string {
			lookPath(t, "firefox-esr", "FIREFOX")
			return []string{node, script, "firefox"}
		}},
		{"webkit", func(script string) []string {
			lookPath(t, "WebKitWebDriver", "WEBKIT_DRIVER")
			xvfb := lookPath(t, "xvfb-run", "")
			// -a: a free display number, so two runs never collide.
			return []string{xvfb, "-a", "-s", "-screen 0 1440x1080x24", node, script, "webkit"}
		}},
	} {
		t.Run(b.name, func(t *testing.T) {
			srv.Reset()
			runSuite(t, dir, url, b.cmd(filepath.Join(dir, "run.mjs")))
		})
	}
}

// withAborted adds /_e2e/aborted to the devserver: how many /slow/
// requests the browser gave up on, for the Stop check.
func withAborted(srv *devserver.Server) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/_e2e/aborted" {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Cache-Control", "no-store")
			fmt.Fprintf(w, `{"aborted":%d}`, srv.Aborted())
			return
		}
		srv.ServeHTTP(w, r)
	})
}

// lookPath finds a program, by $env when set, and fails the test when it
// is missing.
func lookPath(t *testing.T, name, env string) string {
	t.Helper()
	if v := os.Getenv(env); env != "" && v != "" {
		name = v
	}
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s not found (%v): `make browsers` installs it", name, err)
	}
	return p
}

// checkLine is one check's outcome as run.mjs prints it.
type checkLine struct {
	Check string   `json:"check"`
	OK    bool     `json:"ok"`
	Ms    float64  `json:"ms"`
	Log   []string `json:"log"`
	Error string   `json:"error"`
}

// suiteTimeout bounds one browser's whole suite, against a hang (it takes
// about a minute); each of its waits has its own, shorter deadline.
const suiteTimeout = 20 * time.Minute

// runSuite runs argv (run.mjs for one browser) and turns each line it
// prints into a subtest.
func runSuite(t *testing.T, dir, url string, argv []string) {
	shots := shotsDir(t)
	ctx, cancel := context.WithTimeout(context.Background(), suiteTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "STAMPEDE_URL="+url, "STAMPEDE_SHOTS="+shots)
	// Its own process group, so a timeout ends the browser and the
	// driver it started too, not only node.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	stderr := new(syncBuffer)
	cmd.Stderr = stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatalf("%s: %v", strings.Join(argv, " "), err)
	}
	var lines []checkLine
	var other []string
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 0, 1<<20), 1<<20)
	for sc.Scan() {
		var l checkLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil || l.Check == "" {
			other = append(other, sc.Text())
			continue
		}
		lines = append(lines, l)
	}
	waitErr := cmd.Wait()
	t.Logf("%s: %v", strings.Join(argv, " "), time.Since(start).Round(time.Millisecond))
	if len(other) > 0 {
		t.Logf("its other output:\n%s", strings.Join(other, "\n"))
	}

	for _, l := range lines {
		t.Run(l.Check, func(t *testing.T) {
			t.Logf("took %.1f s", l.Ms/1000)
			for _, s := range l.Log {
				t.Log(s)
			}
			if !l.OK {
				t.Errorf("%s (after %.1f s)", l.Error, l.Ms/1000)
			}
		})
	}
	want := []string{"ready", "seed", "reload", "crosstab", "compare", "expiry", "lesson", "embed", "stop"}
	if len(lines) != len(want) || waitErr != nil || ctx.Err() != nil {
		t.Errorf("the suite ran %d of %d checks and exited with %v (timeout: %v); its stderr:\n%s",
			len(lines), len(want), waitErr, ctx.Err(), quietBrowser(stderr.String()))
	} else if t.Failed() {
		t.Logf("its stderr:\n%s", quietBrowser(stderr.String()))
	}
}

// quietBrowser keeps the end of a browser's chatter: the lines that say
// why it failed come last.
func quietBrowser(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 6000 {
		s = "…" + s[len(s)-6000:]
	}
	return s
}
