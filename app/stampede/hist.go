package stampede

import (
	"math"
	"time"
)

// The bounded structures behind Stats' percentiles and peak: a run asks
// up to MaxRequests times, and Stats is copied by value (Log.Stats, the
// UI's props), so both are fixed-size arrays, not slices.

// latencies is a histogram of durations with logarithmic buckets:
// bucket 0 holds durations under 1µs (an answer from memory in virtual
// time takes 0), then latSub buckets per doubling from 1µs up to
// 2^latOctaves µs (about 4.5 min); longer ones land in the last bucket.
// A quantile is its bucket's geometric middle, within 2^(1/16) ≈ ±4.4%
// of every duration in that bucket, and clamped to the smallest and
// largest durations seen, so it is exact when they are all equal.
type latencies struct {
	n        int
	min, max time.Duration
	b        [1 + latOctaves*latSub]int32
}

const (
	latSub     = 8
	latOctaves = 28
)

func latBucket(d time.Duration) int {
	if d < time.Microsecond {
		return 0
	}
	i := 1 + int(math.Log2(float64(d)/float64(time.Microsecond))*latSub)
	return min(i, 1+latOctaves*latSub-1)
}

func (h *latencies) add(d time.Duration) {
	if d < 0 {
		d = 0
	}
	if h.n == 0 || d < h.min {
		h.min = d
	}
	if h.n == 0 || d > h.max {
		h.max = d
	}
	h.n++
	h.b[latBucket(d)]++
}

// quantile is the duration at or under which a fraction q of those
// added lie (nearest rank); 0 when none were added.
func (h *latencies) quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := int(math.Ceil(q * float64(h.n)))
	rank = max(1, min(rank, h.n))
	i, seen := 0, 0
	for ; i < len(h.b); i++ {
		seen += int(h.b[i])
		if seen >= rank {
			break
		}
	}
	var d time.Duration
	if i > 0 {
		d = time.Duration(math.Exp2((float64(i)-0.5)/latSub) * float64(time.Microsecond))
	}
	return max(h.min, min(d, h.max))
}

// fetchWindow counts fetch-starts per millisecond over the last 100 ms:
// a sliding window whose newest slot is head. Events reach Stats.Add in
// about the order of their times; one older than the window is dropped
// from the count, which then only ever undercounts the peak.
type fetchWindow struct {
	started bool
	head    int64 // the newest millisecond counted
	sum     int   // fetch-starts in the window (head-100ms, head]
	slots   [peakWindowMs]int32
}

const peakWindowMs = 100

func slot(ms int64) int { return int((ms%peakWindowMs + peakWindowMs) % peakWindowMs) }

// add counts a fetch-start at at and returns how many the window holds.
func (w *fetchWindow) add(at time.Duration) int {
	m := at.Milliseconds()
	if !w.started {
		w.started, w.head = true, m
	}
	switch {
	case m > w.head:
		if m-w.head >= peakWindowMs {
			w.slots, w.sum = [peakWindowMs]int32{}, 0
		} else {
			for k := w.head + 1; k <= m; k++ {
				w.sum -= int(w.slots[slot(k)])
				w.slots[slot(k)] = 0
			}
		}
		w.head = m
	case m <= w.head-peakWindowMs:
		return w.sum // too old for the window
	}
	w.slots[slot(m)]++
	w.sum++
	return w.sum
}
