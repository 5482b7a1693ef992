package trace

import (
	"testing"
	"time"

	"github.com/stampede-playground/stampede/app/stampede"
)

func TestLoad(t *testing.T) {
	ms := func(f float64) time.Duration { return time.Duration(f * float64(time.Millisecond)) }
	ev := func(at float64, k stampede.Kind, mod func(*stampede.Event)) stampede.Event {
		e := stampede.Event{At: ms(at), Worker: "r#1", Target: "data/hot.json", Kind: k}
		if mod != nil {
			mod(&e)
		}
		return e
	}
	answer := func(took float64) func(*stampede.Event) {
		return func(e *stampede.Event) { e.Answer, e.Took = true, ms(took) }
	}
	events := []stampede.Event{
		ev(10, stampede.KindFetchStart, nil),
		ev(40, stampede.KindFetchStart, nil),
		ev(210, stampede.KindFetchDone, func(e *stampede.Event) {
			answer(200)(e)
			e.Stored, e.ExpiresAt = true, ms(2210)
		}),
		ev(220, stampede.KindCacheHit, answer(1)),
		ev(230, stampede.KindCacheHit, answer(3)),
		ev(2250, stampede.KindCacheHit, func(e *stampede.Event) { answer(0)(e); e.Stale = true }),
		ev(2260, stampede.KindFetchStart, func(e *stampede.Event) { e.Refresh, e.Background = true, true }),
		ev(2470, stampede.KindFetchDone, func(e *stampede.Event) {
			e.Refresh, e.Background, e.Stored, e.ExpiresAt = true, true, true, ms(4470)
		}),
		ev(2480, stampede.KindError, func(e *stampede.Event) { e.Background = true }),
		ev(2490, stampede.KindError, answer(5)),
		ev(150, stampede.KindFetchStart, func(e *stampede.Event) { e.Tab = "t1" }), // another tab's
	}
	l := NewLoad(100 * time.Millisecond)
	for _, e := range events {
		l.Add(e)
	}
	if len(l.Buckets) != 25 {
		t.Fatalf("%d buckets; want 25 (to 2.49 s)", len(l.Buckets))
	}
	for _, tt := range []struct {
		i                                        int
		fetches, refreshes, answers, stale, errs int
		p99                                      time.Duration
	}{
		{0, 2, 0, 0, 0, 0, 0},
		{1, 0, 0, 0, 0, 0, 0},
		{2, 0, 0, 3, 0, 0, 200 * time.Millisecond},
		{22, 1, 1, 1, 1, 0, 0},
		{24, 0, 0, 1, 0, 1, 5 * time.Millisecond},
	} {
		b := &l.Buckets[tt.i]
		if b.Fetches != tt.fetches || b.Refreshes != tt.refreshes || b.Answers != tt.answers || b.Stale != tt.stale || b.Errors != tt.errs || b.P99() != tt.p99 {
			t.Errorf("bucket %d = %+v, p99 %v; want fetches %d, refreshes %d, answers %d, stale %d, errors %d, p99 %v",
				tt.i, *b, b.P99(), tt.fetches, tt.refreshes, tt.answers, tt.stale, tt.errs, tt.p99)
		}
	}
	if want := []time.Duration{ms(2210), ms(4470)}; len(l.Expiries) != 2 || l.Expiries[0] != want[0] || l.Expiries[1] != want[1] {
		t.Errorf("expiries %v; want %v", l.Expiries, want)
	}
	if l.PeakFetches() != 2 {
		t.Errorf("peak %d; want 2", l.PeakFetches())
	}
	l.Add(ev(float64(MaxBuckets)*100+1, stampede.KindFetchStart, nil))
	if l.Past != 1 || len(l.Buckets) != 25 {
		t.Errorf("an event past the last bucket: past %d, %d buckets", l.Past, len(l.Buckets))
	}
}

func TestBucketP99(t *testing.T) {
	var b Bucket
	for i := 1; i <= 200; i++ {
		b.took = append(b.took, time.Duration(i)*time.Millisecond)
	}
	if got := b.P99(); got != 198*time.Millisecond {
		t.Errorf("p99 of 1..200 ms = %v; want 198ms", got)
	}
}
