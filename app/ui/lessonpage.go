package ui

import "github.com/maxence-charriere/go-app/v9/pkg/app"

// The page's side of the lessons: the lesson panel's hooks, which show a
// lesson's settings and link, and the layout's fold of the editor.

// openLesson shows lesson name's settings s and its link: the lesson
// panel's hook. The editor folds away.
func (p *Playground) openLesson(name string, s settings) {
	if p.lesson == "" {
		p.editorOpen = false
	}
	p.lesson = name
	p.setSettings(s)
	p.pushEditorText()
	p.syncURL()
	p.Update()
}

// closeLessons goes back to the playground, keeping the settings.
func (p *Playground) closeLessons() {
	p.lesson = ""
	p.syncURL()
	p.Update()
}

func (p *Playground) onLessons(ctx app.Context, e app.Event) { p.views.lessons.start() }

func (p *Playground) onToggleEditor(ctx app.Context, e app.Event) { p.editorOpen = !p.editorOpen }

// renderEditorToggle folds the editor and the code away during a lesson,
// or brings them back.
func (p *Playground) renderEditorToggle() app.UI {
	text := "Show the editor and the code"
	if p.editorOpen {
		text = "Hide the editor and the code"
	}
	return app.Elem("button").ID("editor-toggle").Attr("type", "button").Class("quiet", "editor-toggle").
		Aria("expanded", p.editorOpen).Aria("controls", "editor").Text(text).OnClick(p.onToggleEditor)
}
