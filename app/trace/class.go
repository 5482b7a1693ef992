package trace

import "github.com/stampede-playground/stampede/app/stampede"

// Class is how the log marks an event, and the name of its filter.
type Class string

// The classes of events.
const (
	ClassNone  Class = ""      // unmarked
	ClassNet   Class = "net"   // a network fetch: fetch-start, fetch-done
	ClassDedup Class = "dedup" // answered without its own network fetch
	ClassErr   Class = "err"   // a failed request
	ClassLock  Class = "lock"  // waiting for, holding or letting go of a lock
)

func (c Class) String() string { return string(c) }

// ClassOf says how the log marks e: dedup for cache-hit, shared and a
// once-done whose job another worker ran; net for fetch-start and
// fetch-done; err for errors; lock for lock events; ClassNone otherwise.
func ClassOf(e stampede.Event) Class {
	switch e.Kind {
	case stampede.KindCacheHit, stampede.KindShared:
		return ClassDedup
	case stampede.KindOnceDone:
		if e.By != "" && e.By != e.Worker {
			return ClassDedup
		}
	case stampede.KindFetchStart, stampede.KindFetchDone:
		return ClassNet
	case stampede.KindError:
		return ClassErr
	case stampede.KindLockWait, stampede.KindLockAcquired, stampede.KindLockReleased:
		return ClassLock
	}
	return ClassNone
}
