package stampede

import (
	"sync"
	"time"
)

// DefaultLogSize is how many events a Log keeps unless told otherwise.
const DefaultLogSize = 20000

// Log records a run's events in a bounded ring buffer and keeps the Stats
// derived from every event, including those the ring has dropped. It is
// safe for concurrent use; Append is the sink a run emits into.
type Log struct {
	mu      sync.Mutex // protects everything below
	ring    []Event    // capacity fixed at creation
	start   int        // index of the oldest event in ring
	n       int        // events in ring
	seq     int        // events ever appended
	stats   Stats
	waiting map[waitKey]time.Duration // a pass -> when its current wait began
	subs    map[chan struct{}]struct{}
}

// NewLog returns a Log that keeps the newest size events.
func NewLog(size int) *Log {
	if size <= 0 {
		size = DefaultLogSize
	}
	return &Log{ring: make([]Event, size), subs: make(map[chan struct{}]struct{})}
}

// Append records e, numbering it, and wakes subscribers.
func (l *Log) Append(e Event) {
	l.mu.Lock()
	l.seq++
	e.Seq = l.seq
	// By pointer: every caller's goroutine logs through here, and each
	// copy of an Event in a frame deepens the stack it needs (10,000
	// goroutines growing their stacks were a quarter of a logged run).
	l.stats.add(&e)
	l.trackWait(&e)
	i := (l.start + l.n) % len(l.ring)
	l.ring[i] = e
	if l.n < len(l.ring) {
		l.n++
	} else {
		l.start = (l.start + 1) % len(l.ring)
	}
	for c := range l.subs {
		select {
		case c <- struct{}{}:
		default: // a wake-up is already pending
		}
	}
	l.mu.Unlock()
}

// waitKey names one pass through a worker's steps: the repetitions of
// a steady line, and a background refresh, wait on their own.
type waitKey struct {
	worker     string
	rep        int
	background bool
}

// trackWait measures lock and in-flight waits for Stats.MaxWaitMs.
func (l *Log) trackWait(e *Event) {
	k := waitKey{e.Worker, e.Rep, e.Background}
	switch e.Kind {
	case KindLockWait:
		if l.waiting == nil {
			l.waiting = make(map[waitKey]time.Duration)
		}
		l.waiting[k] = e.At
	case KindLockAcquired, KindShared, KindOnceDone, KindError:
		if at, ok := l.waiting[k]; ok {
			l.stats.noteWait(e.At - at)
			delete(l.waiting, k)
		}
	}
}

// Stats returns the counters so far.
func (l *Log) Stats() Stats {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.stats.percentiles()
	return l.stats
}

// SetStats sets the fields a run knows but events do not carry.
func (l *Log) setRunInfo(strategy Strategy, workers int) {
	l.mu.Lock()
	l.stats.Strategy = strategy
	l.stats.Workers = workers
	if l.waiting == nil {
		// A wait per worker at most at a time: sized once, the map
		// does not grow (and rehash) through a big run's start.
		l.waiting = make(map[waitKey]time.Duration, min(workers, MaxWorkers))
	}
	l.mu.Unlock()
}

func (l *Log) setWall(d time.Duration) {
	l.mu.Lock()
	l.stats.WallMs = float64(d.Microseconds()) / 1000
	l.mu.Unlock()
}

// Len is the number of events ever appended; Dropped how many of them
// the ring no longer holds.
func (l *Log) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.seq
}

// Dropped is how many of the oldest events the ring has let go.
func (l *Log) Dropped() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.seq - l.n
}

// Since returns the held events with Seq greater than seq, oldest first.
// Since(0) returns everything held.
func (l *Log) Since(seq int) []Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	first := l.seq - l.n + 1 // Seq of the oldest held event
	skip := 0
	if seq >= first {
		skip = seq - first + 1
	}
	if skip >= l.n {
		return nil
	}
	out := make([]Event, 0, l.n-skip)
	for k := skip; k < l.n; k++ {
		out = append(out, l.ring[(l.start+k)%len(l.ring)])
	}
	return out
}

// Subscribe returns a channel that receives a value after events are
// appended. Wake-ups coalesce: a slow reader gets one, then reads Since.
// cancel stops the subscription.
func (l *Log) Subscribe() (wake <-chan struct{}, cancel func()) {
	c := make(chan struct{}, 1)
	l.mu.Lock()
	l.subs[c] = struct{}{}
	l.mu.Unlock()
	return c, func() {
		l.mu.Lock()
		delete(l.subs, c)
		l.mu.Unlock()
	}
}
