//go:build !(js && wasm)

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// compareRow is one row of <table id="compare">, as the page shows it:
// the data- attributes and the numbers in the cells.
type compareRow struct {
	Strategy  string  `json:"strategy"`
	Verdict   string  `json:"verdict"`
	Fetches   int     `json:"fetches"`
	Deduped   int     `json:"deduped"`
	Errors    int     `json:"errors"`
	WallMs    float64 `json:"wallMs"`
	MaxWaitMs float64 `json:"maxWaitMs"`
	RunID     string  `json:"runId"`
	// The cells' text.
	CellFetches int `json:"cellFetches"`
	CellDeduped int `json:"cellDeduped"`
	CellErrors  int `json:"cellErrors"`
	Rects       int `json:"rects"` // shapes in its small timeline
}

// compareStats is one element of window.stampede.compare's result.
type compareStats struct {
	stats
	MaxWaitMs float64 `json:"maxWaitMs"`
	Stopped   bool    `json:"stopped"`
}

// compareTimeout bounds one compare: eight runs of 20 workers.
const compareTimeout = 3 * time.Minute

// TestCompare runs a compare from the button and one from the API. The
// two are different runs: how many fetches a stampede makes depends on
// when each worker gets to its second URL (TestCompare once failed,
// under load, expecting the button's none to equal the API's, 40 and
// 31), so the two are held to what the lesson fixes: one fetch per URL
// where a lock or a flight deduplicates, a stampede where nothing does,
// and each compare's rows adding up to what the server received.
func TestCompare(t *testing.T) {
	_, dist := buildSite(t)
	h := newHarness(t, chromiumPath(t), dist)

	// A run puts the scenario in the editor and gives the downloads a log.
	last := h.mustRun(t, map[string]any{"scenario": twoURLs, "strategy": "keyed", "latency": "100ms", "fresh": true})

	// The button. Every state #compare-status passes through is recorded
	// in the page, so a compare that ends before a poll looks still shows
	// it was running.
	h.srv.Reset()
	ctx, cancel := context.WithTimeout(h.ctx, 2*compareTimeout)
	defer cancel()
	eval[bool](t, h, `(() => {
		const view = document.getElementById("compare-view");
		const state = () => { const el = document.getElementById("compare-status"); return el ? el.dataset.state + ": " + el.textContent : "none"; };
		window.__compareStates = [state()];
		new MutationObserver(() => {
			const s = state();
			if (window.__compareStates[window.__compareStates.length - 1] !== s) window.__compareStates.push(s);
		}).observe(view, {attributes: true, childList: true, characterData: true, subtree: true});
		return true;
	})()`, settle)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("compare-run"))); err != nil {
		t.Fatal(err)
	}
	h.compareState(t, "done")
	states := eval[[]string](t, h, `window.__compareStates`, settle)
	t.Logf("#compare-status went through %q", states)
	if !slices.ContainsFunc(states, func(s string) bool { return strings.HasPrefix(s, "running: running none (1/") }) {
		t.Errorf("#compare-status never showed the compare running its first strategy: %q", states)
	}
	clicked := h.compareRows(t)
	a, b := h.dataCounts()
	checkCompare(t, "button", clicked, a+b)

	// The API, on the same scenario; a second call while it runs is refused.
	h.srv.Reset()
	type apiOut struct {
		Second  string         `json:"second"`
		Results []compareStats `json:"results"`
		Error   string         `json:"error"`
	}
	out, err := chromedp.Run(ctx, chromedp.Evaluate[apiOut](fmt.Sprintf(`(async () => {
		const first = window.stampede.compare({scenario: %q, latency: "100ms"});
		let second = "resolved";
		try { await window.stampede.compare({}); } catch (e) { second = e.message; }
		try { return {second, results: await first}; } catch (e) { return {second, error: e.message}; }
	})()`, twoURLs), chromedp.EvalAwaitPromise))
	if err != nil {
		h.dumpPage(t)
		t.Fatal(err)
	}
	if out.Error != "" {
		t.Fatalf("window.stampede.compare rejected: %s", out.Error)
	}
	if out.Second != "a run is already in progress" {
		t.Errorf("a second compare while one runs: %q; want the rejection \"a run is already in progress\"", out.Second)
	}
	a, b = h.dataCounts()
	apiRows := h.compareRows(t)
	checkCompare(t, "API", apiRows, a+b)

	// The table equals the API's result, row for row, as it is drawn from it.
	// The button's compare ran the same strategies in the same order; its
	// numbers are its own runs' (checkCompare held both to the lesson).
	if len(out.Results) != len(apiRows) || len(clicked) != len(apiRows) {
		t.Fatalf("API returned %d stats, the table has %d rows (button: %d)", len(out.Results), len(apiRows), len(clicked))
	}
	for i, s := range out.Results {
		r := apiRows[i]
		if r.Strategy != s.Strategy || r.Fetches != s.Fetches || r.Deduped != s.Deduped || r.Errors != s.Errors ||
			r.WallMs != s.WallMs || r.MaxWaitMs != s.MaxWaitMs || r.RunID != s.RunID || s.Stopped {
			t.Errorf("row %d: table %+v, API %+v", i, r, s)
		}
		if c := clicked[i]; c.Strategy != s.Strategy {
			t.Errorf("row %d: the button's compare ran %s, the API's %s", i, c.Strategy, s.Strategy)
		}
	}

	// The downloads still hold the last Run, not the compare's runs.
	har := h.exportedHAR(t)
	if har != last.Fetches {
		t.Errorf("the HAR download has %d entries; the last run (%s) made %d fetches", har, last.RunID, last.Fetches)
	}

	h.compareScreenshot(t)
}

// checkCompare checks a compare's rows against the lesson and the
// server's count of what it received during the compare.
func checkCompare(t *testing.T, how string, rows []compareRow, served int) {
	t.Helper()
	want := []string{"none", "lock", "keyed", "singleflight", "percall", "crosstab", "swr", "xfetch"}
	if len(rows) != len(want) {
		t.Fatalf("%s: %d rows; want %d (%v)", how, len(rows), len(want), rows)
	}
	total := 0
	for i, r := range rows {
		t.Logf("%s: %+v", how, r)
		total += r.Fetches
		if r.Strategy != want[i] {
			t.Errorf("%s: row %d is %s; want %s", how, i, r.Strategy, want[i])
		}
		if r.CellFetches != r.Fetches || r.CellDeduped != r.Deduped || r.CellErrors != r.Errors {
			t.Errorf("%s: %s cells say %d/%d/%d, its data- attributes %d/%d/%d", how, r.Strategy,
				r.CellFetches, r.CellDeduped, r.CellErrors, r.Fetches, r.Deduped, r.Errors)
		}
		if r.Errors != 0 || r.Fetches+r.Deduped != requests {
			t.Errorf("%s: %s: %d fetches + %d deduped, %d errors; want %d requests, no error", how, r.Strategy, r.Fetches, r.Deduped, r.Errors, requests)
		}
		if r.Rects == 0 {
			t.Errorf("%s: %s's timeline is empty", how, r.Strategy)
		}
		switch r.Strategy {
		case "lock", "keyed", "singleflight", "crosstab", "swr", "xfetch":
			// swr and xfetch, with no ttl, are keyed on an empty cache.
			if r.Fetches != 2 || r.Verdict != "one-per-url" {
				t.Errorf("%s: %s made %d fetches (%s); want 2, one per distinct URL", how, r.Strategy, r.Fetches, r.Verdict)
			}
		default:
			// Every worker's first get misses at once: 20 fetches of
			// a.json whatever the timing, and at least one of b.json.
			// How many more of b.json depends on when each worker gets
			// there, so that number is not fixed.
			if r.Fetches < 21 || r.Verdict != "stampede" {
				t.Errorf("%s: %s made %d fetches (%s); want a stampede: at least 21 (all 20 workers' a.json, and b.json)", how, r.Strategy, r.Fetches, r.Verdict)
			}
		}
	}
	if total != served {
		t.Errorf("%s: the rows add up to %d fetches; the server received %d", how, total, served)
	}
}

// compareState waits until #compare-status has data-state=state and
// returns its text.
func (h *harness) compareState(t *testing.T, state string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(h.ctx, compareTimeout)
	defer cancel()
	text, err := chromedp.Run(ctx, poll[string](fmt.Sprintf(`(() => {
		const el = document.getElementById("compare-status");
		return el && el.dataset.state === %q ? el.textContent : null;
	})()`, state), chromedp.WithPollingInterval(20*time.Millisecond), chromedp.WithPollingTimeout(compareTimeout)))
	if err != nil {
		h.dumpPage(t)
		t.Fatalf("#compare-status never had data-state=%q: %v", state, err)
	}
	return text
}

// compareRows reads the compare table.
func (h *harness) compareRows(t *testing.T) []compareRow {
	t.Helper()
	ctx, cancel := context.WithTimeout(h.ctx, settle)
	defer cancel()
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[[]compareRow](`[...document.querySelectorAll("#compare tbody tr")].map(tr => ({
		strategy: tr.dataset.strategy,
		verdict: tr.dataset.verdict,
		fetches: Number(tr.dataset.fetches),
		deduped: Number(tr.dataset.deduped),
		errors: Number(tr.dataset.errors),
		wallMs: Number(tr.dataset.wallMs),
		maxWaitMs: Number(tr.dataset.maxWaitMs),
		runId: tr.dataset.runId,
		cellFetches: Number(tr.querySelector("td.fetches").textContent),
		cellDeduped: Number(tr.querySelector("td.deduped").textContent),
		cellErrors: Number(tr.querySelector("td.errors").textContent),
		rects: tr.querySelectorAll("svg rect").length,
	}))`))
	if err != nil {
		h.dumpPage(t)
		t.Fatal(err)
	}
	return rows
}

// exportedHAR clicks #export-har, catches the Blob the page downloads and
// returns the number of its entries.
func (h *harness) exportedHAR(t *testing.T) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(h.ctx, 2*settle)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => {
		window.__har = undefined;
		const orig = URL.createObjectURL;
		URL.createObjectURL = b => {
			URL.createObjectURL = orig;
			b.text().then(s => { window.__har = s; });
			return orig.call(URL, b);
		};
		document.getElementById("export-har").click();
		return true;
	})()`)); err != nil {
		t.Fatal(err)
	}
	text, err := chromedp.Run(ctx, poll[string](`window.__har || null`,
		chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(settle)))
	if err != nil {
		h.dumpPage(t)
		t.Fatalf("no HAR download: %v", err)
	}
	var har struct {
		Log struct {
			Version string            `json:"version"`
			Entries []json.RawMessage `json:"entries"`
		} `json:"log"`
	}
	if err := json.Unmarshal([]byte(text), &har); err != nil || har.Log.Version != "1.2" {
		t.Fatalf("the download is not a HAR 1.2 file (%v): %.200s", err, text)
	}
	return len(har.Log.Entries)
}

// compareScreenshot takes compare.png: the compare view at 1280x720.
func (h *harness) compareScreenshot(t *testing.T) {
	t.Helper()
	if t.Failed() {
		t.Fatal("not taking compare.png of a compare that failed its checks")
	}
	ctx, cancel := context.WithTimeout(h.ctx, 2*settle)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 720)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](
		`(document.getElementById("tools").scrollIntoView({block: "start"}), true)`)); err != nil {
		t.Fatal(err)
	}
	h.saveScreenshot(t, ctx, "compare.png")
}
