package lesson

import (
	"context"
	"encoding/json"
	"regexp"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stampede-playground/stampede/app/stampede"
)

// fetcher answers every URL after delay and counts what it was asked,
// as the counting server of the end-to-end tests does.
type fetcher struct {
	delay time.Duration

	mu    sync.Mutex // protects count
	count map[string]int
}

func (f *fetcher) Fetch(ctx context.Context, url string) (stampede.Response, error) {
	f.mu.Lock()
	if f.count == nil {
		f.count = map[string]int{}
	}
	f.count[url]++
	f.mu.Unlock()
	select {
	case <-time.After(f.delay):
	case <-ctx.Done():
		return stampede.Response{}, ctx.Err()
	}
	return stampede.Response{Status: 200, ContentType: "application/json", Body: []byte(`{"ok":true}`)}, nil
}

func (f *fetcher) counts() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]int{}
	for k, v := range f.count {
		out[k] = v
	}
	return out
}

// locker is a lock per key shared by the runs of one test, as the
// browser's Web Locks are shared by the tabs of a site.
type locker struct {
	mu sync.Mutex // protects m
	m  map[string]chan struct{}
}

func (l *locker) Lock(ctx context.Context, key string) (func(), error) {
	l.mu.Lock()
	if l.m == nil {
		l.m = map[string]chan struct{}{}
	}
	c := l.m[key]
	if c == nil {
		c = make(chan struct{}, 1)
		l.m[key] = c
	}
	l.mu.Unlock()
	select {
	case c <- struct{}{}:
		return func() { <-c }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// tab is one page: its store and locks are the test's, shared.
type tab struct {
	store   stampede.Store
	locks   stampede.Locker
	fetcher *fetcher
}

// run runs lesson l's run i in t, as the page does, and observes it.
func (t tab) run(tt *testing.T, l Lesson, i int, runID string) Outcome {
	tt.Helper()
	sc, err := stampede.Parse(l.Scenario)
	if err != nil {
		tt.Fatalf("%s: scenario: %v", l.Name, err)
	}
	lat, err := time.ParseDuration(l.Latency)
	if err != nil {
		tt.Fatalf("%s: latency: %v", l.Name, err)
	}
	ttl, err := stampede.ParseTTL(l.TTL)
	if err != nil {
		tt.Fatalf("%s: ttl: %v", l.Name, err)
	}
	log := stampede.NewLog(0)
	st, err := stampede.Run(context.Background(), sc, stampede.Options{
		Strategy: l.Runs[i].Strategy, Latency: lat, TTL: ttl, Fetcher: t.fetcher, Store: t.store,
		CrossTab: t.locks, Log: log, RunID: runID,
	})
	if err != nil {
		tt.Fatalf("%s: run %d: %v", l.Name, i+1, err)
	}
	return Observe(runID, st, log.Since(0), lat, true)
}

// TestLessonsTellTheTruth runs every lesson as the page does, each run
// on an empty cache, in a synctest bubble (virtual time: the fetches
// take 50 ms, the latencies what the lesson says, and the test none of
// it), and checks each run against its Expect and the runs' answer
// against the question's Correct choice.
func TestLessonsTellTheTruth(t *testing.T) {
	for _, l := range Path() {
		t.Run(l.Name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := &fetcher{delay: 50 * time.Millisecond}
				var outs []Outcome
				for i, r := range l.Runs {
					page := tab{store: new(stampede.MemoryStore), locks: new(locker), fetcher: f}
					o := page.run(t, l, i, "run-"+l.Name)
					for _, msg := range Check(r.Expect, o) {
						t.Errorf("run %d (%s): %s", i+1, r.Strategy, msg)
					}
					outs = append(outs, o)
				}
				id, said := Answer(l.Question, l.Runs, outs)
				t.Logf("answer %q: %s", id, said)
				if id != l.Question.Correct {
					t.Errorf("the runs answer %q (%s); the lesson says %q", id, said, l.Question.Correct)
				}
				if _, ok := l.Question.Choice(id); !ok {
					t.Errorf("the answer %q is none of the choices", id)
				}
			})
		})
	}
}

// TestCrossTabLessonInAll runs the crosstab lesson in two tabs that
// share a store and locks, the second without clearing the cache,
// started with the first and after it: the server sees one fetch in all,
// and each tab answers 1.
func TestCrossTabLessonInAll(t *testing.T) {
	l, _, err := Lookup("crosstab")
	if err != nil {
		t.Fatal(err)
	}
	e := l.Runs[0].Expect
	for _, together := range []bool{true, false} {
		synctest.Test(t, func(t *testing.T) {
			f := &fetcher{delay: 50 * time.Millisecond}
			a := tab{store: new(stampede.MemoryStore), locks: new(locker), fetcher: f}
			b := a
			var outs [2]Outcome
			var wg sync.WaitGroup
			wg.Go(func() { outs[0] = a.run(t, l, 0, "run-A") })
			if !together {
				wg.Wait()
			}
			wg.Go(func() { outs[1] = b.run(t, l, 0, "run-B") })
			wg.Wait()
			for _, msg := range CheckAllTabs(e, f.counts()) {
				t.Errorf("together=%v: %s", together, msg)
			}
			for i, o := range outs {
				// A tab sees the other's events only over the page's
				// channel; here each knows its own run alone.
				if id, said := Answer(l.Question, l.Runs, []Outcome{o}); id != l.Question.Correct {
					t.Errorf("together=%v: tab %d answers %q (%s); want %q", together, i, id, said, l.Question.Correct)
				}
			}
		})
	}
}

// TestLessonData checks what a lesson must be to be shown: a name for a
// link, at most about 120 words, a scenario that parses, a latency, a
// question whose correct choice is one of its choices, and marks the
// timeline knows.
func TestLessonData(t *testing.T) {
	name := regexp.MustCompile(`^[a-z][a-z-]*$`)
	kinds := map[string]bool{"wait": true, "held": true, "latency": true, "fetch": true, "hit": true,
		"shared": true, "work": true, "once": true, "error": true, "link": true}
	seen := map[string]bool{}
	path := Path()
	if len(path) < 8 || len(path) > 10 {
		t.Errorf("%d lessons; the path has eight to ten", len(path))
	}
	for _, l := range path {
		if !name.MatchString(l.Name) || seen[l.Name] {
			t.Errorf("lesson name %q: want a new name of lowercase letters and '-'", l.Name)
		}
		seen[l.Name] = true
		if w := l.Words(); w > 120 {
			t.Errorf("%s: %d words; a lesson reads in under a minute (at most 120)", l.Name, w)
		}
		if sc, err := stampede.Parse(l.Scenario); err != nil {
			t.Errorf("%s: scenario: %v", l.Name, err)
		} else if n := sc.Requests(); n > 1000 {
			// Observe reads every event; the page keeps a run's newest 10,000.
			t.Errorf("%s: %d requests; a lesson's run stays under 1,000, so the page keeps all its events", l.Name, n)
		}
		if _, err := time.ParseDuration(l.Latency); err != nil {
			t.Errorf("%s: latency: %v", l.Name, err)
		}
		if len(l.Runs) == 0 || l.Title == "" || l.Why == "" || l.Question.Text == "" {
			t.Errorf("%s: want runs, a title, a question and a why", l.Name)
		}
		if _, ok := l.Question.Choice(l.Question.Correct); !ok || len(l.Question.Choices) < 2 {
			t.Errorf("%s: the correct choice %q is not among at least two choices", l.Name, l.Question.Correct)
		}
		for _, r := range l.Runs {
			if _, err := stampede.ParseStrategy(string(r.Strategy)); err != nil {
				t.Errorf("%s: %v", l.Name, err)
			}
			for _, m := range r.Marks {
				if !kinds[m.Kind] {
					t.Errorf("%s: mark kind %q is none the timeline draws", l.Name, m.Kind)
				}
			}
			if _, err := json.Marshal(r.Expect); err != nil {
				t.Errorf("%s: %v", l.Name, err)
			}
		}
	}
	if _, _, err := Lookup("nope"); err == nil {
		t.Error("Lookup of an unknown lesson: no error")
	}
}

// TestCheckSaysWhatIsWrong: a run that contradicts a lesson gets one
// message per claim.
func TestCheckSaysWhatIsWrong(t *testing.T) {
	e := Expect{Fetches: map[string]int{"a": 1}, Hits: n(2), Wait: None, NeverWait: []string{"w"}}
	o := Outcome{Ended: true, Latency: time.Second, Fetches: map[string]int{"a": 2, "b": 1},
		Stats: stampede.Stats{Hits: 1, MaxWaitMs: 900}, Waited: map[string]bool{"w": true}}
	got := Check(e, o)
	if len(got) != 5 {
		t.Errorf("Check = %q; want 5 messages (a, b, hits, wait, w)", got)
	}
	if got := Check(Expect{}, Outcome{Ended: true}); len(got) != 0 {
		t.Errorf("an empty Expect: %q", got)
	}
	if got := Check(Expect{}, Outcome{}); len(got) != 1 {
		t.Errorf("a stopped run: %q; want one message", got)
	}
}
