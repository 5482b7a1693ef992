package ui

import (
	"fmt"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/stampede-playground/stampede/app/lesson"
)

// The lesson panel's rendering: the path's list, the lesson's text, its
// question, Run, and after the runs the answer beside the prediction.
// Lesson text is the page's own; nothing a user typed or a server sent
// is shown here but the run's numbers.

func (lp *lessonPanel) Render() app.UI {
	l, ok := lp.lesson()
	if !ok {
		return app.Elem("section").ID("lesson").Hidden(true)
	}
	st := lp.state(l)
	paras := l.Paragraphs()
	return app.Elem("section").ID("lesson").Class("panel", "lesson").TabIndex(-1).
		Aria("labelledby", "lesson-title").DataSet("lesson", l.Name).DataSet("state", st.String()).
		DataSet("runs", len(lp.outcomes())).Body(
		lp.renderNav(),
		app.Elem("h2").ID("lesson-title").Body(
			app.Elem("span").Class("lesson-count").Text(fmt.Sprintf("Lesson %d of %d", lp.cur+1, len(lp.path))),
			app.Text(l.Title),
		),
		lp.renderText(paras, st),
		lp.renderQuestion(l, st),
		lp.renderButtons(l, st),
		app.If(lp.err != "", app.P().ID("lesson-error").Class("status", "err").Role("alert").Text(lp.err)),
		lp.renderAnswer(l, st),
		lp.renderMoves(),
	)
}

func (lp *lessonPanel) renderNav() app.UI {
	done := 0
	for _, l := range lp.path {
		if lp.done[l.Name] {
			done++
		}
	}
	return app.Elem("nav").ID("lessons").Class("lesson-list").Aria("label", "lessons").Body(
		app.Elem("ol").Body(app.Range(lp.path).Slice(func(i int) app.UI {
			l := lp.path[i]
			label := fmt.Sprintf("Lesson %d: %s", i+1, l.Title)
			text := fmt.Sprint(i + 1)
			if lp.done[l.Name] {
				label += " (done)"
				text += " ✓"
			}
			b := app.Elem("button").Attr("type", "button").Class("lesson-pick").DataSet("lesson", l.Name).
				Aria("label", label).Title(label).Text(text).OnClick(lp.onPick)
			if lp.done[l.Name] {
				b = b.Class("done")
			}
			if i == lp.cur {
				b = b.Aria("current", "step")
			}
			return app.Elem("li").Body(b)
		})),
		app.Elem("span").ID("lesson-progress").Class("status").Text(fmt.Sprintf("%d of %d done", done, len(lp.path))),
		app.Elem("button").ID("lesson-clear").Attr("type", "button").Class("quiet").Text("Clear progress").OnClick(lp.onClearProgress),
	)
}

// renderText is the lesson's text; once the answer shows, folded under
// a summary, to leave it and the timeline room.
func (lp *lessonPanel) renderText(paras []string, st lessonState) app.UI {
	text := app.Range(paras).Slice(func(i int) app.UI { return app.P().Text(paras[i]) })
	if st == lessonAnswered {
		return app.Elem("details").ID("lesson-text").Class("lesson-text").Body(
			app.Elem("summary").Text("The lesson"),
			text,
		)
	}
	return app.Div().ID("lesson-text").Class("lesson-text").Body(text)
}

func (lp *lessonPanel) renderQuestion(l lesson.Lesson, st lessonState) app.UI {
	q := l.Question
	if st == lessonAnswered { // the answer repeats the question and the prediction
		return app.Elem("span").Hidden(true)
	}
	fs := app.Elem("fieldset").ID("lesson-question").Class("lesson-question")
	if st != lessonAsk {
		fs = fs.Attr("disabled", true)
	}
	return fs.Body(
		app.Elem("legend").Body(app.Elem("span").Class("lesson-predict").Text("Predict: "), app.Text(q.Text)),
		app.Range(q.Choices).Slice(func(i int) app.UI {
			c := q.Choices[i]
			id := "lesson-choice-" + c.ID
			// checked always set: a radio the user clicked keeps its checked
			// property when the attribute is removed, as the next lesson's
			// choices reuse these elements.
			in := app.Input().Attr("type", "radio").ID(id).Name("prediction").Value(c.ID).
				Checked(c.ID == lp.choice).OnChange(lp.onPredict)
			return app.Elem("label").Attr("for", id).Class("lesson-choice").Body(in, app.Elem("span").Text(c.Text))
		}),
	)
}

func (lp *lessonPanel) renderButtons(l lesson.Lesson, st lessonState) app.UI {
	r := lp.run
	i := lp.nextRun(l)
	label := "Run"
	if len(l.Runs) > 1 {
		label = fmt.Sprintf("Run under %s (%d of %d)", l.Runs[i].Strategy, i+1, len(l.Runs))
	}
	run := app.Elem("button").ID("lesson-run").Attr("type", "button").Class("primary").Text(label).OnClick(lp.onRun)
	if st == lessonAnswered {
		run = app.Elem("button").ID("lesson-run").Attr("type", "button").Class("primary").Text("Predict and run again").OnClick(lp.onAgain)
	}
	if r.busy || !r.ready {
		run = run.Attr("disabled", true)
	}
	stop := app.Elem("button").ID("lesson-stop").Attr("type", "button").Text("Stop").OnClick(lp.onStop)
	if !r.busy {
		stop = stop.Attr("disabled", true)
	}
	var second app.UI = app.Elem("span").Hidden(true)
	if l.SecondTab {
		b := app.Elem("button").ID("lesson-second-tab").Attr("type", "button").Text("Open a second tab").OnClick(lp.onSecondTab).
			Title("open this lesson in a new tab, which runs it at once without clearing the shared cache")
		switch {
		case r.env.CrossTab == nil:
			b = b.Attr("disabled", true).Title(r.crossTabNote())
		case len(lp.runs) == 0:
			b = b.Attr("disabled", true).Title("press Run first: the second tab joins this tab's run")
		}
		second = b
	}
	return app.Div().Class("buttons", "lesson-buttons").Body(run, stop, second)
}

func (lp *lessonPanel) renderAnswer(l lesson.Lesson, st lessonState) app.UI {
	sec := app.Elem("section").ID("lesson-answer").Class("lesson-answer").Aria("live", "polite").Aria("label", "the answer")
	outs := lp.outcomes()
	switch st {
	case lessonAsk, lessonRunning:
		if st == lessonRunning {
			return sec.DataSet("state", "running").Body(app.P().Class("status").Text("Running… watch the timeline."))
		}
		return sec.DataSet("state", "waiting").Body(
			app.P().Class("status").Text("Pick your prediction, then press Run."),
		)
	case lessonNextRun:
		_, said := lesson.Answer(l.Question, l.Runs, outs)
		next := l.Runs[len(outs)].Strategy
		return sec.DataSet("state", "next-run").Body(
			app.P().Text("So far: "+said),
			app.P().Class("lesson-next-run").Text(fmt.Sprintf(
				"Look at the highlighted bars first: the next run's timeline replaces them. Then run it under %s.", next)),
		)
	}
	q := l.Question
	id, said := lesson.Answer(q, l.Runs, outs)
	bad, checked := lp.problems(l)
	check := "skipped"
	if checked {
		check = "ok"
		if len(bad) > 0 {
			check = "failed"
		}
	}
	sec = sec.DataSet("state", "answered").DataSet("answer", id).DataSet("prediction", lp.choice).
		DataSet("correct", map[bool]string{true: "yes", false: "no"}[lp.choice == id]).DataSet("check", check)
	stopped := false
	for _, o := range outs {
		stopped = stopped || !o.Ended
	}
	if stopped {
		return sec.Body(app.P().Class("lesson-verdict").Text("The run did not finish, so there is no answer yet: press Run again."))
	}
	answer := said
	if c, ok := q.Choice(id); ok {
		answer = c.Text + ". " + said
	}
	you := "You did not predict this time."
	verdict, class := "Next time, guess before you run: a guess first makes the answer stick.", "none"
	if c, ok := q.Choice(lp.choice); ok {
		you = "You predicted: " + c.Text + "."
		verdict, class = "Right.", "right"
		if lp.choice != id {
			verdict, class = "Not this time, and that is fine: a surprise is what predicting is for. The highlighted bars show why.", "wrong"
		}
	}
	return sec.Body(
		app.P().ID("lesson-asked").Class("lesson-asked").Text(q.Text),
		app.P().ID("lesson-you").Text(you),
		app.P().ID("lesson-result").Body(app.Elem("strong").Text("The run: "), app.Text(answer)),
		app.P().ID("lesson-verdict").Class("lesson-verdict", class).Text(verdict),
		app.P().ID("lesson-why").Class("lesson-why").Body(app.Elem("strong").Text("Why: "), app.Text(lesson.Plain(l.Why))),
		app.If(len(bad) > 0,
			app.Div().ID("lesson-check").Class("banner", "warn").Role("alert").Body(
				app.P().Text("This run did not do what the lesson says:"),
				app.Elem("ul").Body(app.Range(bad).Slice(func(i int) app.UI { return app.Elem("li").Text(bad[i]) })),
			),
		),
	)
}

func (lp *lessonPanel) renderMoves() app.UI {
	prev := app.Elem("button").ID("lesson-prev").Attr("type", "button").Text("◀ Previous").OnClick(lp.onPrev)
	if lp.cur <= 0 {
		prev = prev.Attr("disabled", true)
	}
	next := app.Elem("button").ID("lesson-next").Attr("type", "button").Text("Next ▶").OnClick(lp.onNext)
	if lp.cur >= len(lp.path)-1 {
		next = next.Attr("disabled", true)
	}
	return app.Div().Class("lesson-moves").Body(
		prev, next,
		app.Elem("span").Class("lesson-keys status").Text("or ← →"),
		app.Elem("button").ID("lesson-close").Attr("type", "button").Class("quiet").Text("Leave the lessons").OnClick(lp.onClose),
	)
}
