//go:build js && wasm

package broadcast

import (
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"syscall/js"
)

// Channel carries values of type T, encoded as JSON, between the tabs of
// the origin. It is safe for concurrent use.
type Channel[T any] struct {
	ch      js.Value // the BroadcastChannel
	dropped atomic.Int64
}

// Open opens the BroadcastChannel name, or returns ErrUnsupported.
func Open[T any](name string) (c *Channel[T], err error) {
	defer func() {
		if p := recover(); p != nil { // syscall/js panics when JavaScript throws
			c, err = nil, fmt.Errorf("broadcast: opening %q: %v", name, p)
		}
	}()
	ctor := js.Global().Get("BroadcastChannel")
	if ctor.Type() != js.TypeFunction {
		return nil, ErrUnsupported
	}
	return &Channel[T]{ch: ctor.New(name)}, nil
}

// Publish sends v to the other tabs. A value that cannot be encoded or
// posted is dropped: what the other tabs show is a courtesy, never a
// reason to fail a run.
func (c *Channel[T]) Publish(v T) { PublishAs(c, v) }

// PublishAs sends v to the other tabs' Channel[T]s, encoded as JSON: for
// a message whose JSON decodes as a T but is cheaper to encode from a
// smaller type U. It drops what Publish drops.
func PublishAs[T, U any](c *Channel[T], v U) {
	b, err := json.Marshal(v)
	if err != nil {
		return
	}
	defer func() { _ = recover() }() // postMessage throws on a closed channel
	c.ch.Call("postMessage", string(b))
}

// Subscribe calls fn, on a goroutine of its own and in order, for every
// value another tab publishes, until cancel is called. Messages that are
// not a T in JSON are ignored.
func (c *Channel[T]) Subscribe(fn func(T)) (cancel func()) {
	msgs := make(chan string, Buffer)
	done := make(chan struct{})
	// The listener never blocks: it hands the text over or drops it.
	listener := js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) == 0 {
			return nil
		}
		data := args[0].Get("data")
		if data.Type() != js.TypeString {
			return nil
		}
		select {
		case msgs <- data.String():
		default:
			c.dropped.Add(1)
		}
		return nil
	})
	c.ch.Call("addEventListener", "message", listener)
	go func() {
		for {
			select {
			case m := <-msgs:
				var v T
				if json.Unmarshal([]byte(m), &v) == nil {
					fn(v)
				}
			case <-done:
				return
			}
		}
	}()
	return sync.OnceFunc(func() {
		c.ch.Call("removeEventListener", "message", listener)
		listener.Release()
		close(done)
	})
}

// Dropped is how many received messages were dropped because a
// subscriber was behind by Buffer messages.
func (c *Channel[T]) Dropped() int64 { return c.dropped.Load() }

// Close closes the channel; Publish then does nothing.
func (c *Channel[T]) Close() { c.ch.Call("close") }
