package ui

import (
	"fmt"
	"net/url"
	"time"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/stampede-playground/stampede/app/stampede"
)

// Playground is the page: the editor (settings), the layout and the URL.
// The route makes a new page per load, with the Env of NewPlayground.
// Runs belong to its runner; the views (status, replay and timeline, log,
// cache inspector, tools and compare) are components that read and call
// the runner, each holding its own state. All state changes on the UI
// goroutine (event handlers and ctx.Dispatch); runs happen in ctx.Async.
type Playground struct {
	app.Compo

	browser browser

	// The editor.
	settings   settings  // text, strategy and latency as edited
	edit       editCheck // what the editor shows of them
	paramErrs  []string  // invalid URL parameters, one message each
	urlPending bool      // a URL update is scheduled
	embed      bool      // embed=1: only the editor, the counters and the log
	lesson     string    // the open lesson's name, "" outside the lessons
	editorOpen bool      // during a lesson, the editor and the code show

	// below is whether the panels under the first screen (the cache
	// inspector, the code, the tools and compare view) are
	// mounted. In the browser they are mounted only once window.stampede
	// is defined, so that the first render is small and the page is
	// ready sooner; the prerendered page has them from the start.
	below bool

	run   *runner
	views views
	api   *jsAPI   // window.stampede, while mounted
	stops []func() // ends the page's subscriptions, while mounted
	drawn pageKey  // what the page last drew of its runner
}

// pageKey is what the page itself draws of its runner (the views draw
// the rest): the page draws again only when it changes, not on every
// batch of a run. Drawing the editor and the code on every batch took
// tens of milliseconds each time.
type pageKey struct {
	notice   string
	settings settings // a run through the API shows its own
}

func (p *Playground) key() pageKey { return pageKey{notice: p.run.notice, settings: p.settings} }

// browser is the page's seams to the browser: its URL,
// history.replaceState and window.open. Tests replace them.
type browser struct {
	location   func() *url.URL
	replaceURL func(string)
	openTab    func(string) // window.open with noopener
}

// editCheck is what the editor shows of the settings: the text last
// pushed into the textarea and what checking the settings said.
type editCheck struct {
	text         string // the text last pushed into the textarea
	parseErr     string // the scenario's parse error, live
	scenarioInfo string // "3 workers, 2 URLs" when it parses
	latencyErr   string
	ttlErr       string
	betaErr      string
}

// drawEvery is how often the views that draw a run's whole history (the
// timeline, the load) follow it while it goes on: a 10,000-event
// timeline takes tens of milliseconds to lay out and draw.
const drawEvery = time.Second

// views are the page's components, made once and kept across renders.
type views struct {
	status  *runStatus
	buttons *runButtons
	replay  *replayPanel
	load    *loadPanel
	log     *logPanel
	cache   *cacheInspector
	tools   *toolsPanel
	update  *updateNotice
	lessons *lessonPanel
}

func newPlayground(env Env) *Playground {
	r := newRunner(env)
	p := &Playground{
		browser: browser{
			location:   func() *url.URL { return app.Window().URL() },
			replaceURL: replaceURL,
			openTab:    openTab,
		},
		run:   r,
		below: !app.IsClient,
	}
	p.views = views{
		status: &runStatus{runView: runView{run: r, settle: true}},
		replay: &replayPanel{runView: runView{run: r, every: drawEvery}},
		load:   &loadPanel{runView: runView{run: r, every: drawEvery}},
		log:    newLogPanel(r),
		cache:  &cacheInspector{runView: runView{run: r, every: drawEvery}},
		tools:  newToolsPanel(r, func() settings { return p.settings }, p.location),
		update: &updateNotice{Iversion: env.Version},
		lessons: newLessonPanel(r, lessonHooks{
			opened: p.openLesson, closed: p.closeLessons,
			location: p.location, openTab: func(u string) { p.browser.openTab(u) },
		}),
	}
	p.views.buttons = &runButtons{runView: runView{run: r}, page: p}
	r.show = p.show
	p.setSettings(defaultSettings())
	return p
}

func (p *Playground) location() *url.URL { return p.browser.location() }

// show puts the settings a run runs in the editor and the URL: a run
// through the API may run other settings than the editor's.
// The URL follows soon after (syncURLSoon): replaceState of a long
// scenario's URL took 25 ms of the task that starts the run.
func (p *Playground) show(ctx app.Context, s settings) {
	if s != p.settings {
		p.setSettings(s)
		p.pushEditorText()
	}
	p.syncURLSoon(ctx)
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
	start := parseParams(q, p.settings, p.run.env.CrossTab != nil)
	p.setSettings(start.settings)
	p.paramErrs = start.Errors
	if qerr != nil {
		p.paramErrs = append([]string{"URL parameters: " + qerr.Error() + ": that parameter was ignored"}, p.paramErrs...)
	}
	p.embed = start.Embed
	if start.Lesson != "" {
		p.views.lessons.openNamed(start.Lesson)
	}
	p.run.home = ctx
	p.stops = append(p.stops, p.run.watch(func() {
		if k := p.key(); k != p.drawn {
			p.drawn = k
			ctx.Dispatch(func(app.Context) {})
		}
	}))
	if stop := p.run.subscribeTabs(ctx); stop != nil {
		p.stops = append(p.stops, stop)
	}
	if p.run.env.OpenStore == nil {
		p.storeOpened(ctx, new(stampede.MemoryStore), "", start)
		return
	}
	open := p.run.env.OpenStore
	ctx.Async(func() {
		s, notice := open(ctx)
		ctx.Dispatch(func(ctx app.Context) { p.storeOpened(ctx, s, notice, start) })
	})
}

func (p *Playground) storeOpened(ctx app.Context, s stampede.Store, notice string, start startup) {
	p.run.ttl, _ = parseTTL(p.settings.TTL) // until a run says otherwise
	p.run.opened(s, notice)
	p.api = installAPI(ctx, p.run, func() settings { return p.settings })
	p.syncURL()
	if !p.below {
		// After this update is drawn: the page shows it is ready first.
		ctx.Defer(func(ctx app.Context) {
			ctx.Dispatch(func(app.Context) { p.below = true })
		})
	}
	switch {
	case start.Run && p.lesson != "":
		// A lesson's run clears the cache unless the link says fresh=0.
		p.views.lessons.runLesson(ctx, start.Fresh || !start.FreshSet)
	case start.Run:
		req := runRequest{settings: p.settings, Fresh: start.Fresh}
		_, _ = p.run.start(ctx, req) // an error shows in #run-stats
	case start.Fresh:
		p.run.clearCache(ctx)
	}
}

// OnDismount stops a run and removes window.stampede.
func (p *Playground) OnDismount() {
	p.run.stop()
	if p.api != nil {
		p.api.uninstall()
		p.api = nil
	}
	for _, stop := range p.stops {
		stop()
	}
	p.stops = nil
	p.run.home, p.run.draws = nil, drawQueue{}
}

// setSettings loads s into the editor, from a preset, the URL or a run
// request, and checks it.
func (p *Playground) setSettings(s settings) {
	p.settings = s
	p.edit.text = s.Text
	p.checkText()
	p.checkOptions()
}

func (p *Playground) checkText() {
	p.edit.parseErr, p.edit.scenarioInfo = "", ""
	sc, err := stampede.Parse(p.settings.Text)
	if err != nil {
		p.edit.parseErr = err.Error()
		return
	}
	p.edit.scenarioInfo = plural(sc.TotalWorkers(), "worker") + ", " + plural(len(sc.URLs()), "URL")
}

// checkOptions checks the latency, ttl and beta as typed.
func (p *Playground) checkOptions() {
	p.edit.latencyErr, p.edit.ttlErr, p.edit.betaErr = "", "", ""
	if _, err := parseLatency(p.settings.Latency); err != nil {
		p.edit.latencyErr = err.Error()
	}
	if _, err := parseTTL(p.settings.TTL); err != nil {
		p.edit.ttlErr = err.Error()
	}
	if _, err := parseBeta(p.settings.Beta); err != nil {
		p.edit.betaErr = err.Error()
	}
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// syncURL writes the settings into the page's URL; during a lesson the
// URL is the lesson's link.
func (p *Playground) syncURL() {
	if p.lesson != "" {
		p.browser.replaceURL(lessonURL(p.location(), p.lesson))
		return
	}
	p.browser.replaceURL(stateURL(p.location(), p.settings))
}

// syncURLSoon writes the URL at most every 300 ms while the user types:
// browsers throttle history.replaceState.
func (p *Playground) syncURLSoon(ctx app.Context) {
	if p.urlPending {
		return
	}
	p.urlPending = true
	after(ctx, 300*time.Millisecond, func(app.Context) { // the page shows nothing of it
		p.urlPending = false
		p.syncURL()
	})
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
	p.setSettings(withPreset(p.settings, pr))
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

func (p *Playground) onLatency(ctx app.Context, e app.Event) { p.editOption(ctx, &p.settings.Latency) }
func (p *Playground) onTTL(ctx app.Context, e app.Event)     { p.editOption(ctx, &p.settings.TTL) }
func (p *Playground) onBeta(ctx app.Context, e app.Event)    { p.editOption(ctx, &p.settings.Beta) }

// editOption takes an option's input as typed into to.
func (p *Playground) editOption(ctx app.Context, to *string) {
	*to = ctx.JSSrc().Get("value").String()
	p.checkOptions()
	p.syncURLSoon(ctx)
}

func (p *Playground) onRun(ctx app.Context, e app.Event) {
	_, _ = p.run.start(ctx, runRequest{settings: p.settings}) // an error shows in #run-stats
}

func (p *Playground) onStop(ctx app.Context, e app.Event) { p.run.stop() }

func (p *Playground) onDismissParams(ctx app.Context, e app.Event) { p.paramErrs = nil }

func (p *Playground) onClear(ctx app.Context, e app.Event) { p.run.clearCache(ctx) }

// Render.

func (p *Playground) Render() app.UI {
	root := app.Div().ID("playground").Class("playground")
	if p.embed {
		root = root.Class("embed")
	}
	inLesson := p.lesson != ""
	if inLesson {
		root = root.Class("in-lesson")
	}
	return root.Body(
		when(!p.embed, app.Elem("header").Class("top").Body(
			app.Elem("h1").Text("Stampede"),
			app.P().Class("tagline").Text("what a lock around a cache is for"),
			app.If(!inLesson, app.Elem("button").ID("lessons-open").Attr("type", "button").Class("lessons-open").
				Text("Lessons: from the stampede to its fixes").OnClick(p.onLessons)),
		)),
		p.views.update,
		when(p.run.notice != "",
			app.P().ID("notice").Class("banner", "notice").Role("status").Text(p.run.notice),
		),
		when(len(p.paramErrs) > 0,
			app.Div().ID("param-errors").Class("banner", "warn").Role("alert").Body(
				app.Elem("button").ID("dismiss-params").Attr("type", "button").Class("dismiss").
					Aria("label", "dismiss the parameter messages").Text("×").OnClick(p.onDismissParams),
				app.P().Text("Some URL parameters were not used:"),
				app.Elem("ul").Body(app.Range(p.paramErrs).Slice(func(i int) app.UI {
					return app.Elem("li").Text(p.paramErrs[i])
				})),
			),
		),
		app.Elem("main").Class("grid").Body(
			app.Div().Class("side").Body(
				when(inLesson, p.views.lessons),
				when(inLesson, p.renderEditorToggle()),
				when(!inLesson || p.editorOpen, p.renderEditor()),
			),
			p.renderResults(),
		),
		when(!p.embed && p.below, p.views.tools),
		when(!p.embed, p.renderFooter()),
	)
}

func (p *Playground) renderResults() app.UI {
	return app.Elem("section").ID("results").Class("panel", "results").Aria("label", "run results").Body(
		p.views.status,
		p.views.replay,
		when(!p.embed, p.views.load), // on the first screen, above the log
		p.views.log,
		when(!p.embed && p.below, p.views.cache),
	)
}

// Elements are made with app.Elem(tag) rather than go-app's typed
// constructors (app.Span, app.Button, …), except div, p and code, which
// go-app links in itself, and the form controls (input, select, option,
// textarea), which keep their types. Every typed element go-app has is a
// type of its own with an interface of its own listing a hundred or more
// attribute methods, and each one the page used added about 17 kB to
// app.wasm (35 of them: 0.6 MB of 10.4 MB; the "app.wasm by package"
// section of BENCHMARKS.md shows where the bytes go). app.Elem renders
// the same tag with the same attributes: the typed setters (Type, For,
// Disabled, …) are Attr under another name.

// when is ui when cond holds, else a hidden placeholder. The page keeps
// its components across renders, and go-app matches children by
// position: a child that app.If left out would shift the components
// after it into another's place.
func when(cond bool, ui app.UI) app.UI {
	if cond {
		return ui
	}
	return app.Elem("span").Hidden(true)
}
