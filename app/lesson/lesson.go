// Package lesson is the guided path through Stampede: the lessons in
// order, each with its scenario, strategy and latency, its text, the
// question it asks before the run, and what the run must show.
//
// A lesson's claims are data next to its text (Expect), so they can be
// checked: Observe reads a run's stats and the typed fields of its
// events into an Outcome, Check compares an Outcome with an Expect, and
// Answer reads the answer to the lesson's question from the Outcomes.
// The native tests check every lesson against runs with a fake fetcher,
// the end-to-end tests against the browser and a counting server. The
// package is plain Go: the page (app/ui) renders it.
package lesson

import (
	"fmt"
	"strings"

	"github.com/stampede-playground/stampede/app/stampede"
)

// Lesson is one step of the path.
type Lesson struct {
	Name  string // what ?lesson= names: lowercase letters and '-'
	Title string
	// Text is what the lesson says before the run, in plain words;
	// paragraphs are separated by a blank line.
	Text     string
	Scenario string // scenario text, as the editor shows it
	Latency  string // added latency, a Go duration
	TTL      string // entries' time to live, a Go duration; "" never expire
	// Runs are the runs the lesson makes, in order, all of Scenario:
	// most lessons run once; a comparison runs once per strategy.
	Runs     []Run
	Question Question
	// Why says, after the last run, why the answer is what it is and
	// where the timeline shows it. It must be true of every run.
	Why string
	// SecondTab asks the learner to open the lesson in a second tab
	// while it runs (crosstab): that tab runs it without clearing the
	// shared cache.
	SecondTab bool
}

// Run is one run of a lesson.
type Run struct {
	Strategy stampede.Strategy
	Expect   Expect
	// Marks are what the timeline highlights after this run.
	Marks []Mark
}

// Mark picks bars of the timeline to highlight: those of Kind (a bar
// kind as the timeline's data-kind names it: wait, fetch, hit, shared,
// work, once, latency, or link for the served-by links) in the lane of
// Worker, or in every lane when Worker is "".
type Mark struct {
	Kind   string `json:"kind"`
	Worker string `json:"worker,omitempty"`
}

// Choice is one answer a learner can predict.
type Choice struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

// Question is what a lesson asks before its run.
type Question struct {
	Text    string
	Choices []Choice
	// Correct is the choice the lesson's text stands for; the tests
	// check that the runs answer it.
	Correct string
	Ask     Ask    // where the answer is read from
	URL     string // the URL an AskFetches or AskFetchesInAll question counts
	Worker  string // the worker an AskDelayed question is about
}

// Choice returns the choice with id, and whether there is one.
func (q Question) Choice(id string) (Choice, bool) {
	for _, c := range q.Choices {
		if c.ID == id {
			return c, true
		}
	}
	return Choice{}, false
}

// Path returns the lessons in order.
func Path() []Lesson {
	out := make([]Lesson, len(path))
	copy(out, path)
	return out
}

// Lookup finds a lesson by name; the error lists the names.
func Lookup(name string) (Lesson, int, error) {
	for i, l := range path {
		if l.Name == name {
			return l, i, nil
		}
	}
	names := make([]string, len(path))
	for i, l := range path {
		names[i] = l.Name
	}
	return Lesson{}, -1, fmt.Errorf("unknown lesson %q: want %s", stampede.Truncate(name, 40), strings.Join(names, ", "))
}

// Paragraphs splits the lesson's text at blank lines.
func (l Lesson) Paragraphs() []string {
	var out []string
	for _, p := range strings.Split(l.Text, "\n\n") {
		if p = Plain(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Words counts the words of the lesson's text.
func (l Lesson) Words() int { return len(strings.Fields(l.Text)) }

func n(v int) *int { return &v }

// Plain is s with its line breaks and runs of spaces made single
// spaces: the lessons' texts are wrapped in the source.
func Plain(s string) string { return strings.Join(strings.Fields(s), " ") }
