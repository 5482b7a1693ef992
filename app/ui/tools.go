package ui

import (
	"net/url"

	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// toolsPanel is #tools: Compare all strategies, the downloads of the last
// run and Copy link, the outcome of the last of those, and the compare
// view. It owns that outcome and the two browser seams tests replace.
type toolsPanel struct {
	app.Compo

	Irun *runner

	// editor is the editor's current settings, which Compare compares
	// and Copy link shares; location the page's URL. Both are read when
	// a button is pressed.
	editor   func() settings
	location func() *url.URL

	state    toolsState                                 // the outcome of the last download or Copy link
	saveFile func(name, mime string, data []byte) error // nil: a browser download; tests replace it
	copyText func(text string, done func(error))        // nil: navigator.clipboard; tests replace it
	cmp      *comparePanel
	stop     func()
}

func newToolsPanel(r *runner, editor func() settings, location func() *url.URL) *toolsPanel {
	return &toolsPanel{Irun: r, editor: editor, location: location, cmp: &comparePanel{Irun: r}}
}

func (t *toolsPanel) OnMount(ctx app.Context) { t.stop = watchUpdates(ctx, t.Irun, func() {}) }

func (t *toolsPanel) OnDismount() {
	if t.stop != nil {
		t.stop()
	}
}

func (t *toolsPanel) onCompare(ctx app.Context, e app.Event) {
	// An error shows in #compare-status.
	s := t.editor()
	_, _ = t.Irun.compare(ctx, runRequest{settings: s}, s.Strategy)
}

func (t *toolsPanel) Render() app.UI {
	busy := t.Irun.busy || !t.Irun.ready
	cmpBtn := app.Button().ID("compare-run").Type("button").Class("primary").
		Text("Compare all strategies").OnClick(t.onCompare).
		Title("run this scenario under every strategy, each with an empty cache")
	if busy {
		cmpBtn = cmpBtn.Disabled(true)
	}
	return app.Section().ID("tools").Class("panel", "tools").Aria("label", "compare, export and share").Body(
		app.Div().Class("buttons").Body(cmpBtn, t.renderExportButtons(), t.renderShareButton()),
		t.renderToolsStatus(),
		t.cmp,
	)
}
