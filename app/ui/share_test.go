package ui

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

func TestCopyLink(t *testing.T) {
	p, d, _ := page(t, Env{}, "preset=seed&strategy=keyed&latency=50ms&run=0")
	d.Consume()
	var copied []string
	var answer error
	p.views.tools.copyText = func(text string, done func(error)) {
		copied = append(copied, text)
		done(answer)
	}

	// A preset travels by name.
	onUI(d, p.views.tools, func(ctx app.Context) { p.views.tools.copyLink(ctx) })
	if len(copied) != 1 {
		t.Fatalf("copied %q; want one link", copied)
	}
	u, err := url.Parse(copied[0])
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if u.Host != "example.org" || q.Get("preset") != "seed" || q.Has("scenario") || q.Get("strategy") != "keyed" || q.Get("latency") != "50ms" || q.Has("run") {
		t.Errorf("preset link %s; want preset=seed, strategy=keyed, latency=50ms, no scenario or run", copied[0])
	}
	if p.views.tools.state.Msg != "Link copied." || p.views.tools.state.Err || p.views.tools.state.Link != "" {
		t.Errorf("status %+v; want Link copied.", p.views.tools.state)
	}
	wantHTML(t, p, `id="tools-status"`, "Link copied.")

	// Edited text travels whole; the clipboard refuses it this time.
	text := "mine x2: get data/a.json\n<b>me</b>: get data/b.json"
	answer = errors.New("Write permission denied.")
	onUI(d, p, func(ctx app.Context) { p.editText(ctx, text) })
	onUI(d, p.views.tools, func(ctx app.Context) { p.views.tools.copyLink(ctx) })
	u, err = url.Parse(copied[1])
	if err != nil {
		t.Fatal(err)
	}
	q = u.Query()
	if q.Get("scenario") != text || q.Has("preset") || q.Get("strategy") != "keyed" {
		t.Errorf("edited link %s; want scenario= the text, no preset", copied[1])
	}
	if !p.views.tools.state.Err || p.views.tools.state.Link != copied[1] || !strings.Contains(p.views.tools.state.Msg, "Write permission denied.") {
		t.Errorf("status %+v; want the refusal and the link", p.views.tools.state)
	}
	h := html(p)
	wantHTML(t, p, `id="share-link"`, `readonly`, "copy it with Ctrl+C")
	if !strings.Contains(h, `value="`+copied[1]+`"`) {
		t.Errorf("#share-link does not hold the link %s", copied[1])
	}
	if strings.Contains(h, "<b>me") {
		t.Error("the scenario's markup reached the page as HTML")
	}

	// Natively there is no clipboard: the fallback shows.
	p.views.tools.copyText = nil
	onUI(d, p.views.tools, func(ctx app.Context) { p.views.tools.copyLink(ctx) })
	if !p.views.tools.state.Err || p.views.tools.state.Link == "" || !strings.Contains(p.views.tools.state.Msg, "no clipboard access") {
		t.Errorf("without a clipboard: %+v", p.views.tools.state)
	}
}
