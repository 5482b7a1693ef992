package trace

import (
	"slices"
	"time"

	"github.com/stampede-playground/stampede/app/stampede"
)

// Load is a run's load over time: per bucket of Width, the network
// fetches started, the answers and their 99th percentile, the stale
// answers; and the moments stored entries expire. It is built event by
// event as the run goes (Add), so a long run's load survives the log's
// ring letting old events go. Events of other tabs are not counted.
type Load struct {
	Width   time.Duration
	Buckets []Bucket
	// Expiries are the distinct moments a stored entry expires, as time
	// since the run started, in the order they were stored; at most
	// MaxExpiries.
	Expiries []time.Duration
	// Past counts events after the last bucket MaxBuckets allows.
	Past int
}

// Bucket is one Width of a run.
type Bucket struct {
	Fetches   int // network fetches started
	Refreshes int // of those, refreshes of an entry that was there
	Answers   int // get and fetch steps answered
	Stale     int // answers served past their entry's expiry
	Errors    int // requests that failed
	took      []time.Duration
}

const (
	// MaxBuckets bounds a Load: 60 s, the longest steady line, in 100 ms
	// buckets, and a little more for the answers that come after.
	MaxBuckets = 700
	// MaxExpiries bounds the expiry moments kept.
	MaxExpiries = 400
)

// NewLoad returns an empty Load of buckets width wide.
func NewLoad(width time.Duration) *Load { return &Load{Width: width} }

// Add counts one event. A nil Load counts nothing.
func (l *Load) Add(e stampede.Event) {
	if l == nil || e.Tab != "" || e.At < 0 {
		return
	}
	i := int(e.At / l.Width)
	if i >= MaxBuckets {
		l.Past++
		return
	}
	for len(l.Buckets) <= i {
		l.Buckets = append(l.Buckets, Bucket{})
	}
	b := &l.Buckets[i]
	switch e.Kind {
	case stampede.KindFetchStart:
		b.Fetches++
		if e.Refresh {
			b.Refreshes++
		}
	case stampede.KindFetchDone:
		if e.Stored && e.ExpiresAt > 0 && len(l.Expiries) < MaxExpiries && !slices.Contains(l.Expiries, e.ExpiresAt) {
			l.Expiries = append(l.Expiries, e.ExpiresAt)
		}
	case stampede.KindCacheHit:
		if e.Stale {
			b.Stale++
		}
	case stampede.KindError:
		if !e.Background {
			b.Errors++
		}
	}
	if e.Answer {
		b.Answers++
		b.took = append(b.took, e.Took)
	}
}

// P99 is the 99th percentile of the bucket's answers' times from request
// to answer (nearest rank); 0 without answers.
func (b *Bucket) P99() time.Duration {
	n := len(b.took)
	if n == 0 {
		return 0
	}
	s := slices.Clone(b.took)
	slices.Sort(s)
	rank := (99*n + 99) / 100 // ceil(0.99 n)
	return s[rank-1]
}

// PeakFetches is the most fetches any bucket started.
func (l *Load) PeakFetches() int {
	peak := 0
	for _, b := range l.Buckets {
		peak = max(peak, b.Fetches)
	}
	return peak
}
