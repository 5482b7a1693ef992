package stampede

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Limits of the scenario language, enforced by Parse.
const (
	MaxWorkers   = 10000 // workers in total, replicas included
	MaxLines     = 200   // lines of text, comments and blanks included
	MaxSteps     = 50    // steps on one line
	MaxDuration  = 60 * time.Second
	MaxName      = 64       // characters in a worker or once name
	MaxURL       = 2048     // characters in a URL
	MaxTextBytes = 64 << 10 // bytes of scenario text
	// MaxRequests bounds the get and fetch steps a run makes in all:
	// steps × replicas × repetitions, summed over the lines.
	MaxRequests = 100000
	// MinPeriod is the shortest period of a steady line.
	MinPeriod = time.Millisecond
)

// StepKind is what a step does.
type StepKind uint8

const (
	StepGet   StepKind = iota // get URL: through the loader and its cache
	StepFetch                 // fetch URL: straight to the network
	StepWork                  // work DURATION: busy without the cache
	StepOnce                  // once NAME DURATION: a job run once per run
)

var stepNames = [...]string{"get", "fetch", "work", "once"}

func (k StepKind) String() string {
	if int(k) < len(stepNames) {
		return stepNames[k]
	}
	return fmt.Sprintf("step(%d)", k)
}

// Step is one step of a worker.
type Step struct {
	Kind StepKind
	URL  string        // get, fetch
	Name string        // once
	Dur  time.Duration // work, once
}

func (s Step) String() string {
	switch s.Kind {
	case StepGet, StepFetch:
		return s.Kind.String() + " " + s.URL
	case StepWork:
		return "work " + s.Dur.String()
	case StepOnce:
		return "once " + s.Name + " " + s.Dur.String()
	}
	return s.Kind.String()
}

// Worker is one line of a scenario: Count goroutines that each run Steps.
//
// A steady line (`readers x40 every 100ms for 6s: get data/hot.json`)
// has Every and For: each replica runs its Steps once per Every until
// For has passed since the run started, the replicas' first starts
// spread evenly over the first period (replica i, from 0, starts at
// i·Every/Count), so the line above asks 400 times a second. Each
// repetition starts on schedule in a goroutine of its own, whether or
// not the previous one has finished: arrivals do not wait for answers,
// as users' requests do not (an open-model load generator such as wrk2
// or vegeta). Waiting instead would ask less exactly when answers are
// slow and hide the stampede it is meant to show. MaxRequests bounds
// the repetitions.
type Worker struct {
	Name  string
	Count int // replicas; 1 unless the line says xN
	Steps []Step
	Every time.Duration // period of a steady line; 0 runs Steps once
	For   time.Duration // how long a steady line keeps starting repetitions
}

// Offset is when replica i (from 0) of a steady line first starts, after
// the run's start; 0 for a line that runs once.
func (w Worker) Offset(i int) time.Duration {
	if w.Every <= 0 || w.Count <= 1 {
		return 0
	}
	return time.Duration(int64(i) * int64(w.Every) / int64(w.Count))
}

// Repetitions is how many times replica i (from 0) runs its steps: once
// on a line that runs once, else once per period from its Offset until
// For.
func (w Worker) Repetitions(i int) int {
	if w.Every <= 0 {
		return 1
	}
	left := w.For - w.Offset(i)
	if left <= 0 {
		return 0
	}
	return int((left + w.Every - 1) / w.Every)
}

// Requests is how many get and fetch steps the line makes in all.
func (w Worker) Requests() int {
	steps := 0
	for _, st := range w.Steps {
		if st.Kind == StepGet || st.Kind == StepFetch {
			steps++
		}
	}
	if steps == 0 {
		return 0
	}
	if w.Every <= 0 {
		return steps * w.Count
	}
	reps := 0
	for i := range w.Count {
		reps += w.Repetitions(i)
	}
	return steps * reps
}

// Names returns the names of the worker's goroutines: Name itself, or
// Name#1 … Name#Count for a replicated line.
func (w Worker) Names() []string {
	if w.Count <= 1 {
		return []string{w.Name}
	}
	names := make([]string, w.Count)
	for i := range names {
		names[i] = w.Name + "#" + strconv.Itoa(i+1)
	}
	return names
}

// Scenario is a parsed scenario.
type Scenario struct {
	Workers []Worker
}

// TotalWorkers counts goroutines, replicas included.
func (s *Scenario) TotalWorkers() int {
	n := 0
	for _, w := range s.Workers {
		n += w.Count
	}
	return n
}

// Requests is how many get and fetch steps the scenario makes in all,
// repetitions of steady lines included; Parse keeps it to MaxRequests.
func (s *Scenario) Requests() int {
	n := 0
	for _, w := range s.Workers {
		n += w.Requests()
	}
	return n
}

// Span is how long the steady lines keep asking: the longest For, 0
// when no line repeats.
func (s *Scenario) Span() time.Duration {
	var d time.Duration
	for _, w := range s.Workers {
		d = max(d, w.For)
	}
	return d
}

// URLs lists the distinct URLs of get and fetch steps in order of first use.
func (s *Scenario) URLs() []string {
	seen := map[string]bool{}
	var out []string
	for _, w := range s.Workers {
		for _, st := range w.Steps {
			if (st.Kind == StepGet || st.Kind == StepFetch) && !seen[st.URL] {
				seen[st.URL] = true
				out = append(out, st.URL)
			}
		}
	}
	return out
}

// Format writes s in canonical form; Parse(Format(s)) equals s.
func (s *Scenario) Format() string {
	var b strings.Builder
	for _, w := range s.Workers {
		b.WriteString(w.Name)
		if w.Count != 1 {
			fmt.Fprintf(&b, " x%d", w.Count)
		}
		if w.Every > 0 {
			fmt.Fprintf(&b, " every %v for %v", w.Every, w.For)
		}
		b.WriteString(": ")
		for i, st := range w.Steps {
			if i > 0 {
				b.WriteString("; ")
			}
			b.WriteString(st.String())
		}
		b.WriteByte('\n')
	}
	return b.String()
}
