package main

import (
	"github.com/stampede-playground/stampede/app/stampede"
	"github.com/stampede-playground/stampede/app/ui"
)

// presence is a TabEvent that only says a tab is open, in the two fields
// it has. The hello every page sends as it opens is the page's first
// json.Marshal; as a TabEvent it made encoding/json build its encoders
// for TabEvent and stampede.Event first, inside the page's first mount:
// 27, 33 and 36 ms in the browser, against 8, 9 and 38 ms for these two
// fields (the first Marshal in a fresh wasm process; a CPU profile of a
// cold load, `go run ./wasm/internal/bench -only load -profile`, had
// pointed at it). Its JSON decodes as the TabEvent it stands for.
type presence struct {
	Tab      string `json:"tab"`
	Presence string `json:"presence"`
}

// asPresence returns evs as presence messages when that is all they are.
func asPresence(evs []ui.TabEvent) ([]presence, bool) {
	out := make([]presence, 0, len(evs))
	for _, e := range evs {
		if e.Presence == "" || e.RunID != "" || !e.Time.IsZero() || e.Event != (stampede.Event{}) {
			return nil, false
		}
		out = append(out, presence{e.Tab, e.Presence})
	}
	return out, len(out) > 0
}
