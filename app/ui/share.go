package ui

import (
	"errors"
	"net/url"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/stampede-playground/stampede/app/stampede"
)

// Share copies the page's state URL (stateURL: preset= or scenario=,
// strategy, latency) with navigator.clipboard.writeText. When the
// clipboard refuses, the link shows selected in a read-only input.

// toolsState is the outcome of the last download or Copy link.
type toolsState struct {
	Msg  string // "Link copied", "Downloaded …", or why not
	Err  bool   // Msg says something failed
	Link string // the link, shown in #share-link when the clipboard refused it
}

// shareLink is the link Copy link copies for settings s on the page at
// base, and a note when the scenario is too long to travel in it.
func shareLink(base *url.URL, s settings) (link, note string) {
	link = stateURL(base, s)
	if matchPreset(s.Text) == "" && len(s.Text) > stampede.MaxTextBytes {
		note = " The scenario is over the size limit, so the link leaves it out."
	}
	return link, note
}

func (t *toolsPanel) onCopyLink(ctx app.Context, e app.Event) { t.copyLink(ctx) }

// copyLink copies the state URL and reports the outcome in #tools-status.
func (t *toolsPanel) copyLink(ctx app.Context) {
	link, note := shareLink(t.location(), t.editor())
	t.state = toolsState{Msg: "Copying the link…"}
	write := t.copyText
	if write == nil {
		write = clipboardWrite
	}
	write(link, func(err error) {
		ctx.Dispatch(func(ctx app.Context) { t.linkCopied(ctx, link, note, err) })
	})
}

// linkCopied reports how the clipboard answered. On a refusal the link
// shows in #share-link, selected, for the user to copy by hand.
func (t *toolsPanel) linkCopied(ctx app.Context, link, note string, err error) {
	if err == nil {
		t.state = toolsState{Msg: "Link copied." + note}
		return
	}
	t.state = toolsState{
		Msg:  "The clipboard refused the link (" + err.Error() + "): it is selected below; copy it with Ctrl+C or ⌘C." + note,
		Err:  true,
		Link: link,
	}
	ctx.Defer(func(app.Context) {
		if el := app.Window().GetElementByID("share-link"); el.Truthy() {
			el.Call("focus")
			el.Call("select")
		}
	})
}

// clipboardWrite is navigator.clipboard.writeText(text). done receives
// the Promise's outcome on a goroutine of its own, never on the JS event
// loop; natively, and where the page has no clipboard (plain HTTP), it
// gets an error at once.
func clipboardWrite(text string, done func(error)) {
	cb := app.Window().Get("navigator").Get("clipboard")
	if !cb.Truthy() || cb.Get("writeText").Type() != app.TypeFunction {
		done(errors.New("this page has no clipboard access; it needs HTTPS or localhost"))
		return
	}
	var ok, fail app.Func
	release := func() {
		ok.Release()
		fail.Release()
	}
	ok = app.FuncOf(func(app.Value, []app.Value) any {
		release()
		go done(nil)
		return nil
	})
	fail = app.FuncOf(func(_ app.Value, args []app.Value) any {
		msg := "permission denied"
		if len(args) > 0 && args[0].Truthy() {
			if m := args[0].Get("message"); m.Type() == app.TypeString && m.String() != "" {
				msg = m.String()
			}
		}
		release()
		go done(errors.New(msg))
		return nil
	})
	cb.Call("writeText", text).Call("then", ok, fail)
}

// renderShareButton is #copy-link.
func (t *toolsPanel) renderShareButton() app.UI {
	return app.Elem("button").ID("copy-link").Attr("type", "button").Text("Copy link").
		Title("copy a link to this scenario, strategy and latency").OnClick(t.onCopyLink)
}

// renderToolsStatus is the outcome of the last download or Copy link,
// and the link itself when the clipboard refused it.
func (t *toolsPanel) renderToolsStatus() app.UI {
	st := t.state
	msg := app.P().ID("tools-status").Class("status").Role("status").Text(st.Msg)
	if st.Err {
		msg = msg.Class("tools-err")
	}
	return app.Div().ID("tools-status-wrap").Body(
		msg,
		app.If(st.Link != "",
			app.Input().ID("share-link").Attr("type", "text").ReadOnly(true).Value(st.Link).
				Aria("label", "link to this page's state").Spellcheck(false),
		),
	)
}
