package stampede

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Kind says what happened in an Event.
type Kind uint8

// The kinds of events, in the order a request usually meets them.
const (
	KindRequest      Kind = iota // a get or fetch step started
	KindLockWait                 // waiting for the cache lock (or an in-flight fetch)
	KindLockAcquired             // the lock is held; detail says how long the wait was
	KindCacheHit                 // answered from the store
	KindFetchStart               // a network fetch was sent
	KindFetchDone                // a network fetch answered
	KindShared                   // answered by another caller's in-flight fetch
	KindError                    // the request failed
	KindLockReleased             // the lock was let go
	KindWorkStart                // a work step started
	KindWorkDone                 // a work step ended
	KindOnceStart                // a once job started running
	KindOnceDone                 // a once job's outcome reached this worker
	KindDone                     // the worker finished its steps
	KindExpired                  // a caller found an entry past its time to live
	numKinds
)

var kindNames = [numKinds]string{
	"request", "lock-wait", "lock-acquired", "cache-hit", "fetch-start",
	"fetch-done", "shared", "error", "lock-released", "work-start",
	"work-done", "once-start", "once-done", "done", "expired",
}

// Kinds lists every kind, for filters and legends.
func Kinds() []Kind {
	ks := make([]Kind, numKinds)
	for i := range ks {
		ks[i] = Kind(i)
	}
	return ks
}

func (k Kind) String() string {
	if k < numKinds {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", k)
}

// ParseKind is the inverse of Kind.String.
func ParseKind(s string) (Kind, error) {
	for i, n := range kindNames {
		if n == s {
			return Kind(i), nil
		}
	}
	return 0, fmt.Errorf("unknown event kind %q", s)
}

// MarshalText encodes a kind as its name.
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText decodes a kind from its name.
func (k *Kind) UnmarshalText(b []byte) error {
	v, err := ParseKind(string(b))
	*k = v
	return err
}

// Event is one thing that happened during a run.
type Event struct {
	Seq    int           `json:"seq"`    // order of emission within the run, from 1
	At     time.Duration `json:"-"`      // time since the run started
	Worker string        `json:"worker"` // e.g. "parse_stuff" or "crowd#7"
	Target string        `json:"target"` // the URL, or the once job's name
	Kind   Kind          `json:"kind"`
	// Detail is for people: the UI shows it and never parses it. Every
	// fact a program needs is one of the typed fields below.
	Detail string `json:"detail,omitempty"`
	// By names the worker whose fetch or once job served this event's
	// worker, on cache-hit, shared and once-done events.
	By string `json:"by,omitempty"`
	// ByRun is the RunID stamped on the stored response a cache-hit
	// answered with, so a page can tell a hit on another tab's fetch.
	ByRun string `json:"byRun,omitempty"`
	// Tab names the other tab whose run emitted the event, when a page
	// shows events it received from another tab; "" for its own.
	Tab string `json:"tab,omitempty"`
	// Status, Size and ContentType describe the response on fetch-done
	// events (Size in body bytes); on an error event Status is the HTTP
	// status of a non-2xx answer. Exports such as HAR read them; 0 and ""
	// when unknown.
	Status      int    `json:"status,omitempty"`
	Size        int    `json:"size,omitempty"`
	ContentType string `json:"contentType,omitempty"`
	// AddedLatency is, on a fetch-start event, the latency the Loader
	// added before the fetch was sent (not network time); 0 for none.
	AddedLatency time.Duration `json:"addedLatencyNs,omitempty"`
	// Stored is set on a fetch-done event whose response was written to
	// the store; a fetch step, or a Put that failed, leaves it false.
	Stored bool `json:"stored,omitempty"`

	// Rep is the repetition of a steady line (`x40 every 100ms for 6s`)
	// the event belongs to, from 1; 0 on a line that runs once. The
	// repetitions of one worker may overlap when a step takes longer
	// than the period, so Worker and Rep together name one pass.
	Rep int `json:"rep,omitempty"`
	// NoCache is set on every event of a fetch step (no cache, no lock).
	NoCache bool `json:"noCache,omitempty"`
	// Answer is set on the event that answers a get or fetch step: a
	// cache-hit, a shared, the fetch-done of the caller's own fetch, or
	// an error. Took is then the time from the step's request to it.
	Answer bool          `json:"answer,omitempty"`
	Took   time.Duration `json:"tookNs,omitempty"`
	// Background is set on the events of a refresh nobody waits for
	// (swr's): its lock events, fetch-start, fetch-done or error. They
	// name the worker whose request started the refresh, but are not
	// part of that worker's step and answer nobody.
	Background bool `json:"background,omitempty"`
	// Stale is set on a cache-hit answered with an entry past its time
	// to live (swr answers at once and refreshes in the background).
	Stale bool `json:"stale,omitempty"`
	// Refresh is set on a fetch-start and fetch-done whose response
	// replaces an entry that exists: an expired one, or under xfetch a
	// fresh one refreshed early.
	Refresh bool `json:"refresh,omitempty"`
	// Early is set on xfetch's fetch-start and fetch-done of a refresh
	// decided before expiry.
	Early bool `json:"early,omitempty"`
	// ExpiresAt is when an entry expires (or expired), as time since
	// the run started; it is negative for an entry that expired before
	// the run. It is set when the Loader has a ttl, on: an expired
	// event and a stale cache-hit (the entry found), an early
	// fetch-start (the entry being refreshed), a fetch-done with Stored
	// (the entry just stored).
	ExpiresAt time.Duration `json:"expiresAtNs,omitempty"`
}

// MarshalJSON adds the time as milliseconds, the unit people read.
func (e Event) MarshalJSON() ([]byte, error) {
	type plain Event
	return json.Marshal(struct {
		AtMs float64 `json:"atMs"`
		plain
	}{float64(e.At.Microseconds()) / 1000, plain(e)})
}

// Group is the worker's name without its "#N" replica suffix, so the
// replicas of `crowd x50` can be drawn as one band.
func (e Event) Group() string { return GroupOf(e.Worker) }

// GroupOf strips a "#N" replica suffix from a worker name.
func GroupOf(worker string) string {
	if i := strings.LastIndexByte(worker, '#'); i > 0 {
		return worker[:i]
	}
	return worker
}

// Deduped reports whether the event answered a request without its own
// network fetch.
func (e Event) Deduped() bool { return e.Kind == KindCacheHit || e.Kind == KindShared }

func (e Event) String() string {
	s := fmt.Sprintf("%8.1fms %-14s %-13s %s", float64(e.At.Microseconds())/1000, e.Worker, e.Kind, e.Target)
	if e.By != "" {
		s += " (by " + e.By + ")"
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// Stats are a run's counters, derived from its events by Add. The JSON
// names are the public interface of window.stampede and #run-stats.
type Stats struct {
	Strategy Strategy `json:"strategy"`
	Workers  int      `json:"workers"`
	Requests int      `json:"requests"` // get and fetch steps started
	Fetches  int      `json:"fetches"`  // network fetches really sent
	Hits     int      `json:"hits"`     // answered from the store, also after a lock wait
	Shared   int      `json:"shared"`   // answered by another caller's in-flight fetch
	Deduped  int      `json:"deduped"`  // Hits + Shared
	Errors   int      `json:"errors"`   // requests that failed
	OnceRuns int      `json:"onceRuns"` // once jobs actually run
	WallMs   float64  `json:"wallMs"`   // from the run's start to its last worker's end
	// MaxWaitMs is the longest single lock or in-flight wait.
	MaxWaitMs float64 `json:"maxWaitMs"`
	Events    int     `json:"events"`
	// Stale counts answers served past their entry's expiry (swr).
	Stale int `json:"stale"`
	// Refreshes counts fetches that replaced an existing entry (expired,
	// or refreshed early) in the store.
	Refreshes int `json:"refreshes"`
	// P50Ms and P99Ms are percentiles of a get step's time from request
	// to answer (Event.Took of its answer), to about ±5% (see latencies).
	P50Ms float64 `json:"p50Ms"`
	P99Ms float64 `json:"p99Ms"`
	// PeakFetches is the most network fetches started in any 100 ms of
	// the run (windows aligned to the millisecond).
	PeakFetches int `json:"peakFetches"`

	took  latencies   // get answers' Took, for P50Ms and P99Ms
	fetch fetchWindow // fetch-starts of the last 100 ms, for PeakFetches
}

// Add counts one event. Every counter is derived here and nowhere else,
// so nothing is counted twice.
func (s *Stats) Add(e Event) { s.add(&e); s.percentiles() }

// add counts e, leaving P50Ms and P99Ms to percentiles: a run's Log adds
// every event and computes them when its Stats are read (Log.Stats), as
// walking the histogram on every answer was a fifth of a logged run's
// time.
func (s *Stats) add(e *Event) {
	s.Events++
	switch e.Kind {
	case KindRequest:
		s.Requests++
	case KindFetchStart:
		s.Fetches++
		if n := s.fetch.add(e.At); n > s.PeakFetches {
			s.PeakFetches = n
		}
	case KindFetchDone:
		if e.Refresh && e.Stored {
			s.Refreshes++
		}
	case KindCacheHit:
		s.Hits++
		if e.Stale {
			s.Stale++
		}
	case KindShared:
		s.Shared++
	case KindError:
		if !e.Background { // a failed background refresh fails no request
			s.Errors++
		}
	case KindOnceStart:
		s.OnceRuns++
	}
	if e.Answer && !e.NoCache {
		s.took.add(e.Took)
	}
	s.Deduped = s.Hits + s.Shared
	if ms := ms(e.At); ms > s.WallMs {
		s.WallMs = ms
	}
}

// percentiles sets P50Ms and P99Ms from the answers added.
func (s *Stats) percentiles() {
	s.P50Ms = ms(s.took.quantile(0.50))
	s.P99Ms = ms(s.took.quantile(0.99))
}

// ms is d in milliseconds, to the microsecond.
func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// noteWait records a wait's length for MaxWaitMs.
func (s *Stats) noteWait(d time.Duration) {
	if ms := float64(d.Microseconds()) / 1000; ms > s.MaxWaitMs {
		s.MaxWaitMs = ms
	}
}

// String is s as JSON, without the histogram's buckets.
func (s Stats) String() string {
	b, _ := json.Marshal(s)
	return string(b)
}
