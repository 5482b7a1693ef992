//go:build !(js && wasm)

package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// lessonInfo is an entry of window.stampede.lessons.
type lessonInfo struct {
	Name     string `json:"name"`
	Title    string `json:"title"`
	Strategy string `json:"strategy"`
	Scenario string `json:"scenario"`
	Latency  string `json:"latency"`
	TTL      string `json:"ttl"`
	Runs     []struct {
		Strategy string `json:"strategy"`
		Expect   struct {
			Fetches map[string]int `json:"fetches"`
			AllTabs map[string]int `json:"allTabs"`
		} `json:"expect"`
	} `json:"runs"`
	Choices []struct {
		ID   string `json:"id"`
		Text string `json:"text"`
	} `json:"choices"`
	Correct   string `json:"correct"`
	SecondTab bool   `json:"secondTab"`
}

// goTo navigates to path and waits until window.stampede is defined. As
// open, but a poll that outlives the navigation's execution context
// (the page goes from the prerendered HTML to the app) is tried again.
func (h *harness) goTo(t *testing.T, path string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(h.ctx, appLoad)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(h.url+path)); err != nil {
		t.Fatalf("navigate to %s: %v", path, err)
	}
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof window.stampede === "object" && window.stampede !== null`))
		if err == nil && ok {
			return
		}
		select {
		case <-ctx.Done():
			h.dumpPage(t)
			t.Fatalf("window.stampede did not appear within %v of loading %s (last error: %v)", appLoad, path, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// lessonView is what the lesson panel and the page show.
type lessonView struct {
	Lesson      string            `json:"lesson"` // #lesson's data-lesson
	State       string            `json:"state"`
	Runs        string            `json:"runs"` // runs ended
	AnswerState string            `json:"answerState"`
	Answer      string            `json:"answer"`
	Prediction  string            `json:"prediction"`
	Correct     string            `json:"correct"`
	Check       string            `json:"check"`
	Problems    string            `json:"problems"`
	Search      string            `json:"search"`
	Highlights  int               `json:"highlights"` // marked bars and links on the timeline
	RunStats    map[string]string `json:"runStats"`
}

const lessonViewJS = `(() => {
	const l = document.getElementById("lesson"), a = document.getElementById("lesson-answer");
	const rs = document.getElementById("run-stats"), p = document.getElementById("lesson-check");
	const d = (el) => el ? el.dataset : {};
	return {lesson: d(l).lesson || "", state: d(l).state || "", runs: d(l).runs || "",
		answerState: d(a).state || "", answer: d(a).answer || "", prediction: d(a).prediction || "",
		correct: d(a).correct || "", check: d(a).check || "", problems: p ? p.innerText : "",
		search: location.search, highlights: document.querySelectorAll("#timeline [data-highlight]").length,
		runStats: Object.assign({}, d(rs))};
})()`

func (h *harness) lessonView(t *testing.T) lessonView {
	t.Helper()
	return eval[lessonView](t, h, lessonViewJS, 10*time.Second)
}

// waitLesson waits until the lesson panel shows lesson name with runs
// ended (and, for runs > 0, #run-stats done or error).
func (h *harness) waitLesson(t *testing.T, name string, runs int, timeout time.Duration) lessonView {
	t.Helper()
	pred := fmt.Sprintf(`(() => { const l = document.getElementById("lesson");
		return !!l && l.dataset.lesson === %q && l.dataset.runs === "%d" && l.dataset.state !== "running"; })()`, name, runs)
	ctx, cancel := context.WithTimeout(h.ctx, timeout+5*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, poll[bool](pred, chromedp.WithPollingInterval(50*time.Millisecond),
		chromedp.WithPollingTimeout(timeout))); err != nil {
		h.dumpPage(t)
		t.Fatalf("lesson %s never showed %d runs ended within %v: %v (%+v)", name, runs, timeout, err, h.lessonView(t))
	}
	return h.lessonView(t)
}

// click waits until the element sel is there and enabled, and clicks it.
func (h *harness) click(t *testing.T, sel string) {
	t.Helper()
	ok := h.poll(t, fmt.Sprintf(`(() => { const b = document.querySelector(%q);
		if (!b || b.disabled) return false; b.click(); return true; })()`, sel))
	if !ok {
		h.dumpPage(t)
		t.Fatalf("%s is missing or disabled", sel)
	}
}

// aboveFold checks that the elements sel name are drawn within the
// 1280x720 viewport and the page is not scrolled.
func (h *harness) aboveFold(t *testing.T, when string, sels ...string) {
	t.Helper()
	js := fmt.Sprintf(`(() => { const out = [];
		if (window.scrollY !== 0) out.push("the page is scrolled by " + window.scrollY);
		for (const s of %s) {
			const el = document.querySelector(s);
			if (!el) { out.push(s + " is missing"); continue; }
			const r = el.getBoundingClientRect();
			if (r.height === 0) out.push(s + " is not drawn");
			else if (r.top < 0 || r.bottom > innerHeight + 0.5 || r.right > innerWidth + 0.5)
				out.push(s + " is at " + Math.round(r.top) + "–" + Math.round(r.bottom) + " of " + innerHeight);
		}
		return out.join("; "); })()`, jsList(sels))
	if msg := eval[string](t, h, js, 10*time.Second); msg != "" {
		t.Errorf("at 1280x720, %s: %s", when, msg)
	}
}

func jsList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// TestLessons follows the whole path at 1280x720 as a newcomer does:
// the first lesson's link, then Next through the others, a prediction
// before each Run, and checks every run against the counting server and
// what the lesson claims (window.stampede.lessons' expect; the page's
// own check, data-check, of its typed claims). A lesson whose text and
// run disagree fails here. It also checks the keys, the progress, the
// fold of the editor, a run=1 link, embed=1 and leaving the lessons.
func TestLessons(t *testing.T) {
	chromium := chromiumPath(t)
	_, dist := buildSite(t)
	h := newHarness(t, chromium, dist)
	if err := chromedp.Do(h.ctx, chromedp.EmulateViewport(1280, 720)); err != nil {
		t.Fatal(err)
	}
	lessons := eval[[]lessonInfo](t, h, `window.stampede.lessons`, 10*time.Second)
	if len(lessons) < 9 {
		t.Fatalf("window.stampede.lessons has %d lessons; want the path of nine or ten", len(lessons))
	}
	h.goTo(t, "/?lesson="+lessons[0].Name)
	h.click(t, "#lesson-clear") // a fresh browser has none; the path starts from nothing
	for i, l := range lessons {
		if i > 0 {
			h.click(t, "#lesson-next")
		}
		ok := t.Run(l.Name, func(t *testing.T) { h.followLesson(t, l) })
		if !ok {
			t.FailNow() // the next lessons start where this one left off
		}
	}
	t.Run("progress", func(t *testing.T) { h.checkLessonProgress(t, lessons) })
	t.Run("keys", func(t *testing.T) { h.checkLessonKeys(t, lessons) })
	t.Run("editor folds", h.checkLessonEditor)
	t.Run("run=1 link", func(t *testing.T) { h.checkLessonLink(t, lessons) })
	t.Run("embed", h.checkLessonEmbed)
	t.Run("leave", h.checkLessonLeave)
}

// followLesson predicts, runs each of the lesson's runs and checks them.
func (h *harness) followLesson(t *testing.T, l lessonInfo) {
	v := h.waitLesson(t, l.Name, 0, 30*time.Second)
	if v.Search != "?lesson="+l.Name || v.State != "ask" {
		t.Errorf("address bar %q, state %q; want ?lesson=%s and the question open", v.Search, v.State, l.Name)
	}
	h.aboveFold(t, "before the run", "#lesson-text", "#lesson-question", "#lesson-run", "#counters", "#timeline")
	if n := eval[int](t, h, `document.querySelectorAll("#lesson-question input:checked").length`, 5*time.Second); n != 0 {
		t.Errorf("%d choices are checked before any prediction (left from the lesson before?)", n)
	}
	// The first lesson is predicted wrong on purpose, for the README's
	// screenshot; the others take the first choice, right or wrong.
	pick := l.Choices[0].ID
	if l.Name == "stampede" {
		pick = "1"
	}
	h.click(t, "#lesson-choice-"+pick)
	for k, run := range l.Runs {
		h.srv.Reset()
		h.click(t, "#lesson-run")
		var other *harness
		if l.SecondTab {
			other = h.openSecondLessonTab(t, l)
		}
		v = h.waitLesson(t, l.Name, k+1, 90*time.Second)
		want := run.Expect.Fetches
		if other != nil {
			ov := other.waitLesson(t, l.Name, 1, 90*time.Second)
			t.Logf("the second tab: %v, answer %q, check %q", ov.RunStats, ov.Answer, ov.Check)
			if ov.Answer != l.Correct || ov.Check == "failed" {
				t.Errorf("the second tab answers %q (check %s: %s); want %q", ov.Answer, ov.Check, ov.Problems, l.Correct)
			}
			want = run.Expect.AllTabs // the server sees both tabs
			v = h.lessonView(t)       // with the other tab's events
		}
		counts := h.srv.Counts()
		t.Logf("run %d under %s: %v; the server saw %v", k+1, run.Strategy, v.RunStats, counts)
		if got := v.RunStats["strategy"]; got != run.Strategy || v.RunStats["state"] != "done" {
			t.Fatalf("run %d: #run-stats %v; want done under %s", k+1, v.RunStats, run.Strategy)
		}
		for url, n := range want {
			if got := counts["/"+url]; got != n {
				t.Errorf("run %d: the server saw %s %d times; the lesson says %d", k+1, url, got, n)
			}
		}
		served := 0
		for path, n := range counts {
			if strings.HasPrefix(path, "/data/") {
				served += n
			}
		}
		if other == nil && fmt.Sprint(served) != v.RunStats["fetches"] {
			t.Errorf("run %d: the page counted %s network fetches; the server saw %d (%v)", k+1, v.RunStats["fetches"], served, counts)
		}
	}
	if v.State != "answered" || v.AnswerState != "answered" {
		t.Fatalf("after its runs the lesson is %q (answer %q); want answered", v.State, v.AnswerState)
	}
	if v.Check != "ok" {
		t.Errorf("the page's check of the lesson's claims: %q: %s", v.Check, v.Problems)
	}
	if v.Answer != l.Correct {
		t.Errorf("the run answers %q; the lesson says %q", v.Answer, l.Correct)
	}
	if want := map[bool]string{true: "yes", false: "no"}[pick == l.Correct]; v.Prediction != pick || v.Correct != want {
		t.Errorf("prediction %q marked %q; want %q marked %q", v.Prediction, v.Correct, pick, want)
	}
	if v.Highlights == 0 {
		t.Error("the timeline highlights nothing after the run")
	}
	h.aboveFold(t, "after the run", "#lesson-answer", "#counters", "#timeline svg")
	if l.Name == "stampede" {
		h.saveScreenshot(t, h.ctx, "lesson.png")
	}
}

// openSecondLessonTab presses Open a second tab (window.open stubbed to
// record the URL, as headless tabs cannot be followed), checks the URL
// runs the lesson without clearing the cache, and opens it in a second
// tab of the browser, which runs it at once.
func (h *harness) openSecondLessonTab(t *testing.T, l lessonInfo) *harness {
	t.Helper()
	eval[bool](t, h, `(window.open = (u) => { window.__opened = String(u); return null; }, true)`, 5*time.Second)
	h.click(t, "#lesson-second-tab")
	u := eval[string](t, h, `new Promise(r => { const f = () => window.__opened ? r(window.__opened) : setTimeout(f, 20); f(); })`, 30*time.Second)
	if !strings.Contains(u, "lesson="+l.Name) || !strings.Contains(u, "run=1") || !strings.Contains(u, "fresh=0") {
		t.Fatalf("Open a second tab opened %s; want the lesson with run=1 and fresh=0", u)
	}
	ctx, cancel := chromedp.NewContext(h.ctx)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatal(err)
	}
	b := &harness{ctx: ctx, srv: h.srv, url: h.url}
	b.goTo(t, strings.TrimPrefix(u, h.url))
	return b
}

// checkLessonProgress: every lesson is done; the progress survives a
// reload and Clear progress forgets it.
func (h *harness) checkLessonProgress(t *testing.T, lessons []lessonInfo) {
	progress := `[document.querySelectorAll("#lessons .lesson-pick.done").length,
		JSON.parse(localStorage.getItem("stampede.lessons.done") || "null")]`
	type got struct {
		Done  int
		Names []string
	}
	read := func() got {
		v := eval[[]any](t, h, progress, 10*time.Second)
		var g got
		g.Done = int(v[0].(float64))
		if names, ok := v[1].([]any); ok {
			for _, n := range names {
				g.Names = append(g.Names, fmt.Sprint(n))
			}
		}
		return g
	}
	h.goTo(t, "/?lesson="+lessons[2].Name)
	h.waitLesson(t, lessons[2].Name, 0, 30*time.Second)
	if g := read(); g.Done != len(lessons) || len(g.Names) != len(lessons) {
		t.Errorf("after a reload: %d lessons marked done, localStorage %q; want all %d", g.Done, g.Names, len(lessons))
	}
	h.click(t, "#lesson-clear")
	if !h.poll(t, `document.querySelectorAll("#lessons .lesson-pick.done").length === 0 && localStorage.getItem("stampede.lessons.done") === null`) {
		t.Errorf("after Clear progress: %+v", read())
	}
}

// checkLessonKeys: ← and → move along the path while the lesson panel
// has the focus, but not while a choice has it (arrows pick choices).
func (h *harness) checkLessonKeys(t *testing.T, lessons []lessonInfo) {
	cur := lessons[2].Name
	h.waitLesson(t, cur, 0, 30*time.Second)
	ctx, cancel := context.WithTimeout(h.ctx, 30*time.Second)
	defer cancel()
	eval[bool](t, h, `(document.getElementById("lesson").focus(), true)`, 5*time.Second)
	if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.ArrowLeft)); err != nil {
		t.Fatal(err)
	}
	h.waitLesson(t, lessons[1].Name, 0, 30*time.Second)
	if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.ArrowRight)); err != nil {
		t.Fatal(err)
	}
	h.waitLesson(t, cur, 0, 30*time.Second)
	eval[bool](t, h, `(document.querySelector("#lesson-question input").focus(), true)`, 5*time.Second)
	if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.ArrowRight)); err != nil {
		t.Fatal(err)
	}
	h.painted(t)
	if v := h.lessonView(t); v.Lesson != cur {
		t.Errorf("→ on a choice moved to lesson %q; want it kept on %q", v.Lesson, cur)
	}
}

// checkLessonEditor: the editor and the code panel fold away during a
// lesson and come back with one click, showing the lesson's strategy.
func (h *harness) checkLessonEditor(t *testing.T) {
	h.goTo(t, "/?lesson=percall")
	h.waitLesson(t, "percall", 0, 30*time.Second)
	if eval[bool](t, h, `!!document.getElementById("scenario")`, 5*time.Second) {
		t.Error("the editor shows during a lesson")
	}
	h.click(t, "#editor-toggle")
	if !h.poll(t, `(() => { const c = document.getElementById("code"), s = document.getElementById("scenario");
		return !!c && !!s && c.dataset.strategy === "percall" && s.value.includes("crowd x10"); })()`) {
		t.Error("the editor toggle did not bring back the editor and the code panel for percall")
	}
	h.click(t, "#editor-toggle")
	if !h.poll(t, `!document.getElementById("scenario")`) {
		t.Error("the editor toggle did not fold the editor again")
	}
}

// checkLessonLink: ?lesson=NAME&run=1 opens the lesson and runs it.
func (h *harness) checkLessonLink(t *testing.T, lessons []lessonInfo) {
	h.srv.Reset()
	h.goTo(t, "/?lesson=once&run=1")
	v := h.waitLesson(t, "once", 1, 60*time.Second)
	if v.Search != "?lesson=once" || v.Check != "ok" || v.Answer != "1" || v.RunStats["strategy"] != "keyed" {
		t.Errorf("?lesson=once&run=1: %+v; want the once lesson run, answered 1, the address bar ?lesson=once", v)
	}
	if got := h.srv.Count("/data/stuff.json"); got != 1 {
		t.Errorf("the server saw stuff.json %d times; want 1", got)
	}
}

// checkLessonEmbed: embed=1 shows the lesson and its timeline in a
// slide's frame, without the log.
func (h *harness) checkLessonEmbed(t *testing.T) {
	h.goTo(t, "/?embed=1&lesson=singleflight&run=1")
	v := h.waitLesson(t, "singleflight", 1, 60*time.Second)
	if v.Check != "ok" || v.Answer != "shared" || v.Search != "?embed=1&lesson=singleflight" {
		t.Errorf("embedded: %+v", v)
	}
	shown := eval[[]bool](t, h, `["#timeline svg", "#log-panel", "#lessons", "#editor-toggle"].map(s => {
		const el = document.querySelector(s); return !!el && el.getBoundingClientRect().height > 0; })`, 5*time.Second)
	if !shown[0] || shown[1] || !shown[2] {
		t.Errorf("embed=1: timeline, log, lesson list drawn: %v; want the timeline and the list, no log", shown)
	}
}

// checkLessonLeave: Leave the lessons goes back to the playground, whose
// address bar describes the last lesson's settings.
func (h *harness) checkLessonLeave(t *testing.T) {
	h.goTo(t, "/?lesson=one-lock")
	h.waitLesson(t, "one-lock", 0, 30*time.Second)
	h.click(t, "#lesson-close")
	if !h.poll(t, `!document.getElementById("lesson") && !!document.getElementById("lessons-open") &&
		!location.search.includes("lesson=") && location.search.includes("strategy=lock") && !!document.getElementById("scenario")`) {
		t.Errorf("after Leave the lessons: %s", eval[string](t, h, `location.search`, 5*time.Second))
	}
	h.click(t, "#lessons-open")
	if !h.poll(t, `location.search.startsWith("?lesson=")`) {
		t.Error("Lessons did not open the path again")
	}
}
