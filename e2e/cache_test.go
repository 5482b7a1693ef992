//go:build !(js && wasm)

package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestCache drives the cache inspector (#cache) and the code panel
// (#code) in the built site: a run of two URLs lists both entries (rows
// with data-url), "view" shows a body as text, "delete" removes an entry
// so that the next run fetches that URL again and only that one. It
// takes screenshots of both panels, cache.png and code.png.
func TestCache(t *testing.T) {
	root, dist := buildSite(t)
	h := newHarness(t, chromiumPath(t), dist)

	const scenario = "w x5: get data/a.json; get data/b.json"
	opts := map[string]any{"scenario": scenario, "strategy": "keyed", "latency": "50ms", "fresh": true}
	h.srv.Reset()
	st := h.mustRun(t, opts)
	if st.Fetches != 2 || st.Errors != 0 {
		t.Fatalf("first run: %+v; want 2 fetches, no errors", st)
	}

	rows := h.cacheRows(t, func(urls []string) bool { return len(urls) == 2 })
	if fmt.Sprint(rows) != "[data/a.json data/b.json]" {
		t.Errorf("rows %v; want data/a.json and data/b.json in URL order", rows)
	}
	row, err := chromedp.Run(h.ctxT(t, settle), chromedp.Evaluate[map[string]string](`(() => {
		const tr = document.querySelector('#cache tr[data-url="data/a.json"]');
		return Object.assign({text: tr.innerText}, tr.dataset);
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(row["text"], "just now") && !strings.Contains(row["text"], " s ago") {
		t.Errorf("row text %q gives no age", row["text"])
	}
	if row["runId"] != st.RunID || row["size"] == "" || row["size"] == "0" || row["fetchedBy"] == "" {
		t.Errorf("row of data/a.json %v; want run %s, a size and a worker", row, st.RunID)
	}
	for _, want := range []string{"application/json", " B", "run-1", row["fetchedBy"]} {
		if !strings.Contains(row["text"], want) {
			t.Errorf("row text %q lacks %q", row["text"], want)
		}
	}

	t.Run("view shows the body as text", func(t *testing.T) {
		ctx := h.ctxT(t, 2*settle)
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#cache tr[data-url="data/a.json"] button.cache-view`))); err != nil {
			t.Fatal(err)
		}
		type body struct {
			Text     string `json:"text"`
			Children int    `json:"children"`
			URL      string `json:"url"`
		}
		got, err := chromedp.Run(ctx, poll[body](`(() => {
			const pre = document.querySelector("#cache-body .cache-text");
			if (!pre) return null;
			return {text: pre.textContent, children: pre.children.length,
				url: document.getElementById("cache-body").dataset.viewUrl};
		})()`, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(settle)))
		if err != nil {
			h.dumpPage(t)
			t.Fatalf("the body of data/a.json did not show: %v", err)
		}
		want, err := os.ReadFile(filepath.Join(root, "web", "data", "a.json"))
		if err != nil {
			t.Fatal(err)
		}
		if got.Text != string(want) || got.Children != 0 || got.URL != "data/a.json" {
			t.Errorf("view shows %+v; want the text of web/data/a.json %q and no elements", got, want)
		}
	})

	t.Run("screenshots", h.shootPanels)

	t.Run("delete removes the entry and the next run fetches it again", func(t *testing.T) {
		ctx := h.ctxT(t, 2*settle)
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#cache tr[data-url="data/b.json"] button.cache-delete`))); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx, chromedp.WaitNotPresent(chromedp.CSS(`#cache tr[data-url="data/b.json"]`))); err != nil {
			h.dumpPage(t)
			t.Fatalf("the row of data/b.json did not go: %v", err)
		}
		if rows := h.cacheRows(t, func(urls []string) bool { return len(urls) == 1 }); fmt.Sprint(rows) != "[data/a.json]" {
			t.Errorf("rows after delete %v; want only data/a.json", rows)
		}
		h.srv.Reset()
		again := opts
		again["fresh"] = false
		st := h.mustRun(t, again)
		a, b := h.dataCounts()
		if st.Fetches != 1 || a != 0 || b != 1 {
			t.Errorf("run after deleting data/b.json: %+v, server saw a.json %d, b.json %d; want fetches == 1, of b.json", st, a, b)
		}
		h.cacheRows(t, func(urls []string) bool { return len(urls) == 2 })
	})

	t.Run("code panel follows the strategy", func(t *testing.T) {
		ctx := h.ctxT(t, 3*settle)
		for _, s := range []struct{ strategy, goText, mirror string }{
			{"percall", "type perCallLocker struct{}", "BUG: a new lock on every call"},
			{"singleflight", "l.group.DoChan(url", "asyncio.create_task"},
		} {
			if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.ID("strategy"), s.strategy),
				chromedp.Evaluate[chromedp.Void](`document.getElementById("strategy").dispatchEvent(new Event("change", {bubbles: true}))`)); err != nil {
				t.Fatal(err)
			}
			expr := fmt.Sprintf(`(() => {
				const c = document.getElementById("code");
				return !!c && c.dataset.strategy === %q &&
					document.querySelector("#code-go code").textContent.includes(%q) &&
					document.querySelector("#code-mirror code").textContent.includes(%q);
			})()`, s.strategy, s.goText, s.mirror)
			if _, err := chromedp.Run(ctx, poll[bool](expr, chromedp.WithPollingInterval(50*time.Millisecond),
				chromedp.WithPollingTimeout(settle))); err != nil {
				h.dumpPage(t)
				t.Errorf("#code did not show %s's excerpts: %v", s.strategy, err)
			}
		}
	})
}

// ctxT is the tab's context with a deadline, cancelled when t ends.
func (h *harness) ctxT(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(h.ctx, d)
	t.Cleanup(cancel)
	return ctx
}

// cacheRows polls #cache's rows until ok accepts their data-url values.
func (h *harness) cacheRows(t *testing.T, ok func([]string) bool) []string {
	t.Helper()
	ctx := h.ctxT(t, 2*settle)
	var last []string
	deadline := time.Now().Add(settle)
	for {
		urls, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
			`[...document.querySelectorAll("#cache tr[data-url]")].map(tr => tr.dataset.url)`))
		if err != nil {
			t.Fatal(err)
		}
		last = urls
		if ok(urls) {
			return urls
		}
		if time.Now().After(deadline) {
			h.dumpPage(t)
			if c, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.getElementById("cache") || {}).outerHTML || "no #cache"`)); err == nil {
				t.Logf("#cache: %.3000s", c)
			}
			t.Fatalf("#cache rows %v never became what was wanted", last)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// shootPanels takes screenshots of #cache (with a body shown) and #code,
// and of the whole page (to see where the panels sit; the README does
// not show it).
func (h *harness) shootPanels(t *testing.T) {
	ctx := h.ctxT(t, 3*settle)
	h.painted(t)
	for name, sel := range map[string]string{"cache.png": "cache", "code.png": "code"} {
		png, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.ID(sel)))
		if err != nil {
			t.Fatalf("screenshot of #%s: %v", sel, err)
		}
		writeShot(t, name, png)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("full-page screenshot: %v", err)
	}
	if os.Getenv("STAMPEDE_SHOTS") == "" {
		writeShot(t, "cache-page.png", png)
	} else if !isPNG(png) {
		t.Fatal("full-page screenshot is not a PNG")
	}
}
