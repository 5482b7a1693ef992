// Package trace turns a run's events into the model every view draws
// from: typed intervals of each worker's time (lock waits, lock held,
// added latency, network fetches, work, once jobs, cache hits, shared
// results, errors), the links from each answer to the fetch or once job
// that served it, and the log's classes of events.
//
// It is the one place that pairs events: a view reads intervals and
// links, and the typed fields of the events behind them, never an
// event's human-readable Detail to recover a fact. It plays the part of
// Go's internal/trace for cmd/trace: one parse, many views.
//
// The package is plain Go, with no UI, and builds natively and for
// js/wasm.
package trace

import (
	"strconv"
	"time"

	"github.com/stampede-playground/stampede/app/stampede"
)

// Kind says what an Interval stands for.
type Kind uint8

// The kinds of intervals, in drawing order: later kinds are drawn over
// earlier ones.
const (
	Held    Kind = iota // the lock held: lock-acquired to lock-released
	Wait                // waiting for a lock or an in-flight fetch, to the lock or the answer
	Latency             // the latency the Loader added before a fetch-start (not network time)
	Fetch               // a network fetch: fetch-start to fetch-done or error
	Work                // a work step: work-start to work-done
	Once                // a once job this worker ran: once-start to its once-done
	Hit                 // an instant: answered from the store
	Shared              // an instant: answered by another worker's in-flight fetch or once job
	Error               // an instant: a request that failed
)

// kindNames are also the timeline's data-kind values.
var kindNames = [...]string{"held", "wait", "latency", "fetch", "work", "once", "hit", "shared", "error"}

// Kinds lists every kind in drawing order.
func Kinds() []Kind { return []Kind{Held, Wait, Latency, Fetch, Work, Once, Hit, Shared, Error} }

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Instant reports whether intervals of kind k are moments: Start == End.
func (k Kind) Instant() bool { return k == Hit || k == Shared || k == Error }

// Interval is a stretch of one worker's time, or an instant.
type Interval struct {
	Kind       Kind
	Tab        string // the other tab whose run it belongs to; "" for this page's
	Worker     string
	Target     string // the URL, or the once job's name; "" for work
	Start, End time.Duration
	// Open is set on an interval still going at the last event, which
	// is where End puts it.
	Open bool
	// Detail is for people: the detail of the event that ended the
	// interval when it has one and says how it ended (lock-acquired,
	// cache-hit, shared, fetch-done, work-done, a once job's own
	// once-done), else that of the event that started it.
	Detail string
	// Begin is the event that started the interval and Finish the one
	// that ended it (nil while Open); an instant's, and added latency's,
	// are both its own event (fetch-start for latency). They point into
	// the events given to Build: read their typed fields, such as
	// Finish.Status or Begin.ByRun.
	Begin, Finish *stampede.Event
}

// By names the worker that served an answer (Hit, Shared) or that a Wait
// waits on (an in-flight fetch); "" when none is named.
func (iv *Interval) By() string { return iv.Begin.By }

// Failed reports whether an error event ended the interval.
func (iv *Interval) Failed() bool { return iv.Finish != nil && iv.Finish.Kind == stampede.KindError }

// Lane is one worker of one tab, with its intervals.
type Lane struct {
	Tab, Worker string
	// Intervals are in the order they ended; those still open come last.
	Intervals []*Interval

	passes []pass // its worker's passes, in order of their first event
}

// Group is the worker's scenario line: crowd for crowd#7.
func (l *Lane) Group() string { return stampede.GroupOf(l.Worker) }

// Link says which fetch or once job served an answer.
type Link struct {
	// To is the answer: a Hit or Shared interval whose By names a worker.
	To *Interval
	// From is the interval that served it, in the lane of the same tab
	// and the By worker: for a Hit, the last fetch of the same URL that
	// started before the hit and stored its response; for Shared, the
	// last fetch or once job of the same target that started before it.
	// nil when no such interval is among the events.
	From *Interval
	// Elsewhere is set on a Hit that no fetch in the events served but
	// that names the run whose stored response answered it (To.Begin.ByRun):
	// an earlier run's, or another tab's.
	Elsewhere bool
}

// Trace is a run's events as intervals and links.
type Trace struct {
	// Lanes are in the order of their first event.
	Lanes []*Lane
	// Intervals are every lane's intervals, in the order they ended; those
	// still open come last.
	Intervals []*Interval
	// Links are one per answer that names who served it, in the order of
	// Lanes and of each lane's Intervals.
	Links []Link
	// Min and Max are the earliest and the latest event time; 0 without
	// events.
	Min, Max time.Duration

	lanes map[laneKey]*Lane
	// Blocks that newInterval and newLane take from: one allocation for
	// many.
	block     []Interval
	laneBlock []Lane
	ivBlock   []*Interval
	events    int // how many events Build reads, which bounds the blocks
}

// blockSize is how many things a block holds: max, or fewer for a
// trace of fewer events.
func (t *Trace) blockSize(max int) int { return min(max, t.events+1) }

type laneKey struct{ tab, worker string }

// Lane returns the lane of worker in tab, or nil.
func (t *Trace) Lane(tab, worker string) *Lane { return t.lanes[laneKey{tab, worker}] }

// pass is one pass of a worker, which pairs its events: a steady line's
// repetitions of one worker may overlap (Event.Rep), and so may a
// background refresh the worker's request started (Event.Background).
// A lane holds its passes: a worker has few (one unless it repeats).
type pass struct {
	rep        int
	background bool
	open       *open
}

// open is what a pass has started and not yet ended.
type open struct {
	held, wait, fetch, work, once *Interval
	// replaced are intervals a new one of their kind replaced before an
	// event ended them: without an end, they are kept open.
	replaced []*Interval
}

// Build reads a run's events, in the order the run logged them. The
// intervals point into events, which Build does not change.
//
// Events are paired within a pass: the same tab, worker, repetition
// (Event.Rep) and Background flag. A lane holds all its worker's passes.
func Build(events []stampede.Event) *Trace {
	b := NewBuilder(len(events))
	b.Add(events)
	return b.Trace()
}

// Builder is Build in steps: a view that reads 10,000 events can read
// them a few thousand at a time, a task of the page's thread each.
type Builder struct {
	t     *Trace
	lane  *Lane // the last event's lane: a worker's events often come together
	opens []open
	n     int // events added
}

// NewBuilder returns a Builder for about n events (a hint for its
// allocations).
func NewBuilder(n int) *Builder {
	return &Builder{t: &Trace{lanes: map[laneKey]*Lane{}, Intervals: make([]*Interval, 0, n), events: n}}
}

// Len is how many events have been added.
func (b *Builder) Len() int { return b.n }

// Add reads the next events of the run. The intervals point into events:
// they must not change until the Trace is no longer used.
func (b *Builder) Add(events []stampede.Event) {
	t := b.t
	for i := range events {
		e := &events[i]
		if b.n == 0 || e.At < t.Min {
			t.Min = e.At
		}
		if e.At > t.Max {
			t.Max = e.At
		}
		b.n++
		lane := b.lane
		if lane == nil || lane.Worker != e.Worker || lane.Tab != e.Tab {
			lane = t.lanes[laneKey{e.Tab, e.Worker}]
			if lane == nil {
				lane = t.newLane(e.Tab, e.Worker)
				t.lanes[laneKey{e.Tab, e.Worker}] = lane
				t.Lanes = append(t.Lanes, lane)
			}
			b.lane = lane
		}
		var o *open
		for _, p := range lane.passes {
			if p.rep == e.Rep && p.background == e.Background {
				o = p.open
				break
			}
		}
		if o == nil {
			if len(b.opens) == cap(b.opens) {
				b.opens = make([]open, 0, t.blockSize(256))
			}
			b.opens = append(b.opens, open{})
			o = &b.opens[len(b.opens)-1]
			lane.passes = append(lane.passes, pass{e.Rep, e.Background, o})
		}
		t.step(lane, o, e)
	}
}

// Trace ends the events added: what is still open ends at the last
// event, as Open, and answers are linked to what served them. The
// Builder is done: call Trace once, and Add no more.
func (b *Builder) Trace() *Trace {
	t := b.t
	// Lane by lane, in the order of the lanes' first events.
	for _, lane := range t.Lanes {
		for _, p := range lane.passes {
			o := p.open
			for _, iv := range o.replaced {
				t.close(lane, iv)
			}
			for _, iv := range [...]*Interval{o.held, o.wait, o.fetch, o.work, o.once} {
				t.close(lane, iv)
			}
		}
		lane.passes = nil
	}
	t.link()
	b.t, b.opens, b.lane = nil, nil, nil
	return t
}

// close ends iv, when set, at the last event, as still open.
func (t *Trace) close(lane *Lane, iv *Interval) {
	if iv != nil {
		iv.End, iv.Open = t.Max, true
		t.add(lane, iv)
	}
}

// step applies one event to its pass o, in lane.
func (t *Trace) step(lane *Lane, o *open, e *stampede.Event) {
	begin := func(slot **Interval, k Kind) {
		if *slot != nil {
			o.replaced = append(o.replaced, *slot)
		}
		*slot = t.newInterval(k, e)
	}
	// end closes the interval in slot at e; withDetail takes e's detail
	// when e says how it ended.
	end := func(slot **Interval, withDetail bool) {
		iv := *slot
		if iv == nil {
			return
		}
		iv.End, iv.Finish = e.At, e
		if withDetail && e.Detail != "" {
			iv.Detail = e.Detail
		}
		t.add(lane, iv)
		*slot = nil
	}
	instant := func(k Kind) {
		iv := t.newInterval(k, e)
		iv.Finish = e
		t.add(lane, iv)
	}
	switch e.Kind {
	case stampede.KindLockWait:
		begin(&o.wait, Wait)
	case stampede.KindLockAcquired:
		end(&o.wait, true)
		begin(&o.held, Held)
	case stampede.KindLockReleased:
		end(&o.held, false)
	case stampede.KindCacheHit:
		end(&o.wait, true) // also a singleflight joiner answered by its leader's cache read
		instant(Hit)
	case stampede.KindShared:
		end(&o.wait, true)
		instant(Shared)
	case stampede.KindFetchStart:
		if d := e.AddedLatency; d > 0 {
			iv := t.newInterval(Latency, e)
			iv.Start, iv.Finish = e.At-d, e
			t.add(lane, iv)
		}
		begin(&o.fetch, Fetch)
	case stampede.KindFetchDone:
		end(&o.fetch, true)
	case stampede.KindWorkStart:
		begin(&o.work, Work)
	case stampede.KindWorkDone:
		end(&o.work, true)
	case stampede.KindOnceStart:
		begin(&o.once, Once)
	case stampede.KindOnceDone:
		if o.once != nil && (e.By == "" || e.By == e.Worker) {
			end(&o.once, true) // the job this worker ran
			break
		}
		end(&o.wait, false) // another worker's job, or one already run
		instant(Shared)
	case stampede.KindError:
		for _, slot := range []**Interval{&o.wait, &o.fetch, &o.work, &o.once} {
			end(slot, false)
		}
		instant(Error)
	}
}

// newLane makes a lane whose first few intervals need no allocation of
// their own: a big run has thousands of lanes of a few intervals each.
func (t *Trace) newLane(tab, worker string) *Lane {
	const first = 4
	if len(t.laneBlock) == cap(t.laneBlock) {
		n := t.blockSize(64)
		t.laneBlock = make([]Lane, 0, n)
		t.ivBlock = make([]*Interval, n*first)
	}
	t.laneBlock = append(t.laneBlock, Lane{Tab: tab, Worker: worker})
	l := &t.laneBlock[len(t.laneBlock)-1]
	k := (len(t.laneBlock) - 1) * first
	l.Intervals = t.ivBlock[k : k : k+first]
	return l
}

func (t *Trace) newInterval(k Kind, e *stampede.Event) *Interval {
	if len(t.block) == cap(t.block) {
		t.block = make([]Interval, 0, t.blockSize(256))
	}
	t.block = append(t.block, Interval{Kind: k, Tab: e.Tab, Worker: e.Worker, Target: e.Target, Start: e.At, End: e.At, Detail: e.Detail, Begin: e})
	return &t.block[len(t.block)-1]
}

func (t *Trace) add(lane *Lane, iv *Interval) {
	lane.Intervals = append(lane.Intervals, iv)
	t.Intervals = append(t.Intervals, iv)
}

// link finds, for every answer that names who served it, the interval
// that served it.
func (t *Trace) link() {
	for _, lane := range t.Lanes {
		for _, to := range lane.Intervals {
			if (to.Kind != Hit && to.Kind != Shared) || to.By() == "" {
				continue
			}
			l := Link{To: to, From: t.serving(to)}
			l.Elsewhere = l.From == nil && to.Kind == Hit && to.Begin.ByRun != ""
			t.Links = append(t.Links, l)
		}
	}
}

// serving is the interval that served the answer to, or nil.
func (t *Trace) serving(to *Interval) *Interval {
	by := t.Lane(to.Tab, to.By())
	if by == nil {
		return nil
	}
	var best *Interval
	for _, c := range by.Intervals {
		if c.Target != to.Target || c.Start > to.Start {
			continue
		}
		switch {
		case to.Kind == Hit && c.Kind == Fetch && c.Finish != nil && c.Finish.Stored,
			to.Kind == Shared && (c.Kind == Fetch || c.Kind == Once):
			best = c
		}
	}
	return best
}
