package ui

import (
	"fmt"
	"sort"
	"strconv"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/stampede-playground/stampede/app/stampede"
)

// Compare runs the current scenario under every strategy in turn, each
// with an empty cache, and shows one table row per strategy with a small
// timeline. Its runs stay off the page's live log and counters: those,
// #run-stats and the exports keep the last Run, and the table says so.
// A compare shares the page's busy state with a run: Run, Clear and
// another compare are refused while it goes on, and Stop cancels it.

// compareState is where the last compare is, as #compare-status'
// data-state says.
type compareState uint8

const (
	compareIdle compareState = iota
	compareRunning
	compareDone
	compareError
	compareStopped
)

func (s compareState) String() string {
	switch s {
	case compareRunning:
		return "running"
	case compareDone:
		return "done"
	case compareError:
		return "error"
	case compareStopped:
		return "stopped"
	}
	return "idle"
}

// compareView is the compare table, its progress and its outcome: the
// runner's record of the last compare, which the compare panel shows.
type compareView struct {
	State    compareState
	Progress string       // "running keyed (3/5)…" while it runs
	Err      string       // why it did not finish
	Note     string       // why a strategy is not in the table
	Rows     []compareRow // one per strategy run so far, in table order
	Total    int          // strategies to run
	Workers  int
	URLs     int    // distinct URLs of the scenario
	Needed   int    // the fewest network fetches the scenario can make
	Latency  string // the added latency, as Go prints it
}

// compareRow is one strategy's run in the compare table. Result is also
// what window.stampede.compare resolves to for that strategy.
type compareRow struct {
	Result runResult
	Bands  []miniBand // its small timeline (comparetl.go)
}

// compareResult is how a compare ended, for window.stampede.compare.
type compareResult struct {
	Results []runResult // in table order
	Total   int         // strategies it meant to run
	Stopped bool
	Err     string
}

// compareStrategies are the strategies a compare runs, in teaching
// order, and a note naming the one left out when the page has no
// cross-tab locks.
func compareStrategies(crossTab bool, why string) ([]stampede.Strategy, string) {
	var out []stampede.Strategy
	note := ""
	for _, s := range stampede.Strategies() {
		if s == stampede.CrossTab && !crossTab {
			note = "crosstab is not compared: " + why
			continue
		}
		out = append(out, s)
	}
	return out, note
}

// neededFetches is the fewest network fetches sc can make: one per
// distinct URL of its get steps, plus every fetch step (those skip the
// cache by design).
func neededFetches(sc *stampede.Scenario) int {
	seen := map[string]bool{}
	n := 0
	for _, w := range sc.Workers {
		for _, st := range w.Steps {
			switch st.Kind {
			case stampede.StepGet:
				if !seen[st.URL] {
					seen[st.URL] = true
					n++
				}
			case stampede.StepFetch:
				n += w.Count
			}
		}
	}
	return n
}

// Verdicts, as a row's data-verdict carries them.
const (
	verdictOK       = "one-per-url" // no more network fetches than needed
	verdictStampede = "stampede"    // more: concurrent misses all fetched
	verdictStopped  = "stopped"
)

func verdictOf(r runResult, needed int) string {
	switch {
	case r.Stopped:
		return verdictStopped
	case r.Stats.Fetches > needed:
		return verdictStampede
	}
	return verdictOK
}

func progress(s stampede.Strategy, i, n int) string {
	return fmt.Sprintf("running %s (%d/%d)…", s, i, n)
}

// compare runs req's scenario under every strategy, as start does one
// run: it returns at once and the channel receives the outcome once the
// page shows it. req's strategy and Fresh are not used: every strategy
// runs, each on an empty cache, and the strategy menu keeps its choice.
func (r *runner) compare(ctx app.Context, req runRequest, menu stampede.Strategy) (<-chan compareResult, error) {
	check := req
	check.Strategy = stampede.None // any valid one: only scenario, latency and timeout are checked
	shown := req.settings
	shown.Strategy = menu
	j, n, runCtx, err := r.begin(ctx, check, shown)
	if err != nil {
		if !refused(err) {
			r.failCompare(err)
		}
		return nil, err
	}
	strategies, note := compareStrategies(r.env.CrossTab != nil, r.crossTabNote())
	r.cmp = compareView{
		State:    compareRunning,
		Progress: progress(strategies[0], 1, len(strategies)),
		Note:     note,
		Total:    len(strategies),
		Workers:  j.scenario.TotalWorkers(),
		URLs:     len(j.scenario.URLs()),
		Needed:   neededFetches(j.scenario),
		Latency:  j.latency.String(),
	}
	r.changed()
	base := r.runID(n)
	opts := r.options(j, nil, "")
	out := make(chan compareResult, 1)
	update := func(fn func()) {
		ctx.Dispatch(func(app.Context) {
			if n == r.n {
				fn()
				r.changed()
			}
		})
	}
	ctx.Async(func() {
		res := compareResult{Total: len(strategies)}
		for i, st := range strategies {
			if i > 0 {
				msg := progress(st, i+1, len(strategies))
				update(func() { r.cmp.Progress = msg })
			}
			if err := opts.Store.Clear(runCtx); err != nil {
				if runCtx.Err() != nil {
					res.Stopped = true
				} else {
					res.Err = fmt.Sprintf("clearing the cache before %s: %v", st, err)
				}
				break
			}
			rr := runResult{RunID: base + "-" + string(st)}
			log := stampede.NewLog(logSize)
			o := opts
			o.Strategy, o.Log, o.RunID = st, log, rr.RunID
			var err error
			rr.Stats, err = stampede.Run(runCtx, j.scenario, o)
			rr.Stopped, rr.Err = ended(runCtx, err)
			row := compareRow{Result: rr, Bands: bandsOf(log.Since(0))}
			update(func() { r.cmp.Rows = append(r.cmp.Rows, row) })
			res.Results = append(res.Results, rr)
			if rr.Err != "" {
				res.Err = string(st) + ": " + rr.Err
				break
			}
			if rr.Stopped {
				res.Stopped = true
				break
			}
		}
		ctx.Dispatch(func(ctx app.Context) { r.finishCompare(ctx, n, res, out) })
	})
	return out, nil
}

func (r *runner) failCompare(err error) {
	r.cmp = compareView{State: compareError, Err: err.Error()}
	r.changed()
}

// finishCompare ends compare n, then hands its outcome to out once the
// page shows it.
func (r *runner) finishCompare(ctx app.Context, n int, res compareResult, out chan<- compareResult) {
	if n != r.n {
		return
	}
	r.endBusy()
	r.cmp.Progress = ""
	switch {
	case res.Err != "":
		r.cmp.State, r.cmp.Err = compareError, res.Err
	case res.Stopped:
		r.cmp.State = compareStopped
	default:
		r.cmp.State = compareDone
	}
	r.changed()
	ctx.Defer(func(app.Context) { out <- res })
}

// compareObjects is what window.stampede.compare resolves to: one
// resultObject per strategy, in table order.
func compareObjects(res compareResult) []any {
	out := make([]any, len(res.Results))
	for i, r := range res.Results {
		out[i] = resultObject(r)
	}
	return out
}

// Rendering.

// comparePanel is #compare-view: the status, the note and the table of
// the runner's last compare.
type comparePanel struct {
	app.Compo

	runView
}

func (p *comparePanel) Render() app.UI {
	c := p.run.cmp
	state := c.State
	var text string
	switch state {
	case compareIdle:
		text = "Compare runs the scenario under every strategy, each with an empty cache (the cache is cleared). " +
			"Its runs stay off the live log; the log and the downloads keep the last Run."
	case compareRunning:
		text = c.Progress
	case compareError:
		text = "Not compared: " + c.Err
	case compareStopped:
		text = fmt.Sprintf("Stopped after %d of %d strategies.", len(c.Rows), c.Total)
	default:
		text = fmt.Sprintf("Compared %d strategies on %s, %s, %s added latency, each with an empty cache: %s enough. "+
			"These runs are not in the live log.",
			len(c.Rows), plural(c.Workers, "worker"), plural(c.URLs, "URL"), c.Latency, fetchesEnough(c.Needed))
	}
	status := app.Elem("output").ID("compare-status").Class("status", "compare-status", state.String()).
		Aria("live", "polite").DataSet("state", state.String()).Text(text)
	return app.Div().ID("compare-view").Body(
		status,
		app.If(c.Note != "", app.P().ID("compare-note").Class("status", "note").Text(c.Note)),
		app.If(len(c.Rows) > 0, renderCompareTable(c)),
	)
}

func fetchesEnough(n int) string {
	if n == 1 {
		return "1 network fetch is"
	}
	return strconv.Itoa(n) + " network fetches are"
}

func renderCompareTable(c compareView) app.UI {
	scale := compareScale(c.Rows)
	return app.Div().Class("compare-wrap").Body(
		app.Elem("table").ID("compare").Class("compare").Body(
			app.Elem("caption").Text(fmt.Sprintf("Every strategy on the same scenario: %s needed. "+
				"Red rows stampede: concurrent misses all went to the network.", fetchesEnough(c.Needed))),
			app.Elem("thead").Body(app.Elem("tr").Body(
				app.Elem("th").Attr("scope", "col").Text("strategy"),
				app.Elem("th").Attr("scope", "col").Class("num").Text("network fetches"),
				app.Elem("th").Attr("scope", "col").Class("num").Text("deduplicated"),
				app.Elem("th").Attr("scope", "col").Class("num").Text("errors"),
				app.Elem("th").Attr("scope", "col").Class("num").Text("wall time, ms"),
				app.Elem("th").Attr("scope", "col").Class("num").Text("longest wait, ms"),
				app.Elem("th").Attr("scope", "col").Class("num").Text("peak fetches / 100 ms"),
				app.Elem("th").Attr("scope", "col").Class("num").Text("p99, ms"),
				app.Elem("th").Attr("scope", "col").Class("num").Text("stale"),
				app.Elem("th").Attr("scope", "col").Class("timeline-col").Text(fmt.Sprintf("timeline, 0 to %.0f ms (same scale)", scale)),
			)),
			app.Elem("tbody").Body(app.Range(c.Rows).Slice(func(i int) app.UI {
				return compareRowUI(c.Rows[i], c.Needed, scale)
			})),
		),
		compareLegend(),
	)
}

// compareRowUI is one strategy's row. Its data- attributes carry the
// numbers under the names of resultObject, from the same runResult that
// window.stampede.compare resolves to.
func compareRowUI(row compareRow, needed int, scale float64) app.UI {
	r := row.Result
	st := r.Stats
	obj := resultObject(r)
	verdict := verdictOf(r, needed)
	tr := app.Elem("tr").Class("compare-row", verdict).DataSet("verdict", verdict)
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		tr = tr.Attr("data-"+kebab(k), attrValue(obj[k]))
	}
	var label string
	switch verdict {
	case verdictOK:
		label = "✓ one fetch per URL"
		if needed != 0 && st.Fetches < needed {
			label = "✓ no extra fetch"
		}
	case verdictStampede:
		label = fmt.Sprintf("✗ stampede: +%d fetches", st.Fetches-needed)
	default:
		label = "stopped"
	}
	num := func(class string, v any) app.UI {
		return app.Elem("td").Class("num", class).Text(v)
	}
	return tr.Body(
		app.Elem("th").Attr("scope", "row").Class("strategy").Body(
			app.Elem("span").Class("name").Text(string(st.Strategy)),
			app.Elem("span").Class("verdict").Text(label),
		),
		num("fetches", st.Fetches),
		num("deduped", st.Deduped),
		num("errors", st.Errors),
		num("wall-ms", fmt.Sprintf("%.0f", st.WallMs)),
		num("max-wait-ms", fmt.Sprintf("%.0f", st.MaxWaitMs)),
		num("peak-fetches", st.PeakFetches),
		num("p99-ms", fmt.Sprintf("%.0f", st.P99Ms)),
		num("stale", st.Stale),
		app.Elem("td").Class("timeline-cell").Body(miniTimeline(row.Bands, scale, fmt.Sprintf(
			"%s: %d network fetches, %d deduplicated, in %.0f ms", st.Strategy, st.Fetches, st.Deduped, st.WallMs))),
	)
}
