package ui

import (
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/stampede-playground/stampede/app/stampede"
	"github.com/stampede-playground/stampede/app/trace"
)

// Export downloads the last Run's log as JSON (#export-json) or its
// network fetches as a HAR 1.2 file (#export-har). The files are built by
// plain functions (runExport, buildHAR); the download itself goes through
// toolsPanel.saveFile, which natively tests replace.

// runExport is the last run as #export-json downloads it.
type runExport struct {
	RunID    string            `json:"runId"`
	Strategy stampede.Strategy `json:"strategy"`
	Scenario string            `json:"scenario"`
	Latency  string            `json:"latency"`
	Page     string            `json:"page"`      // the page's URL: relative targets resolve against it
	Started  time.Time         `json:"startedAt"` // the run's start by the wall clock; atMs counts from here
	Stopped  bool              `json:"stopped"`
	Stats    stampede.Stats    `json:"stats"`
	// Total is how many events the run logged; Dropped how many of them
	// are not in Events (the log keeps the newest ones).
	Total   int              `json:"eventsTotal"`
	Dropped int              `json:"eventsDropped"`
	Events  []stampede.Event `json:"events"`
}

// lastRunExport is the last run, when one has ended, on the page at
// page. The events of other tabs that the log shows are left out: they
// are not this run's.
func (r *runner) lastRunExport(page string) (runExport, bool) {
	run := r.run
	if r.busy || run.state != runDone || run.result.RunID == "" {
		return runExport{}, false
	}
	evs := make([]stampede.Event, 0, len(run.events))
	for _, e := range run.events {
		if e.Tab == "" {
			evs = append(evs, e)
		}
	}
	return runExport{
		RunID:    run.result.RunID,
		Strategy: run.result.Stats.Strategy,
		Scenario: run.settings.Text,
		Latency:  run.settings.Latency,
		Page:     page,
		Started:  run.start,
		Stopped:  run.result.Stopped,
		Stats:    run.result.Stats,
		Total:    run.total,
		Dropped:  run.total - len(evs),
		Events:   evs,
	}, true
}

// exportJSON is the run's log file.
func exportJSON(x runExport) ([]byte, error) {
	return json.MarshalIndent(x, "", " ")
}

// The HAR 1.2 format (http://www.softwareishard.com/blog/har-12-spec/),
// as much of it as a fetch made through the browser can fill.
type (
	harFile struct {
		Log harLog `json:"log"`
	}
	harLog struct {
		Version string     `json:"version"`
		Creator harCreator `json:"creator"`
		Entries []harEntry `json:"entries"`
		Comment string     `json:"comment,omitempty"`
	}
	harCreator struct {
		Name    string `json:"name"`
		Version string `json:"version"`
	}
	harEntry struct {
		StartedDateTime string      `json:"startedDateTime"`
		Time            float64     `json:"time"`
		Request         harRequest  `json:"request"`
		Response        harResponse `json:"response"`
		Cache           struct{}    `json:"cache"`
		Timings         harTimings  `json:"timings"`
		Comment         string      `json:"comment,omitempty"`
		Worker          string      `json:"_worker"`          // the worker that fetched
		Error           string      `json:"_error,omitempty"` // the failure, on an error entry
	}
	harRequest struct {
		Method      string    `json:"method"`
		URL         string    `json:"url"`
		HTTPVersion string    `json:"httpVersion"`
		Headers     []harPair `json:"headers"`
		QueryString []harPair `json:"queryString"`
		Cookies     []harPair `json:"cookies"`
		HeadersSize int       `json:"headersSize"`
		BodySize    int       `json:"bodySize"`
	}
	harResponse struct {
		Status      int        `json:"status"`
		StatusText  string     `json:"statusText"`
		HTTPVersion string     `json:"httpVersion"`
		Headers     []harPair  `json:"headers"`
		Cookies     []harPair  `json:"cookies"`
		Content     harContent `json:"content"`
		RedirectURL string     `json:"redirectURL"`
		HeadersSize int        `json:"headersSize"`
		BodySize    int        `json:"bodySize"`
	}
	harContent struct {
		Size     int    `json:"size"`
		MimeType string `json:"mimeType"`
	}
	harTimings struct {
		Send    float64 `json:"send"`
		Wait    float64 `json:"wait"`
		Receive float64 `json:"receive"`
	}
	harPair struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	}
)

// statusTexts are the reason phrases of the statuses a demo meets; the
// browser's fetch gives none for a 2xx, and net/http's table would add
// megabytes to app.wasm.
var statusTexts = map[int]string{
	200: "OK", 201: "Created", 204: "No Content", 206: "Partial Content",
	301: "Moved Permanently", 302: "Found", 304: "Not Modified", 307: "Temporary Redirect", 308: "Permanent Redirect",
	400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 408: "Request Timeout",
	410: "Gone", 429: "Too Many Requests",
	500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout",
}

// buildHAR is x's network fetches as a HAR 1.2 file: one entry per
// ended fetch interval of its trace (a fetch-start and the fetch-done or
// error that answered it), in the order they ended. Cache hits and shared
// answers made no request, so they are not entries. Status, size and type
// come from the events; headers, cookies and the protocol are not known
// to the page and are left empty (httpVersion "", sizes -1 where the
// format allows it).
func buildHAR(x runExport, version string) ([]byte, error) {
	base, err := url.Parse(x.Page)
	if err != nil {
		base = &url.URL{}
	}
	entries := []harEntry{}
	unanswered := 0
	for _, iv := range trace.Build(x.Events).Intervals {
		switch {
		case iv.Kind != trace.Fetch:
		case iv.Open:
			unanswered++
		default:
			entries = append(entries, harEntryOf(x.Started, base, iv))
		}
	}
	h := harFile{Log: harLog{
		Version: "1.2",
		Creator: harCreator{Name: "Stampede", Version: version},
		Entries: entries,
		Comment: fmt.Sprintf("%s under %s: %d network fetches; cache hits and shared answers made no request and are not entries",
			x.RunID, x.Strategy, len(entries)),
	}}
	if unanswered > 0 {
		h.Log.Comment += fmt.Sprintf("; %d fetches without an answer in the log are left out", unanswered)
	}
	if x.Dropped > 0 {
		h.Log.Comment += fmt.Sprintf("; the log dropped its %d oldest events", x.Dropped)
	}
	return json.MarshalIndent(h, "", " ")
}

// harEntryOf is the entry of an ended fetch interval.
func harEntryOf(started time.Time, base *url.URL, fetch *trace.Interval) harEntry {
	start, end := fetch.Begin, fetch.Finish
	ms := float64((fetch.End - fetch.Start).Microseconds()) / 1000
	target := start.Target
	query := []harPair{}
	if u, err := url.Parse(target); err == nil {
		target = base.ResolveReference(u).String()
		q := u.Query()
		keys := make([]string, 0, len(q))
		for k := range q {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			for _, v := range q[k] {
				query = append(query, harPair{k, v})
			}
		}
	}
	e := harEntry{
		StartedDateTime: started.Add(start.At).UTC().Format("2006-01-02T15:04:05.000Z"),
		Time:            ms,
		Request: harRequest{
			Method: "GET", URL: target, HTTPVersion: "",
			Headers: []harPair{}, QueryString: query, Cookies: []harPair{},
			HeadersSize: -1, BodySize: 0,
		},
		Response: harResponse{
			Status: end.Status, StatusText: statusTexts[end.Status], HTTPVersion: "",
			Headers: []harPair{}, Cookies: []harPair{},
			Content:     harContent{Size: end.Size, MimeType: end.ContentType},
			RedirectURL: "", HeadersSize: -1, BodySize: end.Size,
		},
		Timings: harTimings{Send: 0, Wait: ms, Receive: 0},
		Comment: start.Detail, // e.g. the added latency before it
		Worker:  start.Worker,
	}
	if fetch.Failed() {
		e.Error = end.Detail     // for people, as the log shows it
		e.Response.BodySize = -1 // not known for a failure
	}
	return e
}

// exportName is a download's file name: stampede-RUNID.EXT, with only
// safe characters.
func exportName(runID, ext string) string {
	clean := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, runID)
	return "stampede-" + clean + "." + ext
}

func (t *toolsPanel) onExportJSON(ctx app.Context, e app.Event) { t.export("json") }
func (t *toolsPanel) onExportHAR(ctx app.Context, e app.Event)  { t.export("har") }

// export builds the last run's file of kind json or har and downloads it.
func (t *toolsPanel) export(kind string) {
	x, ok := t.run.lastRunExport(t.location().String())
	if !ok {
		t.state = toolsState{Msg: "Nothing to download: the log holds no finished run.", Err: true}
		return
	}
	var (
		data []byte
		err  error
		mime = "application/json"
	)
	if kind == "har" {
		data, err = buildHAR(x, t.run.env.Version)
	} else {
		data, err = exportJSON(x)
	}
	name := exportName(x.RunID, kind)
	if err == nil {
		save := t.saveFile
		if save == nil {
			save = downloadFile
		}
		err = save(name, mime, data)
	}
	if err != nil {
		t.state = toolsState{Msg: "Download failed: " + err.Error(), Err: true}
		return
	}
	t.state = toolsState{Msg: fmt.Sprintf("Downloaded %s (%d bytes).", name, len(data))}
}

// downloadFile saves data as a file through a Blob, an object URL and a
// temporary <a download>. Natively it does nothing.
func downloadFile(name, mime string, data []byte) error {
	w := app.Window()
	if !w.Get("Blob").Truthy() {
		return nil // natively: go-app's values are inert
	}
	arr := w.Get("Uint8Array").New(len(data))
	app.CopyBytesToJS(arr, data)
	// rawJS: go-app does not unwrap its Values inside a slice argument.
	blob := w.Get("Blob").New([]any{rawJS(arr)}, map[string]any{"type": mime})
	href := w.Get("URL").Call("createObjectURL", blob).String()
	doc := w.Get("document")
	a := doc.Call("createElement", "a")
	a.Set("href", href)
	a.Set("download", name)
	a.Get("style").Set("display", "none")
	doc.Get("body").Call("appendChild", a)
	a.Call("click")
	a.Call("remove")
	// The download has started by now in Chromium; Firefox wants the URL a
	// little longer.
	time.AfterFunc(10*time.Second, func() { w.Get("URL").Call("revokeObjectURL", href) })
	return nil
}

// renderExportButtons are #export-json and #export-har, enabled once a
// run has ended.
func (t *toolsPanel) renderExportButtons() app.UI {
	x, ok := t.run.lastRunExport("") // only its run id is shown
	title := "run first: the downloads hold the last run's log"
	if ok {
		title = "the log of " + x.RunID
	}
	j := app.Elem("button").ID("export-json").Attr("type", "button").Text("Download log (JSON)").Title(title).OnClick(t.onExportJSON)
	h := app.Elem("button").ID("export-har").Attr("type", "button").Text("Download HAR").
		Title(title + ": its network fetches, for a browser's network panel").OnClick(t.onExportHAR)
	if !ok {
		j, h = j.Attr("disabled", true), h.Attr("disabled", true)
	}
	return app.Elem("span").Class("button-group").Body(j, h)
}
