package ui

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/stampede-playground/stampede/app/stampede"
)

// Playground is the page. All its state lives here and changes only on
// the UI goroutine (event handlers and ctx.Dispatch); runs happen in
// ctx.Async and report back through ctx.Dispatch.
type Playground struct {
	app.Compo

	env Env // set once by NewPlayground; the route makes a new page per load

	// Browser seams: the page's URL and history.replaceState. Tests
	// replace them.
	location   func() *url.URL
	replaceURL func(string)
	openTab    func(string) // window.open with noopener

	// The editor.
	settings     settings // text, strategy and latency as edited
	editorText   string   // the text last pushed into the textarea
	parseErr     string   // the scenario's parse error, live
	scenarioInfo string   // "3 workers, 2 URLs" when it parses
	latencyErr   string
	paramErrs    []string // invalid URL parameters, one message each
	notice       string   // the store's fallback notice
	message      string   // the outcome of the last Clear cache
	urlPending   bool     // a URL update is scheduled

	// The cache.
	store stampede.Store
	ready bool // the store is open and window.stampede defined

	// The current or last run.
	runN    int // runs started; tags dispatches so a stale one is ignored
	running bool
	cancel  context.CancelFunc // cancels the running run
	state   string             // stateIdle, stateRunning, stateDone or stateError
	result  runResult
	live    stampede.Stats   // counters, updated while running
	events  []stampede.Event // the newest logSize events of the run
	total   int              // events the run ever logged
	dropped int              // events its Log's ring let go
	groups  []workerGroup

	// The log view, derived from events and filter by refreshView.
	filter  filter
	lines   []logLine
	matched int

	api *jsAPI // window.stampede, while mounted

	// Other tabs (tabs.go).
	tab        string            // this tab's id, on its run ids and its broadcast events
	remoteRuns map[string]string // another tab's run id -> that tab's id
	runStart   time.Time         // the wall time the log's times count from
	stopTabs   func()            // ends the subscription to other tabs, while mounted

	// Hosting (hosting.go).
	embed       bool   // embed=1: only the editor, the counters and the log
	updateReady bool   // a new version is installed: the update notice shows
	stopWatch   func() // removes watchUpdate's listener, while mounted

	// Compare, export and share (compare.go, export.go, share.go).
	runSettings settings                                   // what the current or last run ran, for its export
	cmp         compareView                                // the compare table and its progress
	tools       toolsState                                 // the outcome of the last download or Copy link
	saveFile    func(name, mime string, data []byte) error // nil: a browser download; tests replace it
	copyText    func(text string, done func(error))        // nil: navigator.clipboard; tests replace it

	// The cache inspector (cacheview.go); the code panel (code.go) has no state.
	cache cacheView

	// Replay (replay.go): the cursor the log, the counters and the
	// timeline (timeline.go) follow after a run.
	replay replayState
}

// workerGroup is a scenario line: crowd for crowd#1 … crowd#50.
type workerGroup struct {
	Name  string
	Count int
}

func groupsOf(s *stampede.Scenario) []workerGroup {
	gs := make([]workerGroup, len(s.Workers))
	for i, w := range s.Workers {
		gs[i] = workerGroup{w.Name, w.Count}
	}
	return gs
}

func newPlayground(env Env) *Playground {
	p := &Playground{
		env:        env,
		location:   func() *url.URL { return app.Window().URL() },
		replaceURL: replaceURL,
		openTab:    openTab,
		state:      stateIdle,
		tab:        newTabID(),
	}
	p.setSettings(defaultSettings())
	p.refreshView()
	return p
}

// replaceURL is history.replaceState(null, "", u); natively a no-op.
func replaceURL(u string) {
	app.Window().Get("history").Call("replaceState", nil, "", u)
}

// OnMount applies the URL's parameters, opens the store, defines
// window.stampede and, for run=1, starts a run.
func (p *Playground) OnMount(ctx app.Context) {
	// ParseQuery, unlike URL.Query, says when an escape is malformed; the
	// pairs it could read still count.
	q, qerr := url.ParseQuery(p.location().RawQuery)
	start := parseParams(q, p.settings, p.env.CrossTab != nil)
	p.setSettings(start.settings)
	p.paramErrs = start.Errors
	if qerr != nil {
		p.paramErrs = append([]string{"URL parameters: " + qerr.Error() + ": that parameter was ignored"}, p.paramErrs...)
	}
	p.stopTabs = p.subscribeTabs(ctx)
	p.embed = start.Embed
	p.stopWatch = p.watchUpdate(ctx)
	if p.env.OpenStore == nil {
		p.storeOpened(ctx, new(stampede.MemoryStore), "", start)
		return
	}
	open := p.env.OpenStore
	ctx.Async(func() {
		s, notice := open(ctx)
		ctx.Dispatch(func(ctx app.Context) { p.storeOpened(ctx, s, notice, start) })
	})
}

func (p *Playground) storeOpened(ctx app.Context, s stampede.Store, notice string, start startup) {
	if s == nil {
		s = new(stampede.MemoryStore)
		if notice == "" {
			notice = "No cache store could be opened: the cache lives in memory and is lost when the page closes."
		}
	}
	p.store, p.notice, p.ready = s, notice, true
	p.api = installAPI(ctx, p)
	p.syncURL()
	p.refreshCache(ctx)
	switch {
	case start.Run:
		req := runRequest{settings: p.settings, Fresh: start.Fresh}
		_, _ = p.startRun(ctx, req) // an error shows in #run-stats
	case start.Fresh:
		p.clearCache(ctx)
	}
}

// OnDismount stops a run and removes window.stampede.
func (p *Playground) OnDismount() {
	if p.cancel != nil {
		p.cancel()
	}
	if p.api != nil {
		p.api.uninstall()
		p.api = nil
	}
	if p.stopTabs != nil {
		p.stopTabs()
		p.stopTabs = nil
	}
	if p.stopWatch != nil {
		p.stopWatch()
		p.stopWatch = nil
	}
}

// setSettings loads s into the editor, from a preset, the URL or a run
// request, and checks it.
func (p *Playground) setSettings(s settings) {
	p.settings = s
	p.editorText = s.Text
	p.checkText()
	p.checkLatency()
}

func (p *Playground) checkText() {
	p.parseErr, p.scenarioInfo = "", ""
	sc, err := stampede.Parse(p.settings.Text)
	if err != nil {
		p.parseErr = err.Error()
		return
	}
	p.scenarioInfo = plural(sc.TotalWorkers(), "worker") + ", " + plural(len(sc.URLs()), "URL")
}

func (p *Playground) checkLatency() {
	p.latencyErr = ""
	if _, err := parseLatency(p.settings.Latency); err != nil {
		p.latencyErr = err.Error()
	}
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// syncURL writes the settings into the page's URL.
func (p *Playground) syncURL() {
	p.replaceURL(stateURL(p.location(), p.settings))
}

// syncURLSoon writes the URL at most every 300 ms while the user types:
// browsers throttle history.replaceState.
func (p *Playground) syncURLSoon(ctx app.Context) {
	if p.urlPending {
		return
	}
	p.urlPending = true
	ctx.After(300*time.Millisecond, func(app.Context) {
		p.urlPending = false
		p.syncURL()
	})
}

// refreshView recomputes the log lines from the events and the filter.
func (p *Playground) refreshView() {
	max := MaxLines
	if p.running {
		max = LiveLines
	}
	p.lines, p.matched = buildView(p.shownEvents(), p.filter, max)
	p.markServed()
}

// Event handlers.

func (p *Playground) onText(ctx app.Context, e app.Event) {
	p.editText(ctx, ctx.JSSrc().Get("value").String())
}

// editText takes the editor's text as typed or pasted. The parser refuses
// text over stampede.MaxTextBytes at once, so a 10 MB paste costs one
// length check, and stateURL leaves such text out of the URL.
func (p *Playground) editText(ctx app.Context, text string) {
	p.settings.Text = text
	p.checkText()
	p.syncURLSoon(ctx)
}

func (p *Playground) onPreset(ctx app.Context, e app.Event) {
	pr, err := stampede.LookupPreset(ctx.JSSrc().Get("value").String())
	if err != nil { // the "custom" entry
		return
	}
	s := p.settings
	s.Text = pr.Text
	if pr.Strategy != "" {
		s.Strategy = pr.Strategy
	}
	p.setSettings(s)
	p.pushEditorText()
	p.syncURL()
}

// pushEditorText puts the settings' text into the textarea even when the
// rendered value did not change (the same preset chosen again after an
// edit). This is the one place the page writes the DOM itself.
func (p *Playground) pushEditorText() {
	if el := app.Window().GetElementByID("scenario"); el.Truthy() {
		el.Set("value", p.settings.Text)
	}
}

func (p *Playground) onStrategy(ctx app.Context, e app.Event) {
	p.settings.Strategy = stampede.Strategy(ctx.JSSrc().Get("value").String())
	p.syncURL()
}

func (p *Playground) onLatency(ctx app.Context, e app.Event) {
	p.settings.Latency = ctx.JSSrc().Get("value").String()
	p.checkLatency()
	p.syncURLSoon(ctx)
}

func (p *Playground) onRun(ctx app.Context, e app.Event) {
	_, _ = p.startRun(ctx, runRequest{settings: p.settings}) // an error shows in #run-stats
}

func (p *Playground) onStop(ctx app.Context, e app.Event) {
	if p.cancel != nil {
		p.cancel()
	}
}

func (p *Playground) onDismissParams(ctx app.Context, e app.Event) { p.paramErrs = nil }

func (p *Playground) onClear(ctx app.Context, e app.Event) { p.clearCache(ctx) }

// clearCache empties the store in the background.
func (p *Playground) clearCache(ctx app.Context) {
	if !p.ready || p.running {
		return
	}
	store := p.store
	p.message = "Clearing the cache…"
	ctx.Async(func() {
		n := 0
		if keys, err := store.Keys(ctx); err == nil {
			n = len(keys)
		}
		msg := fmt.Sprintf("Cache cleared: %d entries removed.", n)
		if err := store.Clear(ctx); err != nil {
			msg = "Clearing the cache failed: " + err.Error()
		}
		ctx.Dispatch(func(ctx app.Context) { p.message = msg; p.refreshCache(ctx) })
	})
}

func (p *Playground) onGroupFilter(ctx app.Context, e app.Event) {
	p.filter.Group = ctx.JSSrc().Get("value").String()
	p.refreshView()
}

func (p *Playground) onKindFilter(ctx app.Context, e app.Event) {
	p.filter.Kind = ctx.JSSrc().Get("value").String()
	p.refreshView()
}

// Render.

func (p *Playground) Render() app.UI {
	root := app.Div().ID("playground").Class("playground")
	if p.embed {
		root = root.Class("embed")
	}
	return root.Body(
		app.If(!p.embed, app.Header().Class("top").Body(
			app.H1().Text("Stampede"),
			app.P().Class("tagline").Text("what a lock around a cache is for"),
		)),
		app.If(p.updateReady, p.renderUpdate()),
		app.If(p.notice != "",
			app.P().ID("notice").Class("banner", "notice").Role("status").Text(p.notice),
		),
		app.If(len(p.paramErrs) > 0,
			app.Div().ID("param-errors").Class("banner", "warn").Role("alert").Body(
				app.Button().ID("dismiss-params").Type("button").Class("dismiss").
					Aria("label", "dismiss the parameter messages").Text("×").OnClick(p.onDismissParams),
				app.P().Text("Some URL parameters were not used:"),
				app.Ul().Body(app.Range(p.paramErrs).Slice(func(i int) app.UI {
					return app.Li().Text(p.paramErrs[i])
				})),
			),
		),
		app.Main().Class("grid").Body(
			p.renderEditor(),
			p.renderResults(),
		),
		app.If(!p.embed, p.renderTools()),
		app.If(!p.embed, p.renderFooter()),
	)
}

func (p *Playground) renderEditor() app.UI {
	preset := matchPreset(p.settings.Text)
	presets := stampede.Presets()
	return app.Section().ID("editor").Class("panel", "editor").Aria("label", "scenario editor").Body(
		app.Div().Class("field").Body(
			app.Label().For("preset").Text("Preset"),
			app.Select().ID("preset").OnChange(p.onPreset).Body(
				app.If(preset == "", option("", "custom scenario", true)),
				app.Range(presets).Slice(func(i int) app.UI {
					pr := presets[i]
					return option(pr.Name, pr.Title, pr.Name == preset)
				}),
			),
		),
		app.Div().Class("field").Body(
			app.Label().For("scenario").Text("Scenario: one worker per line, name [xN]: step; step"),
			app.Textarea().ID("scenario").Rows(9).Spellcheck(false).
				Aria("describedby", "scenario-status").Aria("invalid", p.parseErr != "").
				Text(p.editorText).OnInput(p.onText).
				Body(app.Text(p.editorText)),
			app.If(p.parseErr != "",
				app.P().ID("scenario-status").Class("status", "err").Role("status").Text(p.parseErr),
			).Else(
				app.P().ID("scenario-status").Class("status", "ok").Role("status").Text("ok: "+p.scenarioInfo),
			),
		),
		p.renderStrategy(),
		app.Div().Class("field").Body(
			app.Label().For("latency").Text("Added latency before each network fetch (not network time)"),
			app.Input().ID("latency").Type("text").Value(p.settings.Latency).Spellcheck(false).
				Attr("inputmode", "text").Aria("describedby", "latency-status").
				Aria("invalid", p.latencyErr != "").OnInput(p.onLatency),
			app.If(p.latencyErr != "",
				app.P().ID("latency-status").Class("status", "err").Role("status").Text(p.latencyErr),
			).Else(
				app.P().ID("latency-status").Class("status").Text("a Go duration, 0 to "+MaxLatency.String()),
			),
		),
		p.renderButtons(),
		app.If(p.message != "", app.P().ID("cache-message").Class("status").Role("status").Text(p.message)),
		app.If(preset == "seed" && !p.embed, explainSeed()),
		app.If(!p.embed, p.renderCode()),
	)
}

func option(value, label string, selected bool) app.HTMLOption {
	o := app.Option().Value(value).Text(label)
	if selected {
		o = o.Selected(true)
	}
	return o
}

func (p *Playground) renderStrategy() app.UI {
	strategies := stampede.Strategies()
	cur := p.settings.Strategy
	crossTab := p.env.CrossTab != nil
	return app.Div().Class("field").Body(
		app.Label().For("strategy").Text("Strategy"),
		app.Select().ID("strategy").OnChange(p.onStrategy).Body(
			app.Range(strategies).Slice(func(i int) app.UI {
				s := strategies[i]
				o := option(string(s), string(s), s == cur)
				if s == stampede.CrossTab && !crossTab {
					o = o.Text("crosstab (not available)").Disabled(true)
				}
				return o
			}),
		),
		app.P().ID("strategy-describe").Class("status").Text(cur.Describe()),
		app.If(!crossTab,
			app.P().ID("crosstab-note").Class("status", "note").Text(p.crossTabNote()),
		),
	)
}

func (p *Playground) renderButtons() app.UI {
	run := app.Button().ID("run").Type("button").Class("primary").Text("Run").OnClick(p.onRun)
	if p.running || !p.ready {
		run = run.Disabled(true)
	}
	stop := app.Button().ID("stop").Type("button").Text("Stop").OnClick(p.onStop)
	if !p.running {
		stop = stop.Disabled(true)
	}
	clear := app.Button().ID("clear").Type("button").Text("Clear cache").OnClick(p.onClear)
	if p.running || !p.ready {
		clear = clear.Disabled(true)
	}
	second := app.Button().ID("second-tab").Type("button").Text("Open a second tab").
		Title("open this scenario under crosstab in a new tab; this tab switches to crosstab too").
		OnClick(p.onSecondTab)
	if p.env.CrossTab == nil {
		second = second.Disabled(true).Title(p.crossTabNote())
	}
	return app.Div().Class("buttons").Body(run, stop, clear, second)
}

func explainSeed() app.UI {
	return app.Aside().ID("explain").Class("explain").Body(
		app.H2().Text("What you are seeing"),
		app.P().Text("parse_stuff and use_stuff both get data/stuff.json inside one lock: "+
			"the first holds the lock while it fetches, the second waits, then finds the answer "+
			"in the cache. One network fetch, one deduplicated request."),
		app.P().Text("do_work fetches data/other.json without the cache or its lock, "+
			"so it is never blocked: its fetch runs while the others wait."),
		app.P().Text("Try the strategy none to see two fetches of stuff.json, or percall for the bug "+
			"of creating the lock inside the function."),
	)
}

func (p *Playground) renderResults() app.UI {
	attrs := runStatsAttrs(p.state, p.result)
	out := app.Output().ID("run-stats").Class("run-stats", p.state).Aria("live", "polite")
	for _, a := range attrs {
		out = out.Attr(a.Name, a.Value)
	}
	filtered := p.filter.active()
	return app.Section().ID("results").Class("panel", "results").Aria("label", "run results").Body(
		out.Text(summary(p.state, p.result)),
		newCounters().Stats(p.shownStats()),
		p.renderTimeline(),
		p.renderFilters(),
		app.P().ID("log-note").Class("status").Text(viewNote(len(p.lines), p.matched, p.total, p.dropped, filtered)),
		app.Section().ID("log").Class("log").Role("log").Aria("live", "polite").
			Aria("relevant", "additions").Aria("label", "live log").TabIndex(0).Body(
			newLogList().Lines(p.lines),
		),
		app.P().Class("legend").Body(
			app.Span().Class("line", "net").Text("network fetch"),
			app.Span().Class("line", "dedup").Text("deduplicated: cache hit or shared"),
			app.Span().Class("line", "err").Text("error"),
			app.Span().Class("line", "lock").Text("lock"),
		),
		app.If(!p.embed, p.renderCache()),
	)
}

// kindChoices are the kind filter's entries: the classes, then each kind.
func kindChoices() [][2]string {
	c := [][2]string{
		{"", "all kinds"},
		{classNet, "network fetches"},
		{classDedup, "deduplicated"},
		{classErr, "errors"},
		{classLock, "lock events"},
	}
	for _, k := range stampede.Kinds() {
		c = append(c, [2]string{k.String(), k.String()})
	}
	return c
}

func (p *Playground) renderFilters() app.UI {
	kinds := kindChoices()
	return app.Div().Class("filters").Body(
		app.Label().For("filter-group").Text("Workers"),
		app.Select().ID("filter-group").OnChange(p.onGroupFilter).Body(
			option("", "all workers", p.filter.Group == ""),
			app.Range(p.groups).Slice(func(i int) app.UI {
				g := p.groups[i]
				label := g.Name
				if g.Count > 1 {
					label = fmt.Sprintf("%s (%s#1…%d)", g.Name, g.Name, g.Count)
				}
				return option(g.Name, label, g.Name == p.filter.Group)
			}),
		),
		app.Label().For("filter-kind").Text("Kind"),
		app.Select().ID("filter-kind").OnChange(p.onKindFilter).Body(
			app.Range(kinds).Slice(func(i int) app.UI {
				return option(kinds[i][0], kinds[i][1], kinds[i][0] == p.filter.Kind)
			}),
		),
	)
}
