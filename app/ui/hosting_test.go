package ui

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestEmbed mounts the page as a slide's iframe loads it: the link's
// scenario, strategy and run=1, with embed=1. It shows the editor, the
// counters and the log, and none of the header, explanation or footer.
func TestEmbed(t *testing.T) {
	f := &countingFetcher{delay: 5 * time.Millisecond}
	p, d, urls := page(t, Env{Fetcher: f.fetcher(), Version: "abc123"},
		"embed=1&scenario="+strings.ReplaceAll("a: get data/a.json\nb: get data/a.json", "\n", "%0A")+"&strategy=keyed&latency=0&run=1")
	d.Consume()

	if !p.embed {
		t.Fatal("embed=1 did not set embed mode")
	}
	if p.run.run.state != runDone || p.run.run.live.Fetches != 1 || p.run.run.live.Deduped != 1 {
		t.Fatalf("state %q (%s), %+v; want done with 1 fetch, 1 deduped", p.run.run.state, p.run.run.result.Err, p.run.run.live)
	}
	wantHTML(t, p, `class="playground embed"`, `id="scenario"`, "a: get data/a.json", `id="strategy"`,
		`id="run"`, `id="counters"`, `id="run-stats"`, `data-state="done"`, `id="log"`)
	h := html(p)
	for _, bad := range []string{"<header", `id="explain"`, "<footer", "what a lock around a cache is for", SourceURL} {
		if strings.Contains(h, bad) {
			t.Errorf("embedded page has %s", bad)
		}
	}
	if len(*urls) == 0 || !strings.Contains((*urls)[len(*urls)-1], "embed=1") {
		t.Errorf("URLs written %q; want embed=1 kept, so the address stays an embed link", *urls)
	}
}

// TestFooterAndUpdate checks the full page's footer (version and source)
// and go-app's update notice with its reload button.
func TestFooterAndUpdate(t *testing.T) {
	p, d, _ := page(t, Env{Version: "abc123"}, "preset=seed")
	d.Consume()
	wantHTML(t, p, "<footer", `id="version"`, ">abc123<", `href="`+SourceURL+`"`, "<header", `id="explain"`)
	if strings.Contains(html(p), `id="update"`) || strings.Contains(html(p), "embed") {
		t.Error("a fresh page shows the update notice or embed mode")
	}
	d.AppUpdate()
	d.Consume()
	wantHTML(t, p, `id="update-notice"`, "A new version is ready, reload to use it.", `id="update"`)
	// go-app writes attributes in no fixed order: find the tag around the id.
	if !regexp.MustCompile(`<button[^>]* id="update"`).MatchString(html(p)) {
		t.Error(`id="update" is not on a <button>`)
	}
}
