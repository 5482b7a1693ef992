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

	runView

	// editor is the editor's current settings, which Compare compares
	// and Copy link shares; location the page's URL. Both are read when
	// a button is pressed.
	editor   func() settings
	location func() *url.URL

	state    toolsState                                 // the outcome of the last download or Copy link
	saveFile func(name, mime string, data []byte) error // nil: a browser download; tests replace it
	copyText func(text string, done func(error))        // nil: navigator.clipboard; tests replace it
	cmp      *comparePanel
}

func newToolsPanel(r *runner, editor func() settings, location func() *url.URL) *toolsPanel {
	return &toolsPanel{runView: runView{run: r}, editor: editor, location: location, cmp: &comparePanel{runView: runView{run: r}}}
}

func (t *toolsPanel) onCompare(ctx app.Context, e app.Event) {
	// An error shows in #compare-status.
	s := t.editor()
	_, _ = t.run.compare(ctx, runRequest{settings: s}, s.Strategy)
}

func (t *toolsPanel) Render() app.UI {
	busy := t.run.busy || !t.run.ready
	cmpBtn := app.Elem("button").ID("compare-run").Attr("type", "button").Class("primary").
		Text("Compare all strategies").OnClick(t.onCompare).
		Title("run this scenario under every strategy, each with an empty cache")
	if busy {
		cmpBtn = cmpBtn.Attr("disabled", true)
	}
	return app.Elem("section").ID("tools").Class("panel", "tools").Aria("label", "compare, export and share").Body(
		app.Div().Class("buttons").Body(cmpBtn, t.renderExportButtons(), t.renderShareButton()),
		t.renderToolsStatus(),
		t.cmp,
	)
}
