package stampede

import (
	"context"
	"fmt"
	"time"
)

// Once runs the job called name (a stand-in of length d) once per run for
// every worker that asks; the others wait and share its outcome. Under
// None and PerCall there is no working guard, so every caller runs it:
// the bug made visible.
func (l *Loader) Once(ctx context.Context, worker, name string, d time.Duration) error {
	return l.once(ctx, caller{worker: worker}, name, d)
}

func (l *Loader) once(ctx context.Context, c caller, name string, d time.Duration) error {
	var err error
	switch l.cfg.Strategy {
	case None:
		err = l.runJob(ctx, c, name, d)
	case Singleflight:
		err = l.onceShared(ctx, c, name, d)
	default:
		err = l.onceLocked(ctx, c, name, d)
	}
	if err != nil {
		l.emit(c, name, KindError, err.Error(), "")
	}
	return err
}

func onceKey(name string) string { return "once\x00" + name }

// onceLocked is `async with lock: if not done: run()`.
func (l *Loader) onceLocked(ctx context.Context, c caller, name string, d time.Duration) error {
	unlock, waited, err := l.acquire(ctx, c, name, onceKey(name))
	if err != nil {
		return err
	}
	defer l.release(c, name, unlock)
	if out, ok := l.onceDone(name); ok && l.cfg.Strategy.dedups() {
		return l.shareOnce(c, name, out, waited)
	}
	err = l.runJob(ctx, c, name, d)
	l.noteOnce(name, c.worker, err)
	return err
}

// onceShared runs the job in a singleflight flight; later callers find
// its recorded outcome.
func (l *Loader) onceShared(ctx context.Context, c caller, name string, d time.Duration) error {
	if out, ok := l.onceDone(name); ok {
		return l.shareOnce(c, name, out, 0)
	}
	ran := false
	ch := l.group.DoChan(onceKey(name), func() (any, error) {
		ran = true
		if out, ok := l.onceDone(name); ok { // finished between our check and the flight
			return out.by, out.err
		}
		err := l.runJob(ctx, c, name, d)
		l.noteOnce(name, c.worker, err)
		return c.worker, err
	})
	t0 := time.Now()
	select {
	case res := <-ch:
		if ran {
			return res.Err
		}
		by, _ := res.Val.(string)
		return l.shareOnce(c, name, onceOutcome{by: by, err: res.Err}, time.Since(t0))
	case <-ctx.Done():
		return fmt.Errorf("waiting %s for once job %q: %w", round(time.Since(t0)), name, ctx.Err())
	}
}

func (l *Loader) shareOnce(c caller, name string, out onceOutcome, waited time.Duration) error {
	if out.err != nil {
		return fmt.Errorf("shared failure of once job %q run by %s: %w", name, out.by, out.err)
	}
	detail := "already run"
	if waited > 0 {
		detail = "shared after waiting " + round(waited).String()
	}
	l.emit(c, name, KindOnceDone, detail, out.by)
	return nil
}

// runJob is the job itself.
func (l *Loader) runJob(ctx context.Context, c caller, name string, d time.Duration) error {
	l.emit(c, name, KindOnceStart, "runs for "+d.String(), "")
	if err := sleep(ctx, d); err != nil {
		return fmt.Errorf("once job %q interrupted: %w", name, err)
	}
	l.emit(c, name, KindOnceDone, "ran", c.worker)
	return nil
}

func (l *Loader) onceDone(name string) (onceOutcome, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	out, ok := l.onces[name]
	return out, ok
}

func (l *Loader) noteOnce(name, worker string, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.onces == nil {
		l.onces = make(map[string]onceOutcome)
	}
	if _, ok := l.onces[name]; !ok {
		l.onces[name] = onceOutcome{by: worker, err: err}
	}
}

// Work is the `work` step: time spent on something that needs no cache.
func (l *Loader) Work(ctx context.Context, worker string, d time.Duration) error {
	return l.work(ctx, caller{worker: worker}, d)
}

func (l *Loader) work(ctx context.Context, c caller, d time.Duration) error {
	l.emit(c, "", KindWorkStart, "for "+d.String(), "")
	if err := sleep(ctx, d); err != nil {
		// Work is not a request: stopping it is not a failed request.
		l.emit(c, "", KindWorkDone, "interrupted: "+err.Error(), "")
		return err
	}
	l.emit(c, "", KindWorkDone, "", "")
	return nil
}
