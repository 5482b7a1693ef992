package ui

import (
	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/stampede-playground/stampede/app/stampede"
)

// The editor's rendering: the preset, the scenario, the strategy, the
// options and the buttons. Its state is the page's (settings, edit).

func (p *Playground) renderEditor() app.UI {
	var code app.UI // built only when shown
	if !p.embed && p.below {
		code = &codePanel{Istrategy: p.settings.Strategy}
	}
	preset := matchPreset(p.settings.Text)
	presets := stampede.Presets()
	return app.Elem("section").ID("editor").Class("panel", "editor").Aria("label", "scenario editor").Body(
		app.Div().Class("field").Body(
			app.Elem("label").Attr("for", "preset").Text("Preset"),
			app.Select().ID("preset").OnChange(p.onPreset).Body(
				app.If(preset == "", option("", "custom scenario", true)),
				app.Range(presets).Slice(func(i int) app.UI {
					pr := presets[i]
					return option(pr.Name, pr.Title, pr.Name == preset)
				}),
			),
		),
		app.Div().Class("field").Body(
			app.Elem("label").Attr("for", "scenario").Text("Scenario: one worker per line, name [xN]: step; step"),
			app.Textarea().ID("scenario").Rows(9).Spellcheck(false).
				Aria("describedby", "scenario-status").Aria("invalid", p.edit.parseErr != "").
				Text(p.edit.text).OnInput(p.onText).
				Body(app.Text(p.edit.text)),
			app.If(p.edit.parseErr != "",
				app.P().ID("scenario-status").Class("status", "err").Role("status").Text(p.edit.parseErr),
			).Else(
				app.P().ID("scenario-status").Class("status", "ok").Role("status").Text("ok: "+p.edit.scenarioInfo),
			),
		),
		p.renderStrategy(),
		app.Div().Class("field-row").Body(
			textField("latency", "Added latency before each network fetch (not network time)",
				p.settings.Latency, p.edit.latencyErr, "a Go duration, 0 to "+MaxLatency.String(), p.onLatency),
			textField("ttl", "Time to live of a stored entry",
				p.settings.TTL, p.edit.ttlErr, "a Go duration; 0 never expires", p.onTTL),
			when(p.settings.Strategy == stampede.XFetch, textField("beta", "xfetch's beta",
				p.settings.Beta, p.edit.betaErr, "over 0; higher refreshes earlier", p.onBeta)),
		),
		p.views.buttons,
		app.If(preset == "seed" && !p.embed, explainSeed()),
		app.If(code != nil, code),
	)
}

// textField is a labelled one-line input with its status line: the
// error when value does not check, else the hint.
func textField(id, label, value, err, hint string, onInput app.EventHandler) app.UI {
	status := app.P().ID(id + "-status").Class("status").Text(hint)
	if err != "" {
		status = app.P().ID(id+"-status").Class("status", "err").Role("status").Text(err)
	}
	return app.Div().Class("field").Body(
		app.Elem("label").Attr("for", id).Text(label),
		app.Input().ID(id).Attr("type", "text").Value(value).Spellcheck(false).
			Attr("inputmode", "text").Aria("describedby", id+"-status").
			Aria("invalid", err != "").OnInput(onInput),
		status,
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
	crossTab := p.run.env.CrossTab != nil
	return app.Div().Class("field").Body(
		app.Elem("label").Attr("for", "strategy").Text("Strategy"),
		app.Select().ID("strategy").OnChange(p.onStrategy).Body(
			app.Range(strategies).Slice(func(i int) app.UI {
				s := strategies[i]
				o := option(string(s), string(s), s == cur)
				if s == stampede.CrossTab && !crossTab {
					o = o.Text("crosstab (not available)").Attr("disabled", true)
				}
				return o
			}),
		),
		app.P().ID("strategy-describe").Class("status").Text(cur.Describe()),
		app.If(!crossTab,
			app.P().ID("crosstab-note").Class("status", "note").Text(p.run.crossTabNote()),
		),
	)
}

// runButtons are the editor's Run, Stop, Clear cache and second tab
// buttons, and what the last Clear cache did. They follow the runner on
// their own: a run's start and end draw them again, not the editor.
type runButtons struct {
	app.Compo

	runView

	page *Playground // the buttons' handlers are the page's
}

func (b *runButtons) Render() app.UI {
	return app.Div().Class("run-buttons").Body(
		b.page.renderButtons(),
		app.If(b.run.message != "", app.P().ID("cache-message").Class("status").Role("status").Text(b.run.message)),
	)
}

func (p *Playground) renderButtons() app.UI {
	run := app.Elem("button").ID("run").Attr("type", "button").Class("primary").Text("Run").OnClick(p.onRun)
	busy := p.run.busy || !p.run.ready
	if busy {
		run = run.Attr("disabled", true)
	}
	stop := app.Elem("button").ID("stop").Attr("type", "button").Text("Stop").OnClick(p.onStop)
	if !p.run.busy {
		stop = stop.Attr("disabled", true)
	}
	clear := app.Elem("button").ID("clear").Attr("type", "button").Text("Clear cache").OnClick(p.onClear)
	if busy {
		clear = clear.Attr("disabled", true)
	}
	second := app.Elem("button").ID("second-tab").Attr("type", "button").Text("Open a second tab").
		Title("open this scenario under crosstab in a new tab; this tab switches to crosstab too").
		OnClick(p.onSecondTab)
	if p.run.env.CrossTab == nil {
		second = second.Attr("disabled", true).Title(p.run.crossTabNote())
	}
	return app.Div().Class("buttons").Body(run, stop, clear, second)
}

func explainSeed() app.UI {
	return app.Elem("aside").ID("explain").Class("explain").Body(
		app.Elem("h2").Text("What you are seeing"),
		app.P().Text("parse_stuff and use_stuff both get data/stuff.json inside one lock: "+
			"the first holds the lock while it fetches, the second waits, then finds the answer "+
			"in the cache. One network fetch, one deduplicated request."),
		app.P().Text("do_work fetches data/other.json without the cache or its lock, "+
			"so it is never blocked: its fetch runs while the others wait."),
		app.P().Text("Try the strategy none to see two fetches of stuff.json, or percall for the bug "+
			"of creating the lock inside the function."),
	)
}
