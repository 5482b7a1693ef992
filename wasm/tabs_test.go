package main

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/stampede-playground/stampede/app/stampede"
	"github.com/stampede-playground/stampede/app/ui"
)

// TestPresenceDecodesAsTabEvent: a presence message's JSON decodes as the
// TabEvents it stands for; a batch with anything more is not one.
func TestPresenceDecodesAsTabEvent(t *testing.T) {
	hello := []ui.TabEvent{{Tab: "tab-1", Presence: "hello"}}
	p, ok := asPresence(hello)
	if !ok {
		t.Fatal("a hello is not a presence message")
	}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var back []ui.TabEvent
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, hello) {
		t.Errorf("%s decodes as %+v; want %+v", b, back, hello)
	}
	for _, evs := range [][]ui.TabEvent{
		nil,
		{{Tab: "tab-1", RunID: "run-1", Event: stampede.Event{Worker: "w"}}},
		{{Tab: "tab-1", Presence: "hello", Time: time.Unix(1, 0)}},
		{{Tab: "tab-1", Presence: "hello"}, {Tab: "tab-1", RunID: "run-1"}},
	} {
		if _, ok := asPresence(evs); ok {
			t.Errorf("%+v taken for a presence message", evs)
		}
	}
}
