package ui

import (
	"context"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/stampede-playground/stampede/app/lesson"
	"github.com/stampede-playground/stampede/app/stampede"
)

func mustLesson(t *testing.T, name string) lesson.Lesson {
	t.Helper()
	l, _, err := lesson.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestParseLessonParams(t *testing.T) {
	once := mustLesson(t, "once")
	tests := []struct {
		query    string
		lesson   string
		want     settings
		fresh    bool
		freshSet bool
		errs     []string // prefixes
	}{
		{"lesson=once&run=1", "once", lessonSettings(once, 0), false, false, nil},
		{"lesson=once&run=1&fresh=0", "once", lessonSettings(once, 0), false, true, nil},
		{"lesson=once&preset=seed&strategy=none", "once", lessonSettings(once, 0), false, false,
			[]string{"preset=seed: ignored: lesson= sets it", "strategy=none: ignored: lesson= sets it"}},
		{"lesson=nope", "", defaultSettings(), false, false, []string{`lesson=nope: unknown lesson "nope": want stampede, lock,`}},
		{"lesson=nope&preset=once", "", settings{Text: preset(t, "once").Text, Strategy: stampede.Keyed, Latency: DefaultLatency, TTL: DefaultTTL, Beta: DefaultBeta}, false, false,
			[]string{`lesson=nope: unknown lesson`}},
	}
	for _, tt := range tests {
		q, err := url.ParseQuery(tt.query)
		if err != nil {
			t.Fatal(err)
		}
		got := parseParams(q, defaultSettings(), false)
		if got.Lesson != tt.lesson || got.settings != tt.want || got.FreshSet != tt.freshSet || got.Fresh != tt.fresh {
			t.Errorf("%s: lesson %q, %+v, fresh %v (given %v); want %q, %+v, %v (%v)", tt.query,
				got.Lesson, got.settings, got.Fresh, got.FreshSet, tt.lesson, tt.want, tt.fresh, tt.freshSet)
		}
		if len(got.Errors) != len(tt.errs) {
			t.Errorf("%s: errors %q; want %d", tt.query, got.Errors, len(tt.errs))
			continue
		}
		for i, e := range tt.errs {
			if !strings.HasPrefix(got.Errors[i], e) {
				t.Errorf("%s: error %q; want %q…", tt.query, got.Errors[i], e)
			}
		}
	}
}

func TestLessonURLs(t *testing.T) {
	base, _ := url.Parse("https://example.org/stampede/?embed=1&preset=seed&strategy=lock&latency=1s&run=1")
	if got, want := lessonURL(base, "once"), "https://example.org/stampede/?embed=1&lesson=once"; got != want {
		t.Errorf("lessonURL = %s; want %s", got, want)
	}
	lp := newLessonPanel(newRunner(Env{}), lessonHooks{location: func() *url.URL { return base }})
	want := "https://example.org/stampede/?embed=1&fresh=0&lesson=crosstab&run=1"
	if got := lp.secondTabURL(mustLesson(t, "crosstab")); got != want {
		t.Errorf("secondTabURL = %s; want %s", got, want)
	}
	// stateURL, leaving the lessons, drops lesson=.
	u, _ := url.Parse("https://example.org/?lesson=once&embed=1")
	if got := stateURL(u, defaultSettings()); strings.Contains(got, "lesson=") || !strings.Contains(got, "embed=1") {
		t.Errorf("stateURL = %s; want no lesson=, embed kept", got)
	}
}

// lessonPage mounts a playground at ?q and lets it settle. With gate > 0
// every fetch waits until gate of them have started, so the stampede
// lesson's workers all miss however slowly the test is scheduled.
func lessonPage(t *testing.T, q string, gate int) (*Playground, app.ClientDispatcher, *[]string, *countingFetcher) {
	t.Helper()
	f := &countingFetcher{delay: 10 * time.Millisecond}
	fetcher := f.fetcher()
	if gate > 0 {
		fetcher = gated(gate, fetcher)
	}
	p, d, urls := page(t, Env{Fetcher: fetcher}, q)
	d.Consume()
	d.Consume() // the views' updates after the run
	return p, d, urls, f
}

// gated holds each fetch until n have started (at most 10 s), then
// passes it on.
func gated(n int, next stampede.Fetcher) stampede.Fetcher {
	var started atomic.Int32
	all := make(chan struct{})
	return stampede.FetcherFunc(func(ctx context.Context, u string) (stampede.Response, error) {
		if int(started.Add(1)) == n {
			close(all)
		}
		select {
		case <-all:
		case <-time.After(10 * time.Second):
		case <-ctx.Done():
			return stampede.Response{}, ctx.Err()
		}
		return next.Fetch(ctx, u)
	})
}

func lastURL(t *testing.T, urls *[]string) string {
	t.Helper()
	if len(*urls) == 0 {
		t.Fatal("the URL was never written")
	}
	return (*urls)[len(*urls)-1]
}

// TestLessonLinkRuns opens ?lesson=stampede&run=1: the lesson's settings
// run at once on a cleared cache, the answer is the run's, the timeline
// highlights the lesson's bars, the address bar is the lesson's link,
// and the progress remembers the lesson.
func TestLessonLinkRuns(t *testing.T) {
	p, d, urls, f := lessonPage(t, "lesson=stampede&run=1", 10)
	lp := p.views.lessons
	l := mustLesson(t, "stampede")
	if p.lesson != "stampede" || p.settings != lessonSettings(l, 0) {
		t.Fatalf("lesson %q, settings %+v; want the stampede lesson's", p.lesson, p.settings)
	}
	if p.run.run.state != runDone {
		t.Fatalf("run state %v (%s); want done", p.run.run.state, p.run.run.result.Err)
	}
	if got := f.counts()["data/stuff.json"]; got != 10 {
		t.Errorf("fetched stuff.json %d times; want 10 (none, all at once)", got)
	}
	if got := lastURL(t, urls); got != "https://example.org/?lesson=stampede" {
		t.Errorf("URL = %s; want the lesson's link alone", got)
	}
	if st := lp.state(l); st != lessonAnswered {
		t.Errorf("lesson state %v; want answered", st)
	}
	if !lp.done["stampede"] {
		t.Error("the finished lesson is not in the progress")
	}
	var names []string
	onUI(d, lp, func(ctx app.Context) { _ = ctx.LocalStorage().Get(progressKey, &names) })
	if len(names) != 1 || names[0] != "stampede" {
		t.Errorf("localStorage progress %q; want [stampede]", names)
	}
	wantHTML(t, p, `id="lessons"`, `aria-current="step"`, `data-state="answered"`, `data-answer="10"`,
		`data-check="ok"`, `data-highlight`, `You did not predict this time.`, `id="editor-toggle"`)
	if strings.Contains(html(p), `id="scenario"`) {
		t.Error("the editor shows during a lesson; it folds away")
	}
}

// TestLessonWrongPrediction: a wrong prediction is answered kindly,
// beside the run's answer, and the question is closed once Run starts.
func TestLessonWrongPrediction(t *testing.T) {
	p, d, _, _ := lessonPage(t, "lesson=stampede", 10)
	lp := p.views.lessons
	wantHTML(t, p, `data-state="ask"`, `id="lesson-question"`, `Predict: `, `How many network fetches will the server see?`)
	onUI(d, lp, func(ctx app.Context) {
		lp.choice = "1"
		lp.runLesson(ctx, true)
	})
	wantHTML(t, p, `data-state="answered"`, `data-prediction="1"`, `data-answer="10"`, `data-correct="no"`,
		`You predicted: 1: the first fetch fills the cache for the others.`, `Not this time, and that is fine`,
		`The server was asked for data/stuff.json 10 times.`, `Why: `, `id="lesson-asked"`)
	if strings.Contains(html(p), `name="prediction"`) {
		t.Error("the choices still show after the answer, which repeats the prediction")
	}
	onUI(d, lp, func(ctx app.Context) { lp.choice = "5" }) // the page ignores it: onPredict checks the state
	onUI(d, lp, func(ctx app.Context) { lp.open(lp.cur) }) // Predict and run again
	if lp.choice != "" || len(lp.runs) != 0 || lp.state(mustLesson(t, "stampede")) != lessonAsk {
		t.Errorf("after Predict and run again: choice %q, %d runs; want a fresh question", lp.choice, len(lp.runs))
	}
}

// TestLessonTwoRuns follows the one-lock lesson: Run under lock, then
// under keyed; the answer waits for both.
func TestLessonTwoRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("two runs with a second of added latency each")
	}
	p, d, _, _ := lessonPage(t, "lesson=one-lock", 0)
	lp := p.views.lessons
	l := mustLesson(t, "one-lock")
	wantHTML(t, p, `Run under lock (1 of 2)`)
	onUI(d, lp, func(ctx app.Context) { lp.choice = "lock"; lp.runLesson(ctx, true) })
	if st := lp.state(l); st != lessonNextRun {
		t.Fatalf("after the first run: %v; want next-run", st)
	}
	wantHTML(t, p, `data-state="next-run"`, `Run under keyed (2 of 2)`, `Then run it under keyed.`, `So far: Under lock the longest wait was`)
	if p.settings.Strategy != stampede.Lock {
		t.Errorf("editor strategy %s during the first run; want lock", p.settings.Strategy)
	}
	onUI(d, lp, func(ctx app.Context) { lp.runLesson(ctx, true) })
	if p.settings.Strategy != stampede.Keyed {
		t.Errorf("editor strategy %s after the second run; want keyed (the code panel follows it)", p.settings.Strategy)
	}
	wantHTML(t, p, `data-state="answered"`, `data-answer="lock"`, `data-correct="yes"`, `data-check="ok"`, `Right.`,
		`under keyed nobody waited`, `data-strategy="keyed"`)
}

// TestLessonNavigation: Previous and Next move along the path and stop
// at its ends; the URL and the settings follow; Leave the lessons goes
// back to the playground with a state URL; Clear progress forgets.
func TestLessonNavigation(t *testing.T) {
	p, d, urls, _ := lessonPage(t, "", 0)
	lp := p.views.lessons
	if p.lesson != "" || strings.Contains(html(p), `id="lessons"`) {
		t.Fatal("a page without lesson= shows a lesson")
	}
	wantHTML(t, p, `id="lessons-open"`, `id="scenario"`)
	onUI(d, p, func(ctx app.Context) { p.onLessons(ctx, app.Event{}) })
	if p.lesson != "stampede" || lastURL(t, urls) != "https://example.org/?lesson=stampede" {
		t.Fatalf("Lessons opened %q at %s; want the first lesson", p.lesson, lastURL(t, urls))
	}
	onUI(d, lp, func(ctx app.Context) { lp.onPrev(ctx, app.Event{}) })
	if p.lesson != "stampede" {
		t.Errorf("Previous on the first lesson moved to %q", p.lesson)
	}
	path := lesson.Path()
	for i := 1; i < len(path); i++ {
		onUI(d, lp, func(ctx app.Context) { lp.onNext(ctx, app.Event{}) })
		if p.lesson != path[i].Name || p.settings != lessonSettings(path[i], 0) || lastURL(t, urls) != "https://example.org/?lesson="+path[i].Name {
			t.Errorf("Next #%d: lesson %q, URL %s; want %s", i, p.lesson, lastURL(t, urls), path[i].Name)
		}
	}
	onUI(d, lp, func(ctx app.Context) { lp.onNext(ctx, app.Event{}) })
	if p.lesson != path[len(path)-1].Name {
		t.Errorf("Next on the last lesson moved to %q", p.lesson)
	}

	// The editor folds away and comes back with one click.
	onUI(d, p, func(ctx app.Context) { p.onToggleEditor(ctx, app.Event{}) })
	if !p.editorOpen {
		t.Error("the editor toggle did not open the editor")
	}
	wantHTML(t, p, `id="scenario"`, `id="code"`, `Hide the editor and the code`)

	lp.done["once"] = true
	onUI(d, lp, func(ctx app.Context) { lp.onClearProgress(ctx, app.Event{}) })
	if len(lp.done) != 0 {
		t.Errorf("progress %v after Clear progress", lp.done)
	}
	onUI(d, lp, func(ctx app.Context) { lp.onClose(ctx, app.Event{}) })
	if p.lesson != "" || strings.Contains(lastURL(t, urls), "lesson=") || !strings.Contains(lastURL(t, urls), "strategy=swr") {
		t.Errorf("after Leave the lessons: lesson %q, URL %s; want the playground's state URL", p.lesson, lastURL(t, urls))
	}
	wantHTML(t, p, `id="lessons-open"`)
}

// TestLessonCrossTabWithoutWebLocks: where the browser has no Web
// Locks, the crosstab lesson says so instead of running.
func TestLessonCrossTabWithoutWebLocks(t *testing.T) {
	p, d, _, _ := lessonPage(t, "lesson=crosstab", 0)
	lp := p.views.lessons
	onUI(d, lp, func(ctx app.Context) { lp.runLesson(ctx, true) })
	if len(lp.runs) != 0 || !strings.Contains(lp.err, "Web Locks") {
		t.Errorf("runs %d, error %q; want none and the Web Locks message", len(lp.runs), lp.err)
	}
	wantHTML(t, p, `id="lesson-error"`, `id="lesson-second-tab"`)
}

func TestLessonObjects(t *testing.T) {
	objs := lessonObjects()
	if len(objs) != len(lesson.Path()) {
		t.Fatalf("%d lessons; want %d", len(objs), len(lesson.Path()))
	}
	first := objs[0].(map[string]any)
	for _, k := range []string{"name", "title", "strategy", "scenario", "expect", "runs", "question", "choices", "link"} {
		if _, ok := first[k]; !ok {
			t.Errorf("window.stampede.lessons[0] lacks %q", k)
		}
	}
	exp := first["expect"].(map[string]any)
	if f := exp["fetches"].(map[string]any)["data/stuff.json"]; f != float64(10) {
		t.Errorf("lessons[0].expect.fetches = %v; want data/stuff.json: 10", exp["fetches"])
	}
}
