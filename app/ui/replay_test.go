package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/stampede-playground/stampede/app/stampede"
)

// counterValue reads a counter's number from the page's HTML.
func counterValue(t *testing.T, p *Playground, id string) string {
	t.Helper()
	h := html(p)
	i := strings.Index(h, `id="`+id+`"`)
	if i < 0 {
		t.Fatalf("no #%s", id)
	}
	rest := h[i:]
	j := strings.Index(rest, "<dd>")
	k := strings.Index(rest, "</dd>")
	if j < 0 || k < j {
		t.Fatalf("#%s has no <dd>", id)
	}
	return strings.TrimSpace(rest[j+4 : k])
}

func TestReplayCountersFollowCursor(t *testing.T) {
	f := &countingFetcher{delay: 5 * time.Millisecond}
	p, d, _ := page(t, Env{Fetcher: f.fetcher()}, "preset=seed&strategy=lock&latency=0&run=1")
	d.Consume()
	if p.state != stateDone {
		t.Fatalf("state %q", p.state)
	}
	n := len(p.events)
	if n < 10 || p.replayOn() || p.replayPos() != n || p.shownStats() != p.live {
		t.Fatalf("%d events, replay on %v at %d; want off at the end with the run's counters", n, p.replayOn(), p.replayPos())
	}
	wantHTML(t, p, `id="timeline"`, `data-worker="parse_stuff"`, `data-worker="use_stuff"`, `data-worker="do_work"`,
		`data-kind="link"`, `id="replay"`, `id="replay-pos"`, `id="replay-step-back"`, `id="replay-step"`, `id="replay-play"`)

	// Step back from the end, then walk to the start: at every cursor the
	// counters are Stats over the prefix, and the log shows the prefix.
	onUI(d, p, func(ctx app.Context) { p.step(-1) })
	for pos := n - 1; pos >= 0; pos-- {
		if p.replayPos() != pos || !p.replayOn() {
			t.Fatalf("cursor at %d (on %v); want %d", p.replayPos(), p.replayOn(), pos)
		}
		var want stampede.Stats
		want.Strategy, want.Workers = p.live.Strategy, p.live.Workers
		for _, e := range p.events[:pos] {
			want.Add(e)
		}
		if got := p.shownStats(); got != want {
			t.Fatalf("at %d: counters %+v; want %+v", pos, got, want)
		}
		if got := counterValue(t, p, "count-requests"); got != fmt.Sprint(want.Requests) {
			t.Fatalf("at %d: #count-requests shows %s; want %d", pos, got, want.Requests)
		}
		if got := counterValue(t, p, "count-deduped"); got != fmt.Sprint(want.Deduped) {
			t.Fatalf("at %d: #count-deduped shows %s; want %d", pos, got, want.Deduped)
		}
		if len(p.lines) != pos || (pos > 0 && p.lines[pos-1].Seq != p.events[pos-1].Seq) {
			t.Fatalf("at %d: the log shows %d lines", pos, len(p.lines))
		}
		if !strings.Contains(html(p), `id="timeline-cursor"`) {
			t.Fatalf("at %d: no cursor line", pos)
		}
		onUI(d, p, func(ctx app.Context) { p.replayKey(ctx, keyBack) })
	}
	if p.replayPos() != 0 || p.shownStats().Requests != 0 {
		t.Fatalf("stepping back past the start: cursor %d", p.replayPos())
	}
	wantHTML(t, p, "event 0 of")

	// Forward by key; the end of the replay equals the run's counters.
	onUI(d, p, func(ctx app.Context) { p.replayKey(ctx, keyForward) })
	if p.replayPos() != 1 || p.shownStats().Requests != 1 {
		t.Errorf("after →: cursor %d, requests %d; want 1, 1", p.replayPos(), p.shownStats().Requests)
	}
	onUI(d, p, func(ctx app.Context) { p.seek(n + 5) })
	s := p.shownStats()
	if p.replayPos() != n || s.Requests != p.live.Requests || s.Fetches != p.live.Fetches || s.Hits != p.live.Hits || s.Deduped != p.live.Deduped {
		t.Errorf("at the end: %+v; want the run's %+v", s, p.live)
	}

	// Space plays from the start (the cursor was at the end) to the end.
	onUI(d, p, func(ctx app.Context) {
		p.replayKey(ctx, keyPlay)
		if !p.replay.playing || p.replayPos() != 0 {
			t.Errorf("play: playing %v at %d; want playing from 0", p.replay.playing, p.replayPos())
		}
		for i := 0; i < n+1 && p.replay.playing; i++ {
			p.playStep(ctx)
		}
	})
	if p.replay.playing || p.replayPos() != n {
		t.Errorf("after playing: playing %v at %d; want stopped at %d", p.replay.playing, p.replayPos(), n)
	}
	onUI(d, p, func(ctx app.Context) {
		p.seek(3)
		p.replayKey(ctx, keyPlay)
		p.replayKey(ctx, keyPlay) // pause
	})
	if p.replay.playing || p.replayPos() != 3 {
		t.Errorf("play then pause: playing %v at %d; want paused at 3", p.replay.playing, p.replayPos())
	}

	// A new run turns replay off and shows its own counters.
	onUI(d, p, func(ctx app.Context) {
		if _, err := p.startRun(ctx, runRequest{settings: p.settings}); err != nil {
			t.Fatal(err)
		}
		if p.replayOn() {
			t.Error("replay still on during a new run")
		}
		p.seek(1)
		if p.replayOn() {
			t.Error("seek works during a run")
		}
	})
	if p.state != stateDone || p.replayOn() || p.shownStats() != p.live || len(p.lines) != len(p.events) {
		t.Errorf("after a new run: replay on %v, %d lines of %d events", p.replayOn(), len(p.lines), len(p.events))
	}
}

func TestReplayDisabledWithoutRun(t *testing.T) {
	p, d, _ := page(t, Env{}, "")
	d.Consume()
	onUI(d, p, func(ctx app.Context) { p.step(-1); p.togglePlay(ctx) })
	if p.replayOn() || p.replay.playing {
		t.Error("replay works without a run")
	}
	h := html(p)
	for _, id := range []string{"replay-pos", "replay-step-back", "replay-step", "replay-play"} {
		i := strings.Index(h, `id="`+id+`"`)
		if i < 0 {
			t.Fatalf("no #%s", id)
		}
		start := strings.LastIndex(h[:i], "<")
		end := i + strings.Index(h[i:], ">")
		if !strings.Contains(h[start:end], "disabled") {
			t.Errorf("#%s is not disabled before a run: %s", id, h[start:end])
		}
	}
}

func TestReplayKeyAction(t *testing.T) {
	tests := []struct {
		key, tag, typ string
		want          replayKey
	}{
		{"ArrowLeft", "input", "range", keyBack},
		{"ArrowRight", "input", "range", keyForward},
		{" ", "input", "range", keyPlay},
		{" ", "rect", "", keyPlay},
		{" ", "section", "", keyPlay},
		{"ArrowRight", "rect", "", keyForward},
		{"ArrowLeft", "button", "", keyBack},
		{" ", "button", "", keyNone}, // space presses the button itself
		{"ArrowLeft", "textarea", "", keyNone},
		{" ", "textarea", "", keyNone},
		{"ArrowRight", "input", "text", keyNone},
		{" ", "input", "text", keyNone},
		{"ArrowLeft", "select", "", keyNone},
		{"a", "rect", "", keyNone},
		{"Enter", "input", "range", keyNone},
	}
	for _, tt := range tests {
		if got := replayKeyAction(tt.key, tt.tag, tt.typ); got != tt.want {
			t.Errorf("%q on <%s type=%q> = %d; want %d", tt.key, tt.tag, tt.typ, got, tt.want)
		}
	}
}

func TestEventsUpTo(t *testing.T) {
	evs := seedEvents()
	for _, tt := range []struct {
		t    time.Duration
		want int
	}{{-1, 0}, {0, 3}, {200 * time.Millisecond, 8}, {time.Second, len(evs)}} {
		if got := eventsUpTo(evs, tt.t); got != tt.want {
			t.Errorf("eventsUpTo(%v) = %d; want %d", tt.t, got, tt.want)
		}
	}
}
