//go:build !(js && wasm)

package e2e

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestTimeline runs 1,000 workers through window.stampede.run, checks the
// timeline drew them as one band, steps the replay by keyboard, and
// takes timeline.png of the seed preset at 1280x720.
func TestTimeline(t *testing.T) {
	_, dist := buildSite(t)
	h := newHarness(t, chromiumPath(t), dist)

	t.Run("1000 workers", h.checkTimelineThousand)
	t.Run("replay by keyboard", h.checkReplayKeys)
	t.Run("views out of sight wait for the run's end", h.checkOutOfSight)
	t.Run("screenshot", h.checkTimelineScreenshot)
}

// timelineInfo is what the page's timeline shows.
type timelineInfo struct {
	Section  bool           `json:"section"`
	SVGNS    string         `json:"svgNS"`
	Lanes    []string       `json:"lanes"`
	Counts   map[string]int `json:"counts"`
	Fetches  int            `json:"fetches"`
	Rendered bool           `json:"rendered"` // a fetch bar has a size: SVG really renders
	Links    int            `json:"links"`
	Rects    int            `json:"rects"`
	Fill     string         `json:"fill"` // a fetch bar's computed fill: the CSS applies
}

const timelineJS = `(() => {
	const s = document.querySelector("section#timeline");
	if (!s) return {section: false};
	const svg = s.querySelector("svg");
	const lanes = [...s.querySelectorAll("[data-worker]")];
	const counts = {};
	for (const l of lanes) if (l.dataset.count) counts[l.dataset.worker] = +l.dataset.count;
	const fetch = s.querySelector('rect[data-kind="fetch"]');
	const box = fetch ? fetch.getBoundingClientRect() : null;
	return {
		section: true,
		svgNS: svg ? svg.namespaceURI : "",
		lanes: lanes.map(l => l.dataset.worker),
		counts,
		fetches: s.querySelectorAll('rect[data-kind="fetch"]').length,
		rendered: !!box && box.width > 0 && box.height > 0,
		links: s.querySelectorAll('path[data-kind="link"]').length,
		rects: s.querySelectorAll("rect").length,
		fill: fetch ? getComputedStyle(fetch).fill : "",
	};
})()`

func (h *harness) timeline(t *testing.T) timelineInfo {
	t.Helper()
	return eval[timelineInfo](t, h, timelineJS, settle)
}

func (h *harness) checkTimelineThousand(t *testing.T) {
	h.srv.Reset()
	sc := "crowd x1000: get data/a.json\nparse_stuff: get data/b.json\ndo_work: fetch data/other.json; work 50ms"
	st := h.mustRun(t, map[string]any{"scenario": sc, "strategy": "keyed", "latency": "50ms", "fresh": true})
	if st.Workers != 1002 || st.Fetches != 3 || st.Errors != 0 {
		t.Errorf("stats %+v; want 1002 workers, 3 fetches, no errors", st)
	}
	h.runStats(t, "done", st.RunID, settle)
	info := h.timeline(t)
	t.Logf("timeline: %d lanes %v, counts %v, %d fetch bars, %d links, %d rects, fill %s",
		len(info.Lanes), info.Lanes, info.Counts, info.Fetches, info.Links, info.Rects, info.Fill)
	if !info.Section {
		t.Fatal("no section#timeline")
	}
	if info.SVGNS != "http://www.w3.org/2000/svg" {
		t.Errorf("the svg's namespace is %q: go-app made an HTML element", info.SVGNS)
	}
	if info.Counts["crowd"] != 1000 {
		t.Errorf("band counts %v; want crowd with data-count=1000", info.Counts)
	}
	want := map[string]bool{"crowd": true, "parse_stuff": true, "do_work": true}
	for _, l := range info.Lanes {
		delete(want, l)
	}
	if len(want) > 0 || len(info.Lanes) != 3 {
		t.Errorf("lanes %v; want crowd, parse_stuff, do_work", info.Lanes)
	}
	if info.Fetches < 1 || !info.Rendered {
		t.Errorf("%d fetch bars, rendered %v; want at least one with a size", info.Fetches, info.Rendered)
	}
	// The drawing caps itself at 1,200 bars plus a background per lane
	// (timeline.go); how many merge depends on the machine's timing.
	if info.Rects > 1200+80 {
		t.Errorf("%d rects for 3 lanes; want the drawing bounded", info.Rects)
	}
	if info.Fill == "" || info.Fill == "rgb(0, 0, 0)" {
		t.Errorf("fetch bar fill %q: the timeline's CSS does not apply", info.Fill)
	}
}

// replayState is the replay controls and the counters.
type replayInfo struct {
	Pos      string `json:"pos"`
	Max      string `json:"max"`
	Disabled bool   `json:"disabled"`
	Requests string `json:"requests"`
	Active   string `json:"active"`
	Cursor   bool   `json:"cursor"`
	At       string `json:"at"`
}

const replayJS = `(() => {
	const r = document.getElementById("replay-pos");
	return {
		pos: r.value, max: r.max, disabled: r.disabled,
		requests: document.querySelector("#count-requests dd").textContent.trim(),
		active: document.activeElement ? document.activeElement.id : "",
		cursor: !!document.getElementById("timeline-cursor"),
		at: document.getElementById("replay-at").textContent,
	};
})()`

func (h *harness) replay(t *testing.T) replayInfo {
	t.Helper()
	return eval[replayInfo](t, h, replayJS, settle)
}

// waitReplay polls until the page shows the cursor at pos: the range's
// value and the readout under it (the range moves by itself on a key; the
// readout only once the page has handled it).
func (h *harness) waitReplay(t *testing.T, pos int, requests func(string) bool) replayInfo {
	t.Helper()
	deadline := time.Now().Add(settle)
	for {
		r := h.replay(t)
		if (r.Pos == strconv.Itoa(pos) && strings.HasPrefix(r.At, fmt.Sprintf("event %d of", pos)) && requests(r.Requests)) || time.Now().After(deadline) {
			return r
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// The counters follow the cursor too, drawn after the views that draw
// the run (#run-stats waits for them): waitReplay waits for them with
// these.
func requestsAre(n string) func(string) bool { return func(s string) bool { return s == n } }
func someRequests(s string) bool             { return s != "0" && s != "" }

func (h *harness) checkReplayKeys(t *testing.T) {
	st := h.mustRun(t, map[string]any{"scenario": "a: get data/a.json\nb: get data/a.json", "strategy": "lock", "latency": "20ms", "fresh": true})
	h.runStats(t, "done", st.RunID, settle)
	// The replay's controls are drawn with the run's last batch; wait for
	// them to show the whole run.
	var r replayInfo
	var n int
	for deadline := time.Now().Add(settle); ; time.Sleep(50 * time.Millisecond) {
		r = h.replay(t)
		n, _ = strconv.Atoi(r.Max)
		if (!r.Disabled && n >= 8 && r.Pos == r.Max && r.Requests == "2") || time.Now().After(deadline) {
			break
		}
	}
	if r.Disabled || n < 8 || r.Pos != r.Max || r.Requests != "2" {
		t.Fatalf("after the run: %+v; want enabled at the end with 2 requests", r)
	}
	ctx, cancel := context.WithTimeout(h.ctx, 4*settle)
	defer cancel()
	// Home is the range's own key: the cursor goes to 0, no requests.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById("replay-pos").focus(), true`)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Home)); err != nil {
		t.Fatal(err)
	}
	r = h.waitReplay(t, 0, requestsAre("0"))
	if r.Pos != "0" || r.Requests != "0" || !r.Cursor {
		t.Fatalf("at the start: %+v; want pos 0, 0 requests, a cursor line", r)
	}
	// ArrowRight steps one event: the first is a request.
	for i := 1; i <= 2; i++ {
		if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.ArrowRight)); err != nil {
			t.Fatal(err)
		}
		r = h.waitReplay(t, i, someRequests)
		t.Logf("after → ×%d: %+v", i, r)
		if r.Pos != strconv.Itoa(i) || r.Active != "replay-pos" {
			t.Fatalf("after %d ArrowRight: %+v; want pos %d, focus kept on #replay-pos", i, r, i)
		}
	}
	if r.Requests == "0" {
		t.Errorf("counters did not follow the cursor: %+v", r)
	}
	if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.ArrowLeft)); err != nil {
		t.Fatal(err)
	}
	if r = h.waitReplay(t, 1, requestsAre("1")); r.Pos != "1" || r.Requests != "1" {
		t.Errorf("after ←: %+v; want pos 1 and 1 request", r)
	}
}

func (h *harness) checkTimelineScreenshot(t *testing.T) {
	ctx, cancel := context.WithTimeout(h.ctx, appLoad+30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 720)); err != nil {
		t.Fatal(err)
	}
	h.srv.Reset()
	if err := chromedp.Do(ctx, chromedp.Navigate(h.url+"/?preset=seed&strategy=lock&run=1&fresh=1")); err != nil {
		t.Fatal(err)
	}
	attrs := h.runStats(t, "done", "", appLoad)
	if attrs["fetches"] != "2" || attrs["deduped"] != "1" {
		t.Errorf("seed: %v; want 2 fetches, 1 deduped", attrs)
	}
	info := h.timeline(t)
	if info.Links != 1 || len(info.Lanes) != 3 {
		t.Errorf("seed timeline: %+v; want 3 lanes and one link", info)
	}
	// Scroll the timeline into view, then let it paint.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById("results").scrollIntoView({block: "start"}), true`)); err != nil {
		t.Fatal(err)
	}
	h.saveScreenshot(t, ctx, "timeline.png")
}

// sightRun is what checkOutOfSight reads: each draw turn (the view, and
// when it began, ms from the run's call) and the page after the run.
type sightRun struct {
	Layout map[string]float64 `json:"layout"` // the view's tops, and the window's height
	Turns  [][2]any           `json:"turns"`
	EndMs  float64            `json:"endMs"`
	Lines  int                `json:"lines"`
	Reqs   int                `json:"requests"`
}

// checkOutOfSight: in a window too short (120 px) to show the log and the
// cache inspector, a run's log and cache inspector do not draw while it goes
// on (Env.OnScreen, an IntersectionObserver), the timeline in sight
// does, and at the run's end every view shows the run. The run waits
// 1.5 s for its fetches; a view that drew during it drew before +1 s.
func (h *harness) checkOutOfSight(t *testing.T) {
	ctx, cancel := context.WithTimeout(h.ctx, runTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 120)); err != nil {
		t.Fatal(err)
	}
	defer chromedp.Do(h.ctx, chromedp.EmulateViewport(1280, 800))
	r := eval[sightRun](t, h, `(async () => {
		window.scrollTo(0, 0);
		// Let the observers see the new viewport.
		await new Promise(r => requestAnimationFrame(() => setTimeout(r, 200)));
		const top = id => Math.round(document.getElementById(id).getBoundingClientRect().top);
		const layout = {height: innerHeight, timeline: top("timeline"), log: top("log-panel"), cache: top("cache")};
		const t0 = performance.now();
		const s = await window.stampede.run({scenario: "a x4: get data/a.json\nb x4: get data/b.json", strategy: "keyed", latency: "1500ms", fresh: true});
		const turns = performance.getEntriesByType("measure")
			.filter(m => m.name.startsWith("stampede:turn ") && m.startTime >= t0)
			.map(m => [m.name.slice(14), m.startTime - t0]);
		return {layout, turns, endMs: performance.now() - t0, lines: document.querySelectorAll("#log .line").length, requests: s.requests};
	})()`, runTimeout)
	// OnScreen's margin is 200 px: the log and the cache inspector must
	// start below it, the timeline above it.
	if edge := r.Layout["height"] + 200; r.Layout["log"] <= edge || r.Layout["cache"] <= edge || r.Layout["timeline"] >= edge {
		t.Fatalf("layout %v: want the timeline in sight (top above %.0f), the log and the cache inspector out of it", r.Layout, edge)
	}
	early := map[string]int{}
	late := map[string]int{}
	for _, tn := range r.Turns {
		view, _ := tn[0].(string)
		at, _ := tn[1].(float64)
		if at < 1000 {
			early[view]++
		} else {
			late[view]++
		}
	}
	t.Logf("layout %v; turns before +1 s: %v; after: %v; the run resolved at +%.0f ms", r.Layout, early, late, r.EndMs)
	for _, v := range []string{"logPanel", "cacheInspector"} {
		if early[v] > 0 {
			t.Errorf("%s, out of sight, drew %d times while the run went on", v, early[v])
		}
	}
	if early["replayPanel"]+early["timeline"] == 0 {
		t.Errorf("the timeline, in sight, never drew while the run went on: turns %v", r.Turns)
	}
	if late["logPanel"] == 0 {
		t.Errorf("the log never drew the run's end: turns %v", r.Turns)
	}
	if r.Reqs != 8 || r.Lines < 8 {
		t.Errorf("after the run: %d requests, %d log lines; want 8 requests, a line for each at least", r.Reqs, r.Lines)
	}
}
