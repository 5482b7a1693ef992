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
	if p.run.run.state != runDone {
		t.Fatalf("state %q", p.run.run.state)
	}
	n := len(p.run.run.events)
	if n < 10 || p.run.replayOn() || p.run.replayPos() != n || p.run.shownStats() != p.run.run.live {
		t.Fatalf("%d events, replay on %v at %d; want off at the end with the run's counters", n, p.run.replayOn(), p.run.replayPos())
	}
	wantHTML(t, p, `id="timeline"`, `data-worker="parse_stuff"`, `data-worker="use_stuff"`, `data-worker="do_work"`,
		`data-kind="link"`, `id="replay"`, `id="replay-pos"`, `id="replay-step-back"`, `id="replay-step"`, `id="replay-play"`)

	// Step back from the end, then walk to the start: at every cursor the
	// counters are Stats over the prefix, and the log shows the prefix.
	onUI(d, p.views.replay, func(ctx app.Context) { p.views.replay.step(-1) })
	for pos := n - 1; pos >= 0; pos-- {
		if p.run.replayPos() != pos || !p.run.replayOn() {
			t.Fatalf("cursor at %d (on %v); want %d", p.run.replayPos(), p.run.replayOn(), pos)
		}
		var want stampede.Stats
		want.Strategy, want.Workers = p.run.run.live.Strategy, p.run.run.live.Workers
		for _, e := range p.run.run.events[:pos] {
			want.Add(e)
		}
		if got := p.run.shownStats(); got != want {
			t.Fatalf("at %d: counters %+v; want %+v", pos, got, want)
		}
		if got := counterValue(t, p, "count-requests"); got != fmt.Sprint(want.Requests) {
			t.Fatalf("at %d: #count-requests shows %s; want %d", pos, got, want.Requests)
		}
		if got := counterValue(t, p, "count-deduped"); got != fmt.Sprint(want.Deduped) {
			t.Fatalf("at %d: #count-deduped shows %s; want %d", pos, got, want.Deduped)
		}
		if len(p.views.log.lines) != pos || (pos > 0 && p.views.log.lines[pos-1].Seq != p.run.run.events[pos-1].Seq) {
			t.Fatalf("at %d: the log shows %d lines", pos, len(p.views.log.lines))
		}
		if !strings.Contains(html(p), `id="timeline-cursor"`) {
			t.Fatalf("at %d: no cursor line", pos)
		}
		onUI(d, p.views.replay, func(ctx app.Context) { p.views.replay.replayKey(ctx, keyBack) })
	}
	if p.run.replayPos() != 0 || p.run.shownStats().Requests != 0 {
		t.Fatalf("stepping back past the start: cursor %d", p.run.replayPos())
	}
	wantHTML(t, p, "event 0 of")

	// Forward by key; the end of the replay equals the run's counters.
	onUI(d, p.views.replay, func(ctx app.Context) { p.views.replay.replayKey(ctx, keyForward) })
	if p.run.replayPos() != 1 || p.run.shownStats().Requests != 1 {
		t.Errorf("after →: cursor %d, requests %d; want 1, 1", p.run.replayPos(), p.run.shownStats().Requests)
	}
	onUI(d, p, func(ctx app.Context) { p.run.seek(n + 5) })
	s := p.run.shownStats()
	if p.run.replayPos() != n || s.Requests != p.run.run.live.Requests || s.Fetches != p.run.run.live.Fetches || s.Hits != p.run.run.live.Hits || s.Deduped != p.run.run.live.Deduped {
		t.Errorf("at the end: %+v; want the run's %+v", s, p.run.run.live)
	}

	// Space plays from the start (the cursor was at the end) to the end.
	onUI(d, p.views.replay, func(ctx app.Context) {
		p.views.replay.replayKey(ctx, keyPlay)
		if !p.views.replay.playing || p.run.replayPos() != 0 {
			t.Errorf("play: playing %v at %d; want playing from 0", p.views.replay.playing, p.run.replayPos())
		}
		for i := 0; i < n+1 && p.views.replay.playing; i++ {
			p.views.replay.playStep(ctx)
		}
	})
	if p.views.replay.playing || p.run.replayPos() != n {
		t.Errorf("after playing: playing %v at %d; want stopped at %d", p.views.replay.playing, p.run.replayPos(), n)
	}
	onUI(d, p, func(ctx app.Context) {
		p.run.seek(3)
		p.views.replay.replayKey(ctx, keyPlay)
		p.views.replay.replayKey(ctx, keyPlay) // pause
	})
	if p.views.replay.playing || p.run.replayPos() != 3 {
		t.Errorf("play then pause: playing %v at %d; want paused at 3", p.views.replay.playing, p.run.replayPos())
	}

	// A new run turns replay off and shows its own counters.
	onUI(d, p, func(ctx app.Context) {
		if _, err := p.run.start(ctx, runRequest{settings: p.settings}); err != nil {
			t.Fatal(err)
		}
		if p.run.replayOn() {
			t.Error("replay still on during a new run")
		}
		p.run.seek(1)
		if p.run.replayOn() {
			t.Error("seek works during a run")
		}
	})
	if p.run.run.state != runDone || p.run.replayOn() || p.run.shownStats() != p.run.run.live || len(p.views.log.lines) != len(p.run.run.events) {
		t.Errorf("after a new run: replay on %v, %d lines of %d events", p.run.replayOn(), len(p.views.log.lines), len(p.run.run.events))
	}
}

func TestReplayDisabledWithoutRun(t *testing.T) {
	p, d, _ := page(t, Env{}, "")
	d.Consume()
	onUI(d, p.views.replay, func(ctx app.Context) { p.views.replay.step(-1); p.views.replay.togglePlay(ctx) })
	if p.run.replayOn() || p.views.replay.playing {
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
