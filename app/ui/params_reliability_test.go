package ui

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/stampede-playground/stampede/app/stampede"
)

// Reliability tests of the page's inputs: URL parameters, a huge paste,
// window.stampede.run's options. docs/reliability.md lists them.

// TestReliabParams: every bad URL parameter is refused with a message
// naming it, and the page keeps its defaults for it.
func TestReliabParams(t *testing.T) {
	big := "w: get data/a.json\n" + strings.Repeat("# filler\n", stampede.MaxTextBytes/9+10)
	tests := []struct {
		name    string
		q       url.Values
		wantErr string
	}{
		{"unknown strategy", url.Values{"strategy": {"fastest"}}, `strategy=fastest: unknown strategy "fastest"`},
		{"negative latency", url.Values{"latency": {"-5ms"}}, "latency=-5ms: latency -5ms is negative"},
		{"absurd latency", url.Values{"latency": {"87600h"}}, "latency=87600h: latency 87600h is over the limit of 10s"},
		{"overflowing latency", url.Values{"latency": {"99999999999999999h"}}, "latency=99999999999999999h: bad latency"},
		{"scenario over the limit", url.Values{"scenario": {big}}, "scenario=w: get data/a.json…: scenario is"},
		{"unknown preset", url.Values{"preset": {"<b>x</b>"}}, `preset=<b>x</b>: unknown preset "<b>x</b>"`},
		{"bad flag", url.Values{"run": {"maybe"}}, "run=maybe: want 1 or 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := parseParams(tt.q, defaultSettings(), false)
			if len(st.Errors) != 1 || !strings.HasPrefix(st.Errors[0], tt.wantErr) {
				t.Fatalf("errors %q; want one starting %q", st.Errors, tt.wantErr)
			}
			if st.Strategy != defaultSettings().Strategy || st.Latency != defaultSettings().Latency || st.Run {
				t.Errorf("a bad parameter changed the settings: %+v", st.settings)
			}
		})
	}
}

// TestReliabMalformedEncoding opens the page with a broken percent escape:
// the page says so, keeps the parameters it could read, and starts.
func TestReliabMalformedEncoding(t *testing.T) {
	p, d, _ := page(t, Env{}, "scenario=%zz&strategy=keyed&latency=%E0%A4%A")
	d.Consume()
	if len(p.paramErrs) == 0 || !strings.Contains(p.paramErrs[0], `invalid URL escape "%zz"`) {
		t.Errorf("param errors %q; want one about the invalid escape", p.paramErrs)
	}
	if p.settings.Strategy != stampede.Keyed {
		t.Errorf("strategy %q: the well-formed parameter was lost", p.settings.Strategy)
	}
	if !p.run.ready {
		t.Error("the page did not start")
	}
	wantHTML(t, p, `id="param-errors"`, "invalid URL escape")
}

// TestReliabParamsAsText opens the page with HTML and script in every
// parameter: the messages show them as text, never as markup.
func TestReliabParamsAsText(t *testing.T) {
	q := url.Values{
		"scenario": {`<img src=x onerror=window.__pwned=1>`},
		"strategy": {`<script>window.__pwned=2</script>`},
		"latency":  {`<svg onload=window.__pwned=3>`},
		"preset":   {`<iframe src=javascript:1>`},
		"run":      {`<b>`},
	}
	p, d, _ := page(t, Env{}, q.Encode())
	d.Consume()
	if len(p.paramErrs) < 4 {
		t.Errorf("param errors %q; want one per bad parameter", p.paramErrs)
	}
	h := html(p)
	// Attribute values (the textarea's value) are set with setAttribute
	// in the browser, never parsed: only text outside them counts here.
	outside := regexp.MustCompile(`="[^"]*"`).ReplaceAllString(h, `=""`)
	for _, raw := range []string{"<script>window", "<img src=x", "<svg", "<iframe", "<b>"} {
		if strings.Contains(outside, raw) {
			t.Errorf("page contains raw %q", raw)
		}
	}
	for _, text := range []string{"&lt;script&gt;window.__pwned=2&lt;/script&gt;", "&lt;svg onload=window.__pwned=3&gt;", "&lt;img src=x onerror=window.__pwned=1&gt;"} {
		if !strings.Contains(h, text) {
			t.Errorf("page does not show %s as text", text)
		}
	}
}

// TestReliabHugePaste pastes 10 MB into the editor: the page says the
// text is over the limit at once, keeps it out of the URL, and a run
// refuses it without starting.
func TestReliabHugePaste(t *testing.T) {
	f := &countingFetcher{}
	p, d, urls := page(t, Env{Fetcher: f.fetcher()}, "latency=0")
	d.Consume()
	huge := strings.Repeat("crowd x50: get data/stuff.json\n", 10<<20/31+1)
	var took time.Duration
	var runErr error
	onUI(d, p, func(ctx app.Context) {
		start := time.Now()
		p.editText(ctx, huge)
		took = time.Since(start)
		_, runErr = p.run.start(ctx, runRequest{settings: p.settings})
	})
	if took > time.Second {
		t.Errorf("taking a 10 MB paste took %v", took)
	}
	if !strings.Contains(p.edit.parseErr, "at most 65536 (64 KiB) allowed") {
		t.Errorf("editor message %q; want the size limit", p.edit.parseErr)
	}
	if runErr == nil || p.run.busy || len(f.counts()) != 0 {
		t.Errorf("run of a 10 MB scenario: err %v, running %v, fetches %v; want a refusal and no fetch", runErr, p.run.busy, f.counts())
	}
	// Let syncURLSoon fire, then check what the URL got.
	time.Sleep(400 * time.Millisecond)
	d.Consume()
	for _, u := range *urls {
		if len(u) > 4096 {
			t.Fatalf("the page wrote a %d-byte URL", len(u))
		}
	}
	wantHTML(t, p, "at most 65536 (64 KiB) allowed", `data-state="error"`)
}

// TestReliabAPITimeout: window.stampede.run's timeout option bounds each
// fetch, is checked, and its wrong types are named.
func TestReliabAPITimeout(t *testing.T) {
	f := &countingFetcher{delay: time.Minute}
	p, d, _ := page(t, Env{Fetcher: f.fetcher()}, "latency=0")
	d.Consume()
	for _, bad := range []struct {
		v    any
		want string
	}{
		{true, `run: field "timeout" must be a duration string`},
		{jsType("object"), `run: field "timeout" must be a duration string`},
		{"-1s", "timeout -1s must be positive"},
		{"1h", "timeout 1h is over the limit of 5m0s"},
		{"soon", `bad timeout "soon"`},
	} {
		onUI(d, p, func(ctx app.Context) {
			_, err := p.run.runFields(ctx, map[string]any{"scenario": "a: get x", "timeout": bad.v}, p.settings)
			if err == nil || !strings.Contains(err.Error(), bad.want) {
				t.Errorf("timeout %v: err %v; want %q", bad.v, err, bad.want)
			}
		})
	}
	var out <-chan runResult
	onUI(d, p, func(ctx app.Context) {
		var err error
		out, err = p.run.runFields(ctx, map[string]any{"scenario": "crowd x5: get data/slow.json", "strategy": "keyed", "timeout": 50.0}, p.settings)
		if err != nil {
			t.Fatal(err)
		}
	})
	select {
	case r := <-out:
		if r.Stats.Errors != 5 || r.Stats.Fetches != 1 {
			t.Errorf("stats %+v; want 5 errors from 1 timed-out fetch", r.Stats)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a run with a 50ms timeout did not end")
	}
	wantHTML(t, p, "per-fetch timeout after 50ms")
	if keys, _ := p.run.store.Keys(context.Background()); len(keys) != 0 {
		t.Errorf("store holds %v after timeouts", keys)
	}
}
