package ui

import (
	"context"
	"sync"
	"time"
)

// pacer keeps a run from holding the page's one thread for long: on
// js/wasm every goroutine runs on it, and Go hands it back to the
// browser only when every goroutine waits. A lock handing over to 99
// waiters in turn, or a finished flight waking 2,000 callers, keeps
// goroutines runnable for hundreds of milliseconds: the page cannot
// paint or take a click. The engine calls pace after each of its waits
// (stampede.Options.Pace); once the thread has been busy for budget,
// every caller of pace waits for one pause, together, so that Go runs
// out of runnable goroutines and the browser gets its turn. The pause
// ends after a browser task (yield, the page's Env.Yield): a timer would
// often expire while the goroutines not yet paused still ran, and Go
// would go on without ever handing the thread over.
//
// Busy means pace calls that come less than gap apart: a longer silence
// means the thread was free (waiting on the network) in between.
type pacer struct {
	budget, gap, pause time.Duration
	// yield, when set, is the pause: it returns after a browser task.
	// Nil: a timer of pause.
	yield func(context.Context) error

	mu    sync.Mutex
	since time.Time     // the start of the current busy stretch
	last  time.Time     // the latest call
	wait  chan struct{} // closed when the current pause ends; nil when none
	// Pauses counts the pauses taken, for tests.
	pauses int
}

func newPacer() *pacer {
	return &pacer{budget: 30 * time.Millisecond, gap: 5 * time.Millisecond, pause: time.Millisecond}
}

// pace returns at once unless the thread has been busy for the budget;
// then it waits for the current pause (starting one if none is on) or
// for ctx.
func (p *pacer) pace(ctx context.Context) error {
	now := time.Now()
	p.mu.Lock()
	if p.wait == nil {
		if p.last.IsZero() || now.Sub(p.last) > p.gap {
			p.since = now
		}
		p.last = now
		if now.Sub(p.since) < p.budget {
			p.mu.Unlock()
			return nil
		}
		w := make(chan struct{})
		p.wait = w
		p.pauses++
		go func() {
			if p.yield != nil {
				_ = p.yield(context.Background()) // it ends with the browser's next task
			} else {
				time.Sleep(p.pause)
			}
			p.mu.Lock()
			p.wait, p.last = nil, time.Time{}
			p.mu.Unlock()
			close(w)
		}()
	}
	w := p.wait
	p.mu.Unlock()
	select {
	case <-w:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// drew counts the page's own work from start to now, a view drawing or a
// batch applied, as busy: it holds the thread as the run's callers do,
// and a caller that comes after it would otherwise see the silence as a
// free thread and take a whole budget more in the same task. A nil pacer
// counts nothing.
func (p *pacer) drew(start time.Time) {
	if p == nil {
		return
	}
	now := time.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.wait != nil {
		return // a pause is on: the callers wait for the browser's task
	}
	if p.last.IsZero() || start.Sub(p.last) > p.gap {
		p.since = start
	}
	p.last = now
}
