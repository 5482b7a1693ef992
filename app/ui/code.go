package ui

import (
	"strings"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/stampede-playground/stampede/app/stampede"
)

// codePart is one chunk as the panel shows it: where it is from, then
// its lines.
type codePart struct{ From, Code string }

// goParts is the Go side of e as the panel shows it: each chunk under a
// comment naming its file (engine files by their name only) and place,
// "// …" for a chunk further down the same file, with the leading blank
// line and the indentation the chunk's lines share removed.
func (e codeExcerpt) goParts() []codePart {
	parts := make([]codePart, len(e.Go))
	for i, c := range e.Go {
		from := "// " + strings.TrimPrefix(c.File, "app/stampede/")
		if c.Note != "" {
			from += ": " + c.Note
		}
		if i > 0 && c.Note == "" && c.File == e.Go[i-1].File {
			from = "// …"
		}
		parts[i] = codePart{From: from, Code: dedent(strings.TrimPrefix(c.Code, "\n"))}
	}
	return parts
}

// dedent removes the indentation every non-blank line of s shares.
func dedent(s string) string {
	lines := strings.Split(s, "\n")
	common := -1
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		n := len(l) - len(strings.TrimLeft(l, "\t"))
		if common < 0 || n < common {
			common = n
		}
	}
	for i, l := range lines {
		if len(l) >= common && common > 0 {
			lines[i] = l[common:]
		}
	}
	return strings.Join(lines, "\n")
}

// codePanel is the code panel for the strategy in the editor. An
// unknown strategy (an invalid URL parameter) shows a note instead. A
// component: the page draws it again only when the strategy changes.
type codePanel struct {
	app.Compo

	Istrategy stampede.Strategy
}

func (c *codePanel) Render() app.UI {
	st := c.Istrategy
	ex, ok := codeExcerpts[st]
	sec := app.Elem("section").ID("code").Class("code").Aria("label", "the code this strategy runs").
		DataSet("strategy", string(st))
	if !ok {
		return sec.Body(
			app.Elem("h2").Text("The code"),
			app.P().Class("status").Text("Pick a strategy to see the code it runs."),
		)
	}
	parts := ex.goParts()
	return sec.Body(
		app.Elem("h2").Text("The code behind "+string(st)),
		app.Div().Class("code-cols").Body(
			app.Elem("figure").ID("code-go").Class("code-col").Body(
				app.Elem("figcaption").Text("Go: the engine (app/stampede)"),
				app.Elem("pre").Class("code-block").Body(app.Code().Class("lang-go").Body(
					app.Range(parts).Slice(func(i int) app.UI {
						sep := "\n"
						if i < len(parts)-1 {
							sep = "\n\n"
						}
						return app.Elem("span").Body(
							app.Elem("span").Class("code-from").Text(parts[i].From+"\n"),
							app.Text(parts[i].Code+sep),
						)
					}),
				)),
			),
			app.Elem("figure").ID("code-mirror").Class("code-col").Body(
				app.Elem("figcaption").Text(ex.MirrorIn),
				app.Elem("pre").Class("code-block").Body(app.Code().Class("lang-mirror").Text(ex.Mirror)),
			),
		),
	)
}
