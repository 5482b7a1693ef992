//go:build js && wasm

package broadcast

import (
	"testing"
	"time"
)

type msg struct {
	Tab string `json:"tab"`
	N   int    `json:"n"`
}

func open(t *testing.T, name string) *Channel[msg] {
	t.Helper()
	c, err := Open[msg](name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func TestPublishSubscribe(t *testing.T) {
	a, b := open(t, "test-ps"), open(t, "test-ps")
	got := make(chan msg, 10)
	cancel := b.Subscribe(func(m msg) { got <- m })
	own := make(chan msg, 10)
	defer a.Subscribe(func(m msg) { own <- m })()

	for i := range 3 {
		a.Publish(msg{"a", i})
	}
	for i := range 3 {
		select {
		case m := <-got:
			if m != (msg{"a", i}) {
				t.Errorf("got %+v; want {a %d}", m, i)
			}
		case <-time.After(2 * time.Second):
			t.Fatalf("message %d never arrived", i)
		}
	}
	select {
	case m := <-own:
		t.Errorf("the publisher received its own message %+v", m)
	case <-time.After(50 * time.Millisecond):
	}

	cancel()
	cancel() // idempotent
	a.Publish(msg{"a", 99})
	select {
	case m := <-got:
		t.Errorf("received %+v after cancel", m)
	case <-time.After(100 * time.Millisecond):
	}
}

func TestIgnoresForeignMessages(t *testing.T) {
	a, b := open(t, "test-foreign"), open(t, "test-foreign")
	got := make(chan msg, 10)
	defer b.Subscribe(func(m msg) { got <- m })()
	a.ch.Call("postMessage", 42) // not a string
	a.ch.Call("postMessage", "not json")
	a.Publish(msg{"a", 1})
	select {
	case m := <-got:
		if m != (msg{"a", 1}) {
			t.Errorf("got %+v; want only {a 1}", m)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("the valid message never arrived")
	}
}

// TestPublishAs: a value of a smaller type whose JSON decodes as a T
// arrives as that T.
func TestPublishAs(t *testing.T) {
	a, b := open(t, "test-as"), open(t, "test-as")
	got := make(chan msg, 10)
	defer b.Subscribe(func(m msg) { got <- m })()
	PublishAs(a, struct {
		Tab string `json:"tab"`
	}{"small"})
	select {
	case m := <-got:
		if m != (msg{Tab: "small"}) {
			t.Errorf("got %+v; want {small 0}", m)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("the message never arrived")
	}
}
