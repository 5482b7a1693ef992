package ui

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/stampede-playground/stampede/app/stampede"
)

// Compare runs the current scenario under every strategy in turn, each
// with an empty cache, and shows one table row per strategy with a small
// timeline. Its runs stay off the page's live log and counters: those,
// #run-stats and the exports keep the last Run, and the table says so.
// A compare shares the page's busy state with a run: Run, Clear and
// another compare are refused while it goes on, and Stop cancels it.

// compareStopped is compareView.State after Stop.
const compareStopped = "stopped"

// compareView is the compare table, its progress and its outcome.
type compareView struct {
	State    string       // stateIdle (""), stateRunning, stateDone, stateError or compareStopped
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

// startCompare runs req's scenario under every strategy on the UI
// goroutine's behalf, as startRun does one run: it returns at once and
// the channel receives the outcome once the page shows it. req's strategy
// and Fresh are not used: every strategy runs, each on an empty cache.
func (p *Playground) startCompare(ctx app.Context, req runRequest) (<-chan compareResult, error) {
	if p.running {
		return nil, errBusy
	}
	if !p.ready {
		return nil, errors.New("the page is still opening its cache: try again in a moment")
	}
	check := req
	check.Strategy = stampede.None // any valid one: only scenario, latency and timeout are checked
	j, err := checkRequest(check, p.env.CrossTab != nil)
	if err == nil && p.env.Fetcher == nil {
		err = errors.New("this page has no fetcher: it runs only in a browser")
	}
	if err != nil {
		p.cmp = compareView{State: stateError, Err: err.Error()}
		return nil, err
	}
	strategies, note := compareStrategies(p.env.CrossTab != nil, p.crossTabNote())

	p.runN++
	n := p.runN
	// The page shows what a compare through the API compares; the
	// strategy menu keeps its choice.
	s := req.settings
	s.Strategy = p.settings.Strategy
	if s != p.settings {
		p.setSettings(s)
		p.pushEditorText()
	}
	p.syncURL()

	runCtx, cancel := context.WithCancel(ctx)
	p.running, p.cancel = true, cancel
	p.message = ""
	p.cmp = compareView{
		State:    stateRunning,
		Progress: progress(strategies[0], 1, len(strategies)),
		Note:     note,
		Total:    len(strategies),
		Workers:  j.scenario.TotalWorkers(),
		URLs:     len(j.scenario.URLs()),
		Needed:   neededFetches(j.scenario),
		Latency:  j.latency.String(),
	}
	base := p.runID(n)
	opts := p.options(j, "", nil, "")
	out := make(chan compareResult, 1)
	ctx.Async(func() {
		res := compareResult{Total: len(strategies)}
		for i, st := range strategies {
			if i > 0 {
				msg := progress(st, i+1, len(strategies))
				ctx.Dispatch(func(app.Context) {
					if n == p.runN {
						p.cmp.Progress = msg
					}
				})
			}
			if err := opts.Store.Clear(runCtx); err != nil {
				if runCtx.Err() != nil {
					res.Stopped = true
				} else {
					res.Err = fmt.Sprintf("clearing the cache before %s: %v", st, err)
				}
				break
			}
			r := runResult{RunID: base + "-" + string(st)}
			log := stampede.NewLog(logSize)
			o := opts
			o.Strategy, o.Log, o.RunID = st, log, r.RunID
			var err error
			r.Stats, err = stampede.Run(runCtx, j.scenario, o)
			r.Stopped, r.Err = ended(runCtx, err)
			row := compareRow{Result: r, Bands: bandsOf(log.Since(0))}
			ctx.Dispatch(func(app.Context) {
				if n == p.runN {
					p.cmp.Rows = append(p.cmp.Rows, row)
				}
			})
			res.Results = append(res.Results, r)
			if r.Err != "" {
				res.Err = string(st) + ": " + r.Err
				break
			}
			if r.Stopped {
				res.Stopped = true
				break
			}
		}
		ctx.Dispatch(func(ctx app.Context) { p.finishCompare(ctx, n, res, out) })
	})
	return out, nil
}

// finishCompare ends compare n on the page, then hands its outcome to
// out once the page shows it.
func (p *Playground) finishCompare(ctx app.Context, n int, res compareResult, out chan<- compareResult) {
	if n != p.runN {
		return
	}
	p.endBusy()
	p.cmp.Progress = ""
	switch {
	case res.Err != "":
		p.cmp.State, p.cmp.Err = stateError, res.Err
	case res.Stopped:
		p.cmp.State = compareStopped
	default:
		p.cmp.State = stateDone
	}
	ctx.Defer(func(app.Context) { out <- res })
}

func (p *Playground) onCompare(ctx app.Context, e app.Event) {
	_, _ = p.startCompare(ctx, runRequest{settings: p.settings}) // an error shows in #compare-status
}

// compareFields is window.stampede.compare on the UI goroutine: missing
// fields take the page's current values.
func (p *Playground) compareFields(ctx app.Context, fields map[string]any) (<-chan compareResult, error) {
	if p.running {
		return nil, errBusy
	}
	for _, k := range []string{"strategy", "fresh"} {
		if _, ok := fields[k]; ok {
			return nil, fmt.Errorf("compare: option %q is not taken: compare runs every strategy, each with an empty cache", k)
		}
	}
	req, err := resolveRequest(fields, p.settings)
	if err != nil {
		err = errors.New("compare: " + strings.TrimPrefix(err.Error(), "run: "))
		p.cmp = compareView{State: stateError, Err: err.Error()}
		return nil, err
	}
	return p.startCompare(ctx, req)
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

// compareFunc is window.stampede.compare({scenario, preset, latency,
// timeout}): a Promise of compareObjects. It rejects for invalid input,
// while a run or compare is in progress, when Stop cancels it, and when
// a run of it fails.
func (p *Playground) compareFunc(ctx app.Context) app.Func {
	return app.FuncOf(func(this app.Value, args []app.Value) any {
		arg := app.Undefined()
		if len(args) > 0 {
			arg = args[0]
		}
		var fields map[string]any
		var argErr error
		switch t := arg.Type(); t {
		case app.TypeUndefined, app.TypeNull, app.TypeObject:
			fields, argErr = jsFields(arg)
		default:
			argErr = fmt.Errorf("compare: want an options object like {scenario, latency}, got %s", jsTypeName(t))
		}
		return rawJS(newPromise(func(resolve func(any), reject func(error)) {
			if argErr != nil {
				reject(argErr)
				return
			}
			ctx.Dispatch(func(ctx app.Context) {
				out, err := p.compareFields(ctx, fields)
				if err != nil {
					reject(err)
					return
				}
				ctx.Async(func() {
					select {
					case res := <-out:
						switch {
						case res.Err != "":
							reject(errors.New("compare: " + res.Err))
						case res.Stopped:
							reject(fmt.Errorf("compare stopped after %d of %d strategies", len(res.Results), res.Total))
						default:
							resolve(compareObjects(res))
						}
					case <-ctx.Done():
						reject(errors.New("the page was closed during the compare"))
					}
				})
			})
		}))
	})
}

// Rendering.

// renderTools is the section under the editor and the results: the
// compare, export and share buttons, their messages and the compare table.
func (p *Playground) renderTools() app.UI {
	busy := p.running || !p.ready
	cmpBtn := app.Button().ID("compare-run").Type("button").Class("primary").
		Text("Compare all strategies").OnClick(p.onCompare).
		Title("run this scenario under every strategy, each with an empty cache")
	if busy {
		cmpBtn = cmpBtn.Disabled(true)
	}
	return app.Section().ID("tools").Class("panel", "tools").Aria("label", "compare, export and share").Body(
		app.Div().Class("buttons").Body(cmpBtn, p.renderExportButtons(), p.renderShareButton()),
		p.renderToolsStatus(),
		p.renderCompare(),
	)
}

func (p *Playground) renderCompare() app.UI {
	c := p.cmp
	state := c.State
	if state == "" {
		state = stateIdle
	}
	var text string
	switch state {
	case stateIdle:
		text = "Compare runs the scenario under every strategy, each with an empty cache (the cache is cleared). " +
			"Its runs stay off the live log; the log and the downloads keep the last Run."
	case stateRunning:
		text = c.Progress
	case stateError:
		text = "Not compared: " + c.Err
	case compareStopped:
		text = fmt.Sprintf("Stopped after %d of %d strategies.", len(c.Rows), c.Total)
	default:
		text = fmt.Sprintf("Compared %d strategies on %s, %s, %s added latency, each with an empty cache: %s enough. "+
			"These runs are not in the live log.",
			len(c.Rows), plural(c.Workers, "worker"), plural(c.URLs, "URL"), c.Latency, fetchesEnough(c.Needed))
	}
	status := app.Output().ID("compare-status").Class("status", "compare-status", state).
		Aria("live", "polite").DataSet("state", state).Text(text)
	return app.Div().ID("compare-view").Body(
		status,
		app.If(c.Note != "", app.P().ID("compare-note").Class("status", "note").Text(c.Note)),
		app.If(len(c.Rows) > 0, p.renderCompareTable()),
	)
}

func fetchesEnough(n int) string {
	if n == 1 {
		return "1 network fetch is"
	}
	return strconv.Itoa(n) + " network fetches are"
}

func (p *Playground) renderCompareTable() app.UI {
	c := p.cmp
	scale := compareScale(c.Rows)
	return app.Div().Class("compare-wrap").Body(
		app.Table().ID("compare").Class("compare").Body(
			app.Caption().Text(fmt.Sprintf("Every strategy on the same scenario: %s needed. "+
				"Red rows stampede: concurrent misses all went to the network.", fetchesEnough(c.Needed))),
			app.THead().Body(app.Tr().Body(
				app.Th().Scope("col").Text("strategy"),
				app.Th().Scope("col").Class("num").Text("network fetches"),
				app.Th().Scope("col").Class("num").Text("deduplicated"),
				app.Th().Scope("col").Class("num").Text("errors"),
				app.Th().Scope("col").Class("num").Text("wall time, ms"),
				app.Th().Scope("col").Class("num").Text("longest wait, ms"),
				app.Th().Scope("col").Class("timeline-col").Text(fmt.Sprintf("timeline, 0 to %.0f ms (same scale)", scale)),
			)),
			app.TBody().Body(app.Range(c.Rows).Slice(func(i int) app.UI {
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
	tr := app.Tr().Class("compare-row", verdict).DataSet("verdict", verdict)
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
		return app.Td().Class("num", class).Text(v)
	}
	return tr.Body(
		app.Th().Scope("row").Class("strategy").Body(
			app.Span().Class("name").Text(string(st.Strategy)),
			app.Span().Class("verdict").Text(label),
		),
		num("fetches", st.Fetches),
		num("deduped", st.Deduped),
		num("errors", st.Errors),
		num("wall-ms", fmt.Sprintf("%.0f", st.WallMs)),
		num("max-wait-ms", fmt.Sprintf("%.0f", st.MaxWaitMs)),
		app.Td().Class("timeline-cell").Body(miniTimeline(row.Bands, scale, fmt.Sprintf(
			"%s: %d network fetches, %d deduplicated, in %.0f ms", st.Strategy, st.Fetches, st.Deduped, st.WallMs))),
	)
}
