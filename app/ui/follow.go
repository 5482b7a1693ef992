package ui

import (
	"time"

	"github.com/stampede-playground/stampede/app/stampede"
)

// batchEvery is the shortest time between two log updates of the page.
const batchEvery = 100 * time.Millisecond

// batch is what the page learns about a running log in one update.
type batch struct {
	Events  []stampede.Event // new since the previous batch, oldest first
	Stats   stampede.Stats
	Total   int // events ever appended
	Dropped int // events the log's ring no longer holds
}

// follow reads log as it grows and hands emit one batch per wake-up, at
// most one per every, until done is closed; then it emits a last batch
// and returns. It is the goroutine between a run and the page: the run's
// goroutines never wait for the page.
func follow(log *stampede.Log, done <-chan struct{}, every time.Duration, emit func(batch)) {
	wake, cancel := log.Subscribe()
	defer cancel()
	last := 0
	flush := func() {
		evs := log.Since(last)
		if len(evs) > 0 {
			last = evs[len(evs)-1].Seq
		}
		emit(batch{Events: evs, Stats: log.Stats(), Total: log.Len(), Dropped: log.Dropped()})
	}
	t := time.NewTimer(every)
	defer t.Stop()
	for {
		select {
		case <-wake:
		case <-done:
			flush()
			return
		}
		flush()
		t.Reset(every)
		select {
		case <-t.C:
		case <-done:
			flush()
			return
		}
	}
}
