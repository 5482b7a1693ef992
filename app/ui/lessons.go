package ui

import (
	"encoding/json"
	"net/url"
	"slices"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/stampede-playground/stampede/app/lesson"
)

// lessonPanel is #lesson: the guided path of app/lesson. It owns the
// lesson state: which lesson is open, the learner's prediction, the runs
// it started for that lesson and what they showed, and the progress,
// kept in localStorage. Its runs go through the runner like the Run
// button's; the page shows a lesson's settings and link when the panel
// tells it through its hooks.
type lessonPanel struct {
	app.Compo

	runView
	hooks lessonHooks

	path   []lesson.Lesson
	cur    int         // the open lesson, an index in path; -1 when closed
	choice string      // the prediction, a choice's ID; "" for none yet
	runs   []lessonRun // the runs started for the open lesson, in order
	err    string      // why the last Run did not start
	done   map[string]bool
	keys   docKeys // the ← → listener, while mounted
}

// lessonHooks are the page's side of the lessons.
type lessonHooks struct {
	// opened shows lesson name's settings in the editor and its link in
	// the address bar; closed goes back to the playground.
	opened func(name string, s settings)
	closed func()
	// location is the page's URL; openTab opens a URL in a new tab.
	location func() *url.URL
	openTab  func(string)
}

// lessonRun is one run the panel started.
type lessonRun struct {
	n     int  // the runner's run number
	fresh bool // it cleared the cache first, as the lesson's claims assume
	ended bool // it finished, done or failed: out is its outcome
	out   lesson.Outcome
	err   string // why it failed
}

// progressKey is where localStorage keeps the names of finished lessons.
const progressKey = "stampede.lessons.done"

func newLessonPanel(r *runner, h lessonHooks) *lessonPanel {
	// settle: a lesson's check shows with #run-stats, once the views
	// have drawn the run.
	return &lessonPanel{runView: runView{run: r, settle: true}, hooks: h, path: lesson.Path(), cur: -1, done: map[string]bool{}}
}

func (lp *lessonPanel) OnMount(ctx app.Context) {
	var names []string
	if err := ctx.LocalStorage().Get(progressKey, &names); err == nil {
		for _, n := range names {
			lp.done[n] = true
		}
	}
	lp.follow(ctx, func() { lp.sync(ctx) })
	lp.sync(ctx) // a run=1 run may have ended before the panel showed
	lp.listenKeys(ctx)
}

func (lp *lessonPanel) OnDismount() {
	lp.runView.OnDismount()
	lp.keys.stop()
}

// lesson is the open lesson; ok is false when none is.
func (lp *lessonPanel) lesson() (lesson.Lesson, bool) {
	if lp.cur < 0 || lp.cur >= len(lp.path) {
		return lesson.Lesson{}, false
	}
	return lp.path[lp.cur], true
}

// open opens lesson i: its settings in the editor, its link in the
// address bar, no prediction and no runs yet.
func (lp *lessonPanel) open(i int) {
	if i < 0 || i >= len(lp.path) {
		return
	}
	lp.cur, lp.choice, lp.runs, lp.err = i, "", nil, ""
	l := lp.path[i]
	lp.hooks.opened(l.Name, lessonSettings(l, 0))
}

// openNamed opens the lesson called name, as ?lesson= asks.
func (lp *lessonPanel) openNamed(name string) {
	if _, i, err := lesson.Lookup(name); err == nil {
		lp.open(i)
	}
}

// start opens the path at the first lesson not done yet.
func (lp *lessonPanel) start() {
	for i, l := range lp.path {
		if !lp.done[l.Name] {
			lp.open(i)
			return
		}
	}
	lp.open(0)
}

func (lp *lessonPanel) close() {
	lp.cur, lp.runs, lp.choice = -1, nil, ""
	lp.hooks.closed()
}

// nextRun is the index in the lesson's Runs of the run Run starts: the
// first not started, or 0 once all have ended (Run again).
func (lp *lessonPanel) nextRun(l lesson.Lesson) int {
	if len(lp.runs) >= len(l.Runs) {
		return 0
	}
	return len(lp.runs)
}

// runLesson starts the open lesson's next run, clearing the cache first
// when fresh (a lesson's Run does; the second tab of the crosstab lesson
// does not).
func (lp *lessonPanel) runLesson(ctx app.Context, fresh bool) {
	l, ok := lp.lesson()
	if !ok || lp.run.busy {
		return
	}
	i := lp.nextRun(l)
	if i == 0 {
		lp.runs = nil
	}
	_, err := lp.run.start(ctx, runRequest{settings: lessonSettings(l, i), Fresh: fresh})
	if err != nil {
		lp.err = err.Error()
		return
	}
	lp.err = ""
	lp.runs = append(lp.runs, lessonRun{n: lp.run.run.n, fresh: fresh})
	// The marks go on with the run, so the timeline draws them with its
	// bars, before the lesson shows its answer (after the views' turns).
	lp.run.pointAt(lp.run.run.n, tlMarks(l.Runs[i].Marks))
}

// sync reads what the runner says of the panel's latest run: once it has
// ended, its outcome, read again as other tabs' events arrive; the
// timeline's marks; and, after the lesson's last run, the progress.
func (lp *lessonPanel) sync(ctx app.Context) {
	l, ok := lp.lesson()
	r := lp.run
	if !ok || len(lp.runs) == 0 {
		return
	}
	i := len(lp.runs) - 1
	lr := &lp.runs[i]
	if r.run.n != lr.n || (r.run.state != runDone && r.run.state != runError) {
		return
	}
	lat, _ := parseLatency(l.Latency)
	lr.ended = true
	lr.err = r.run.result.Err
	ended := r.run.state == runDone && !r.run.result.Stopped
	lr.out = lesson.Observe(r.run.result.RunID, r.run.live, r.run.events, lat, ended)
	if r.marks.n != lr.n {
		r.pointAt(lr.n, tlMarks(l.Runs[i].Marks))
	}
	if i == len(l.Runs)-1 && ended && !lp.done[l.Name] {
		lp.done[l.Name] = true
		lp.saveProgress(ctx)
	}
}

func tlMarks(ms []lesson.Mark) []tlMark {
	out := make([]tlMark, len(ms))
	for i, m := range ms {
		out[i] = tlMark{Kind: m.Kind, Lane: m.Worker}
	}
	return out
}

func (lp *lessonPanel) saveProgress(ctx app.Context) {
	var names []string
	for _, l := range lp.path {
		if lp.done[l.Name] {
			names = append(names, l.Name)
		}
	}
	if len(names) == 0 {
		ctx.LocalStorage().Del(progressKey)
		return
	}
	_ = ctx.LocalStorage().Set(progressKey, names) // a full or refused storage only forgets progress
}

// lessonState is where the open lesson is, as #lesson's data-state says.
type lessonState uint8

const (
	lessonAsk      lessonState = iota // no run yet: the question is open
	lessonRunning                     // a run of the lesson is going on
	lessonNextRun                     // a run ended and the lesson has another
	lessonAnswered                    // every run ended: the answer shows
)

func (s lessonState) String() string {
	return [...]string{"ask", "running", "next-run", "answered"}[s]
}

func (lp *lessonPanel) state(l lesson.Lesson) lessonState {
	switch n := len(lp.runs); {
	case n == 0:
		return lessonAsk
	case !lp.runs[n-1].ended:
		return lessonRunning
	case n < len(l.Runs):
		return lessonNextRun
	}
	return lessonAnswered
}

// outcomes are the ended runs' outcomes.
func (lp *lessonPanel) outcomes() []lesson.Outcome {
	var outs []lesson.Outcome
	for _, r := range lp.runs {
		if r.ended {
			outs = append(outs, r.out)
		}
	}
	return outs
}

// problems are the lesson's claims the panel's runs contradict: each
// run that cleared the cache against its Expect (a run that did not
// clear it may find entries and is not checked), and the fetches of
// every tab against AllTabs. checked is false when no run was checked.
func (lp *lessonPanel) problems(l lesson.Lesson) (bad []string, checked bool) {
	for i, r := range lp.runs {
		if !r.ended || i >= len(l.Runs) {
			continue
		}
		e := l.Runs[i].Expect
		if r.fresh {
			checked = true
			bad = append(bad, lesson.Check(e, r.out)...)
		}
		if len(e.AllTabs) > 0 {
			checked = true
			inAll := map[string]int{}
			for url := range e.AllTabs {
				inAll[url] = r.out.InAll(url)
			}
			bad = append(bad, lesson.CheckAllTabs(e, inAll)...)
		}
	}
	return bad, checked
}

// secondTabURL is the open lesson's link that runs it at once without
// clearing the cache: the second tab of the crosstab lesson.
func (lp *lessonPanel) secondTabURL(l lesson.Lesson) string {
	u, err := url.Parse(lessonURL(lp.hooks.location(), l.Name))
	if err != nil {
		return ""
	}
	q := u.Query()
	q.Set("run", "1")
	q.Set("fresh", "0")
	u.RawQuery = q.Encode()
	return u.String()
}

// Event handlers.

func (lp *lessonPanel) onPick(ctx app.Context, e app.Event) {
	name := ctx.JSSrc().Get("dataset").Get("lesson").String()
	if _, i, err := lesson.Lookup(name); err == nil {
		lp.open(i)
	}
}

func (lp *lessonPanel) onPrev(ctx app.Context, e app.Event) { lp.open(lp.cur - 1) }
func (lp *lessonPanel) onNext(ctx app.Context, e app.Event) { lp.open(lp.cur + 1) }

func (lp *lessonPanel) onPredict(ctx app.Context, e app.Event) {
	if l, ok := lp.lesson(); ok && lp.state(l) == lessonAsk {
		lp.choice = ctx.JSSrc().Get("value").String()
	}
}

func (lp *lessonPanel) onRun(ctx app.Context, e app.Event) { lp.runLesson(ctx, true) }

func (lp *lessonPanel) onStop(ctx app.Context, e app.Event) { lp.run.stop() }

// onAgain forgets the runs and the prediction, to predict and run again.
func (lp *lessonPanel) onAgain(ctx app.Context, e app.Event) { lp.open(lp.cur) }

func (lp *lessonPanel) onSecondTab(ctx app.Context, e app.Event) {
	if l, ok := lp.lesson(); ok && l.SecondTab {
		lp.hooks.openTab(lp.secondTabURL(l))
	}
}

func (lp *lessonPanel) onClearProgress(ctx app.Context, e app.Event) {
	lp.done = map[string]bool{}
	lp.saveProgress(ctx)
}

func (lp *lessonPanel) onClose(ctx app.Context, e app.Event) { lp.close() }

// listenKeys makes ← and → open the previous and next lesson while the
// focus is in the panel, but not in its choices (arrows move between
// radio buttons) or any other field.
func (lp *lessonPanel) listenKeys(ctx app.Context) {
	lp.keys.listen("#lesson", func(k keyPress) func() {
		if k.Shift || slices.Contains([]string{"input", "textarea", "select"}, k.Tag) {
			return nil
		}
		d := 0
		switch k.Key {
		case "ArrowLeft", "Left":
			d = -1
		case "ArrowRight", "Right":
			d = +1
		default:
			return nil
		}
		return func() { ctx.Dispatch(func(app.Context) { lp.open(lp.cur + d) }) }
	})
}

// lessonObjects are window.stampede.lessons: each lesson's name, title,
// link, settings, question and claims, for slides and tests.
func lessonObjects() []any {
	var out []any
	for _, l := range lesson.Path() {
		runs := make([]any, len(l.Runs))
		for i, r := range l.Runs {
			runs[i] = map[string]any{"strategy": string(r.Strategy), "expect": jsonObject(r.Expect)}
		}
		choices := make([]any, len(l.Question.Choices))
		for i, c := range l.Question.Choices {
			choices[i] = map[string]any{"id": c.ID, "text": c.Text}
		}
		out = append(out, map[string]any{
			"name": l.Name, "title": l.Title, "link": "?lesson=" + l.Name,
			"scenario": l.Scenario, "strategy": string(l.Runs[0].Strategy), "latency": l.Latency, "ttl": l.TTL,
			"expect": jsonObject(l.Runs[0].Expect), "runs": runs,
			"question": l.Question.Text, "choices": choices, "correct": l.Question.Correct,
			"secondTab": l.SecondTab,
		})
	}
	return out
}

// jsonObject is v as window.stampede gives it: its JSON, as plain maps,
// slices, strings, numbers and booleans.
func jsonObject(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return map[string]any{"error": err.Error()}
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		return map[string]any{"error": err.Error()}
	}
	return out
}
