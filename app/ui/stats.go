package ui

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/stampede-playground/stampede/app/stampede"
)

// statsObject is s as window.stampede.run resolves it: the JSON names of
// stampede.Stats (strategy, workers, requests, fetches, hits, shared,
// deduped, errors, onceRuns, wallMs, maxWaitMs, events), with numbers as
// float64 and the strategy as a plain string, as syscall/js wants them.
func statsObject(s stampede.Stats) map[string]any {
	b, err := json.Marshal(s)
	if err != nil { // Stats has only plain fields: never
		return map[string]any{"error": err.Error()}
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return map[string]any{"error": err.Error()}
	}
	return m
}

// kebab turns a JSON name into a data- attribute suffix: wallMs → wall-ms.
func kebab(name string) string {
	var b strings.Builder
	for _, r := range name {
		if unicode.IsUpper(r) {
			b.WriteByte('-')
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// attr is one HTML attribute.
type attr struct{ Name, Value string }

// runStatsAttrs are the data- attributes of #run-stats, sorted by name:
// data-state always; when a run has ended (done) one per stats field
// (data-strategy, data-workers, data-requests, data-fetches, data-hits,
// data-shared, data-deduped, data-errors, data-wall-ms, …) plus
// data-run-id and data-stopped; data-error when state is error.
func runStatsAttrs(state runState, r runResult) []attr {
	attrs := []attr{{"data-state", state.String()}}
	if r.RunID != "" {
		attrs = append(attrs, attr{"data-run-id", r.RunID})
	}
	switch state {
	case runDone:
		for k, v := range statsObject(r.Stats) {
			attrs = append(attrs, attr{"data-" + kebab(k), attrValue(v)})
		}
		attrs = append(attrs, attr{"data-stopped", strconv.FormatBool(r.Stopped)})
	case runError:
		attrs = append(attrs, attr{"data-error", r.Err})
	}
	sort.Slice(attrs, func(i, j int) bool { return attrs[i].Name < attrs[j].Name })
	return attrs
}

func attrValue(v any) string {
	switch v := v.(type) {
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case string:
		return v
	}
	return fmt.Sprint(v)
}

// runResult is how a run ended.
type runResult struct {
	RunID   string
	Stats   stampede.Stats
	Stopped bool   // cancelled by Stop or by leaving the page
	Err     string // an invalid scenario or option, or a run that could not start
}

// summary is #run-stats' text.
func summary(state runState, r runResult) string {
	s := r.Stats
	switch state {
	case runIdle:
		return "No run yet."
	case runRunning:
		return "Running " + r.RunID + "…"
	case runError:
		return "Not run: " + r.Err
	}
	verb := "Done"
	if r.Stopped {
		verb = "Stopped"
	}
	return fmt.Sprintf("%s: %s, %d workers, %d requests, %d network fetches, %d deduplicated, %d errors in %.0f ms.",
		verb, s.Strategy, s.Workers, s.Requests, s.Fetches, s.Deduped, s.Errors, s.WallMs)
}

// runStatus is #run-stats and the counters: how the current run stands,
// or the part of it before the replay cursor.
//
// It draws what the runner held when it last followed it, after the
// views' draw turns (runView.settle), not what the runner holds when go-app
// happens to draw it: data-state="done" must not show before the views
// have drawn the run's end.
type runStatus struct {
	app.Compo

	runView

	state  runState
	result runResult
	stats  stampede.Stats
}

func (s *runStatus) OnMount(ctx app.Context) {
	s.sync()
	s.follow(ctx, s.sync)
}

// sync takes what the status shows from the runner.
func (s *runStatus) sync() {
	r := s.run
	s.state, s.result, s.stats = r.run.state, r.run.result, r.shownStats()
}

func (s *runStatus) Render() app.UI {
	out := app.Elem("output").ID("run-stats").Class("run-stats", s.state.String()).Aria("live", "polite")
	for _, a := range runStatsAttrs(s.state, s.result) {
		out = out.Attr(a.Name, a.Value)
	}
	return app.Div().Class("run-status").Body(
		out.Text(summary(s.state, s.result)),
		newCounters().Stats(s.stats),
	)
}

// counters shows a run's counters; they stay visible during and after it.
type counters struct {
	app.Compo

	Istats stampede.Stats
}

func newCounters() *counters { return &counters{} }

// Stats sets the counters to show.
func (c *counters) Stats(s stampede.Stats) *counters {
	c.Istats = s
	return c
}

func (c *counters) Render() app.UI {
	s := c.Istats
	item := func(id, label string, v any, class string) app.UI {
		return app.Div().ID(id).Class("counter", class).Body(
			app.Elem("dt").Text(label),
			app.Elem("dd").Text(v),
		)
	}
	return app.Elem("dl").ID("counters").Class("counters").Body(
		item("count-requests", "requests", s.Requests, ""),
		item("count-fetches", "network fetches", s.Fetches, "net"),
		item("count-deduped", "deduplicated", s.Deduped, "dedup"),
		item("count-hits", "cache hits", s.Hits, "dedup"),
		item("count-shared", "shared in flight", s.Shared, "dedup"),
		item("count-errors", "errors", s.Errors, map[bool]string{true: "err"}[s.Errors > 0]),
		item("count-wall", "wall time, ms", fmt.Sprintf("%.0f", s.WallMs), ""),
	)
}
