package ui

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/stampede-playground/stampede/app/stampede"
)

// faultyFetcher answers a.json with a 7-byte JSON body, missing.json
// with an HTTP 404 and down.json with a network error.
func faultyFetcher() stampede.Fetcher {
	return stampede.FetcherFunc(func(ctx context.Context, u string) (stampede.Response, error) {
		time.Sleep(10 * time.Millisecond)
		switch {
		case strings.HasSuffix(u, "missing.json"):
			return stampede.Response{}, &stampede.HTTPError{URL: u, Status: 404, Text: "Not Found"}
		case strings.HasSuffix(u, "down.json"):
			return stampede.Response{}, errors.New("TypeError: Failed to fetch")
		}
		return stampede.Response{Status: 200, ContentType: "application/json", Body: []byte(`{"x":1}`)}, nil
	})
}

const faultyScenario = "w x3: get data/a.json?v=1\nm: get data/missing.json\nd: get data/down.json"

// savedFile is what the page handed to its download seam.
type savedFile struct {
	name, mime string
	data       []byte
}

// exported runs faultyScenario under keyed and downloads kind.
func exported(t *testing.T, kind string) (*Playground, savedFile) {
	t.Helper()
	q := "strategy=keyed&latency=0&run=1&scenario=" + strings.NewReplacer("\n", "%0A", " ", "+", "?", "%3F", "=", "%3D").Replace(faultyScenario)
	p, d, _ := page(t, Env{Fetcher: faultyFetcher(), Version: "v-test"}, q)
	d.Consume()
	if p.run.run.state != runDone {
		t.Fatalf("run: state %s (%s)", p.run.run.state, p.run.run.result.Err)
	}
	var saved []savedFile
	p.views.tools.saveFile = func(name, mime string, data []byte) error {
		saved = append(saved, savedFile{name, mime, data})
		return nil
	}
	onUI(d, p.views.tools, func(ctx app.Context) { p.views.tools.export(kind) })
	if len(saved) != 1 {
		t.Fatalf("%d files saved; want 1 (%s)", len(saved), p.views.tools.state.Msg)
	}
	if !strings.HasPrefix(p.views.tools.state.Msg, "Downloaded "+saved[0].name) || p.views.tools.state.Err {
		t.Errorf("status %q; want Downloaded %s", p.views.tools.state.Msg, saved[0].name)
	}
	return p, saved[0]
}

func TestExportHAR(t *testing.T) {
	p, f := exported(t, "har")
	if !strings.HasPrefix(f.name, "stampede-run-1-") || !strings.HasSuffix(f.name, ".har") || f.mime != "application/json" {
		t.Errorf("saved %s as %s", f.name, f.mime)
	}
	var h map[string]any
	if err := json.Unmarshal(f.data, &h); err != nil {
		t.Fatalf("HAR is not JSON: %v", err)
	}
	log := h["log"].(map[string]any)
	if log["version"] != "1.2" || log["creator"].(map[string]any)["name"] != "Stampede" || log["creator"].(map[string]any)["version"] != "v-test" {
		t.Errorf("log header %v %v", log["version"], log["creator"])
	}
	entries := log["entries"].([]any)
	if len(entries) != p.run.run.result.Stats.Fetches || len(entries) != 3 {
		t.Fatalf("%d entries; want one per network fetch (stats: %d; a.json once under keyed, missing, down)", len(entries), p.run.run.result.Stats.Fetches)
	}
	byURL := map[string]map[string]any{}
	for _, e := range entries {
		e := e.(map[string]any)
		req := e["request"].(map[string]any)
		byURL[req["url"].(string)] = e
		for _, k := range []string{"startedDateTime", "time", "request", "response", "cache", "timings"} {
			if _, ok := e[k]; !ok {
				t.Errorf("entry lacks %s: %v", k, e)
			}
		}
		started, err := time.Parse(time.RFC3339Nano, e["startedDateTime"].(string))
		if err != nil || started.Before(p.run.run.start.Add(-time.Millisecond)) || started.After(p.run.run.start.Add(time.Second)) {
			t.Errorf("startedDateTime %v (%v); want just after the run's start %v", e["startedDateTime"], err, p.run.run.start)
		}
		if req["method"] != "GET" || req["headersSize"] != -1.0 || req["bodySize"] != 0.0 {
			t.Errorf("request %v", req)
		}
		for _, k := range []string{"headers", "queryString", "cookies"} {
			if _, ok := req[k].([]any); !ok {
				t.Errorf("request.%s = %v; want an array", k, req[k])
			}
		}
		if _, ok := req["httpVersion"].(string); !ok {
			t.Errorf("request.httpVersion missing")
		}
		resp := e["response"].(map[string]any)
		for _, k := range []string{"headers", "cookies"} {
			if _, ok := resp[k].([]any); !ok {
				t.Errorf("response.%s = %v; want an array", k, resp[k])
			}
		}
		if resp["redirectURL"] != "" || resp["headersSize"] != -1.0 {
			t.Errorf("response %v", resp)
		}
		tm := e["timings"].(map[string]any)
		if tm["send"] != 0.0 || tm["receive"] != 0.0 || tm["wait"] != e["time"] || e["time"].(float64) < 5 {
			t.Errorf("timings %v, time %v; want send 0, receive 0, wait = time >= 10ms", tm, e["time"])
		}
		if c, ok := e["cache"].(map[string]any); !ok || len(c) != 0 {
			t.Errorf("cache = %v; want {}", e["cache"])
		}
	}
	ok := byURL["https://example.org/data/a.json?v=1"]
	if ok == nil {
		t.Fatalf("no entry for a.json; entries by URL: %v", byURL)
	}
	resp := ok["response"].(map[string]any)
	content := resp["content"].(map[string]any)
	if resp["status"] != 200.0 || resp["statusText"] != "OK" || resp["bodySize"] != 7.0 || content["size"] != 7.0 || content["mimeType"] != "application/json" {
		t.Errorf("a.json response %v", resp)
	}
	if qs := ok["request"].(map[string]any)["queryString"].([]any); len(qs) != 1 || qs[0].(map[string]any)["name"] != "v" || qs[0].(map[string]any)["value"] != "1" {
		t.Errorf("a.json queryString %v; want v=1", qs)
	}
	if _, has := ok["_error"]; has {
		t.Errorf("a.json has an _error")
	}
	for u, want := range map[string]float64{"https://example.org/data/missing.json": 404, "https://example.org/data/down.json": 0} {
		e := byURL[u]
		if e == nil {
			t.Errorf("no entry for %s", u)
			continue
		}
		resp := e["response"].(map[string]any)
		if resp["status"] != want || resp["bodySize"] != -1.0 || e["_error"] == nil || e["_error"] == "" {
			t.Errorf("%s: response %v, _error %v; want status %v, bodySize -1, an _error", u, resp, e["_error"], want)
		}
	}
	if byURL["https://example.org/data/missing.json"]["response"].(map[string]any)["statusText"] != "Not Found" {
		t.Error("404 entry lacks its status text")
	}
}

func TestExportJSON(t *testing.T) {
	p, f := exported(t, "json")
	if !strings.HasSuffix(f.name, ".json") {
		t.Errorf("saved as %s", f.name)
	}
	var x struct {
		RunID    string           `json:"runId"`
		Strategy string           `json:"strategy"`
		Scenario string           `json:"scenario"`
		Latency  string           `json:"latency"`
		Stats    map[string]any   `json:"stats"`
		Total    int              `json:"eventsTotal"`
		Dropped  int              `json:"eventsDropped"`
		Events   []map[string]any `json:"events"`
	}
	if err := json.Unmarshal(f.data, &x); err != nil {
		t.Fatalf("export is not JSON: %v", err)
	}
	if x.RunID != p.run.run.result.RunID || x.Strategy != "keyed" || x.Scenario != faultyScenario || x.Latency != "0" {
		t.Errorf("header: %q %q %q %q", x.RunID, x.Strategy, x.Scenario, x.Latency)
	}
	for k, v := range statsObject(p.run.run.result.Stats) {
		if x.Stats[k] != v {
			t.Errorf("stats.%s = %v; want %v", k, x.Stats[k], v)
		}
	}
	if len(x.Events) != p.run.run.total || x.Total != p.run.run.total || x.Dropped != 0 || float64(len(x.Events)) != x.Stats["events"] {
		t.Errorf("%d events, total %d, dropped %d; the run logged %d", len(x.Events), x.Total, x.Dropped, p.run.run.total)
	}
	done := 0
	for _, e := range x.Events {
		if _, ok := e["atMs"].(float64); !ok {
			t.Errorf("event without atMs: %v", e)
		}
		if e["kind"] == "fetch-done" {
			done++
			if e["status"] != 200.0 || e["size"] != 7.0 || e["contentType"] != "application/json" {
				t.Errorf("fetch-done event %v", e)
			}
		}
	}
	if done != 1 {
		t.Errorf("%d fetch-done events; want 1", done)
	}

	// After a run the buttons are on; before one, or during one, off.
	h := html(p)
	if disabled(t, h, "export-json") || disabled(t, h, "export-har") {
		t.Error("export buttons disabled after a run")
	}
	fresh := newPlayground(Env{})
	fh := app.HTMLString(fresh.views.tools)
	if !disabled(t, fh, "export-json") || !disabled(t, fh, "export-har") {
		t.Error("export buttons enabled before any run")
	}
	fresh.views.tools.export("json")
	if !fresh.views.tools.state.Err || !strings.Contains(fresh.views.tools.state.Msg, "Nothing to download") {
		t.Errorf("export before a run: %+v", fresh.views.tools.state)
	}
}

// TestBuildHARPairs pairs fetch-start with the answer of the same worker
// and URL, and leaves out answers without a request of their own.
func TestBuildHARPairs(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	start := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	x := runExport{RunID: "r", Strategy: stampede.Keyed, Page: "https://h.example/app/?preset=seed", Started: start, Events: []stampede.Event{
		{At: ms(5), Worker: "b", Target: "u2", Kind: stampede.KindFetchDone, Status: 200}, // its start was dropped
		{At: ms(10), Worker: "a", Target: "u", Kind: stampede.KindFetchStart},
		{At: ms(12), Worker: "b", Target: "u", Kind: stampede.KindFetchStart},
		{At: ms(40), Worker: "b", Target: "u", Kind: stampede.KindError, Status: 500, Detail: "GET u: HTTP 500"},
		{At: ms(50), Worker: "a", Target: "u", Kind: stampede.KindFetchDone, Status: 200, Size: 3, ContentType: "text/plain"},
		{At: ms(51), Worker: "c", Target: "u", Kind: stampede.KindError, Detail: "shared failure"}, // no request
		{At: ms(60), Worker: "d", Target: "v", Kind: stampede.KindFetchStart},                      // no answer
	}}
	b, err := buildHAR(x, "v1")
	if err != nil {
		t.Fatal(err)
	}
	var h harFile
	if err := json.Unmarshal(b, &h); err != nil {
		t.Fatal(err)
	}
	es := h.Log.Entries
	if len(es) != 2 {
		t.Fatalf("%d entries; want 2: %s", len(es), b)
	}
	if es[0].Worker != "b" || es[0].Response.Status != 500 || es[0].Time != 28 || es[0].Error == "" ||
		es[0].StartedDateTime != "2025-01-02T03:04:05.012Z" || es[0].Request.URL != "https://h.example/app/u" {
		t.Errorf("first entry %+v", es[0])
	}
	if es[1].Worker != "a" || es[1].Response.Status != 200 || es[1].Time != 40 || es[1].Timings.Wait != 40 ||
		es[1].Response.Content != (harContent{3, "text/plain"}) || es[1].Response.BodySize != 3 || es[1].Error != "" {
		t.Errorf("second entry %+v", es[1])
	}
	if !strings.Contains(h.Log.Comment, "1 fetches without an answer") {
		t.Errorf("comment %q", h.Log.Comment)
	}
}

func TestExportName(t *testing.T) {
	if got := exportName("run-1-17/../x", "har"); got != "stampede-run-1-17____x.har" {
		t.Errorf("exportName = %q", got)
	}
}
