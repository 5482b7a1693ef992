//go:build !(js && wasm)

package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestTimeline runs 1,000 workers and checks the timeline is drawn with
// the crowd as one band, replays the run from the keyboard, and writes
// docs/timeline.png of the seed preset.
func TestTimeline(t *testing.T) {
	chromium := chromiumPath(t)
	root, dist := buildSite(t)
	h := newHarness(t, chromium, dist)

	t.Run("1000 workers", func(t *testing.T) {
		h.srv.Reset()
		scenario := "parse_stuff: get data/a.json\nuse_stuff: get data/a.json\ndo_work: fetch data/b.json; work 100ms\ncrowd x997: get data/a.json"
		st := h.mustRun(t, map[string]any{"scenario": scenario, "strategy": "keyed", "latency": "100ms", "fresh": true})
		if st.Workers != 1000 || st.Fetches != 2 || st.Errors != 0 {
			t.Fatalf("1,000-worker run: %+v; want 1000 workers, 2 fetches, no errors", st)
		}
		type drawn struct {
			Lanes   []string `json:"lanes"`
			Crowd   string   `json:"crowd"`
			Fetches int      `json:"fetches"`
			Links   int      `json:"links"`
			Shapes  int      `json:"shapes"`
		}
		d := eval[drawn](t, h, `(() => {
			const s = document.querySelector("section#timeline");
			const lanes = [...s.querySelectorAll("[data-worker]")].map((g) => g.dataset.worker);
			const crowd = s.querySelector('[data-worker="crowd"]');
			return {
				lanes,
				crowd: crowd ? crowd.dataset.count : "",
				fetches: s.querySelectorAll('rect[data-k="fetch"]').length,
				links: s.querySelectorAll('line[data-k="link"]').length,
				shapes: s.querySelectorAll("svg *").length,
			};
		})()`, 10*time.Second)
		t.Logf("timeline of 1,000 workers: lanes %v, crowd band of %s, %d fetch bars, %d links, %d SVG elements", d.Lanes, d.Crowd, d.Fetches, d.Links, d.Shapes)
		if strings.Join(d.Lanes, ",") != "parse_stuff,use_stuff,do_work,crowd" {
			t.Errorf("lanes %v; want parse_stuff, use_stuff, do_work and the crowd band", d.Lanes)
		}
		if d.Crowd != "997" {
			t.Errorf("the crowd band counts %q workers; want 997", d.Crowd)
		}
		if d.Fetches < 2 {
			t.Errorf("%d fetch bars; want the 2 fetches drawn", d.Fetches)
		}
		if d.Links == 0 {
			t.Error("no link from a deduplicated answer to its fetch")
		}
		if d.Shapes > 3000 {
			t.Errorf("%d SVG elements for 1,000 workers: the timeline does not stay bounded", d.Shapes)
		}
	})

	t.Run("replay by keyboard", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(h.ctx, 30*time.Second)
		defer cancel()
		total := eval[int](t, h, `Number(document.getElementById("count-requests").querySelector("dd").innerText)`, time.Second)
		if err := chromedp.Do(ctx, chromedp.Focus(chromedp.ID("replay-step"))); err != nil {
			t.Fatal(err)
		}
		// The first step back enters the replay at the run's end; Home-like
		// seeking is the range input's: set it to 0 and step forward.
		if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.ArrowLeft)); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById("replay-label").innerText.includes("event ")`,
			chromedp.WithPollingTimeout(5*time.Second))); err != nil {
			t.Fatalf("after ArrowLeft the replay says %q; want the cursor's event",
				eval[string](t, h, `document.getElementById("replay-label").innerText`, time.Second))
		}
		if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.ID("replay-pos"), "0")); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById("replay-pos").dispatchEvent(new Event("input", {bubbles: true}))`)); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx, chromedp.Focus(chromedp.ID("replay-step"))); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 2; i++ { // request, then the next event
			if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.ArrowRight)); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById("replay-label").innerText.includes("event 2 of")`,
			chromedp.WithPollingTimeout(5*time.Second))); err != nil {
			t.Errorf("two steps from the start do not reach event 2: %v", err)
		}
		got := eval[int](t, h, `Number(document.getElementById("count-requests").querySelector("dd").innerText)`, time.Second)
		label := eval[string](t, h, `document.getElementById("replay-label").innerText`, time.Second)
		t.Logf("after two steps: %q, requests %d of %d", label, got, total)
		if !strings.Contains(label, "event 2 of") || got < 1 || got > 2 || total < 1000 {
			t.Errorf("after two steps: %q with %d requests counted (the run had %d); want event 2 and 1 or 2 requests", label, got, total)
		}
		cursor := eval[bool](t, h, `!!document.getElementById("timeline-cursor")`, time.Second)
		if !cursor {
			t.Error("the timeline draws no cursor during the replay")
		}
		// Space plays; after a moment the cursor has moved on.
		if err := chromedp.Do(ctx, chromedp.Focus(chromedp.ID("replay-pos")), chromedp.KeyEvent(" "), chromedp.Sleep(700*time.Millisecond)); err != nil {
			t.Fatal(err)
		}
		pos := eval[int](t, h, `Number(document.getElementById("replay-pos").value)`, time.Second)
		if pos <= 2 {
			t.Errorf("Space did not play the replay: the cursor is at %d", pos)
		}
	})

	t.Run("screenshot", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(h.ctx, appLoad+30*time.Second)
		defer cancel()
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 720)); err != nil {
			t.Fatal(err)
		}
		h.open(t, "/?preset=seed&strategy=lock&latency=200ms&fresh=1&run=1")
		attrs := h.runStats(t, "done", "", appLoad)
		if attrs["fetches"] != "2" || attrs["deduped"] != "1" {
			t.Fatalf("seed: %v", attrs)
		}
		links := eval[int](t, h, `document.querySelectorAll('#timeline line[data-k="link"]').length`, time.Second)
		if links != 1 {
			t.Errorf("the seed's timeline draws %d links; want use_stuff's hit joined to parse_stuff's fetch", links)
		}
		if err := chromedp.Do(ctx, chromedp.ScrollIntoView(chromedp.ID("timeline")), chromedp.Sleep(300*time.Millisecond)); err != nil {
			t.Fatal(err)
		}
		png, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.ID("results")))
		if err != nil || !isPNG(png) {
			t.Fatalf("screenshot: %v", err)
		}
		name := filepath.Join(root, "docs", "timeline.png")
		if err := os.WriteFile(name, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s (%d bytes)", name, len(png))
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800)); err != nil {
			t.Fatal(err)
		}
	})
}
