package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/stampede-playground/stampede/app/stampede"
)

// tev builds an event at ms milliseconds.
func tev(seq int, atMs float64, worker string, k stampede.Kind, target, by string) stampede.Event {
	return stampede.Event{Seq: seq, At: time.Duration(atMs * float64(time.Millisecond)), Worker: worker, Kind: k, Target: target, By: by}
}

// seedEvents is the seed preset under lock: parse_stuff fetches,
// use_stuff waits and hits, do_work fetches and works alongside.
func seedEvents() []stampede.Event {
	return []stampede.Event{
		tev(1, 0, "parse_stuff", stampede.KindRequest, "data/stuff.json", ""),
		tev(2, 0.1, "use_stuff", stampede.KindRequest, "data/stuff.json", ""),
		tev(3, 0.1, "do_work", stampede.KindRequest, "data/other.json", ""),
		tev(4, 0.2, "use_stuff", stampede.KindLockWait, "data/stuff.json", ""),
		tev(5, 0.2, "parse_stuff", stampede.KindLockAcquired, "data/stuff.json", ""),
		tev(6, 200, "parse_stuff", stampede.KindFetchStart, "data/stuff.json", ""),
		tev(7, 200, "do_work", stampede.KindFetchStart, "data/other.json", ""),
		tev(8, 210, "do_work", stampede.KindFetchDone, "data/other.json", ""),
		tev(9, 210, "do_work", stampede.KindWorkStart, "", ""),
		tev(10, 230, "parse_stuff", stampede.KindFetchDone, "data/stuff.json", ""),
		tev(11, 230, "parse_stuff", stampede.KindLockReleased, "data/stuff.json", ""),
		tev(12, 230.5, "use_stuff", stampede.KindLockAcquired, "data/stuff.json", ""),
		tev(13, 231, "use_stuff", stampede.KindCacheHit, "data/stuff.json", "parse_stuff"),
		tev(14, 510, "do_work", stampede.KindWorkDone, "", ""),
	}
}

func kindsOf(r row) []string {
	var ks []string
	for _, l := range r.Lanes {
		for _, b := range l {
			ks = append(ks, b.Kind)
		}
	}
	return ks
}

func TestTimelineSeed(t *testing.T) {
	m := buildTimeline(seedEvents(), []string{"parse_stuff", "use_stuff", "do_work"}, nil, 0)
	var names []string
	for _, r := range m.Rows {
		names = append(names, r.Worker)
	}
	if strings.Join(names, " ") != "parse_stuff use_stuff do_work" {
		t.Fatalf("rows %v; want the scenario's order", names)
	}
	for i, want := range []string{"latency fetch", "wait hit", "latency fetch work"} {
		if got := strings.Join(kindsOf(m.Rows[i]), " "); got != want {
			t.Errorf("%s's bars: %q; want %q", m.Rows[i].Worker, got, want)
		}
	}
	wait := m.Rows[1].Lanes[0][0]
	if wait.From != 0.2 || wait.To != 230.5 {
		t.Errorf("use_stuff waits %v to %v ms; want 0.2 to 230.5", wait.From, wait.To)
	}
	if len(m.Links) != 1 || m.Links[0].Row1 != 0 || m.Links[0].Row2 != 1 || m.Links[0].X1 != 230 || m.Links[0].X2 != 231 {
		t.Errorf("links %+v; want one from parse_stuff's fetch end (230 ms) to use_stuff's hit (231 ms)", m.Links)
	}
	if m.EndMs != 510 {
		t.Errorf("the axis ends at %v ms; want the last event's 510", m.EndMs)
	}
	if d := m.detailAt("1:0:1"); !strings.Contains(d, "cache hit on data/stuff.json by parse_stuff") {
		t.Errorf("use_stuff's hit says %q", d)
	}
	if d := m.detailAt("2"); !strings.Contains(d, "do_work: 1 network fetch") {
		t.Errorf("do_work's lane says %q", d)
	}
	for _, bad := range []string{"9:0:0", "0:5:0", "x", "-1"} {
		if d := m.detailAt(bad); d != "" {
			t.Errorf("detailAt(%q) = %q; want nothing", bad, d)
		}
	}
}

// crowdEvents: n workers of one line; crowd#1 fetches, the others hit.
func crowdEvents(n int) []stampede.Event {
	evs := []stampede.Event{
		tev(1, 0, "solo", stampede.KindRequest, "a", ""),
		tev(2, 0, "crowd#1", stampede.KindRequest, "a", ""),
		tev(3, 1, "crowd#1", stampede.KindFetchStart, "a", ""),
		tev(4, 100, "crowd#1", stampede.KindFetchDone, "a", ""),
	}
	for i := 2; i <= n; i++ {
		w := fmt.Sprintf("crowd#%d", i)
		evs = append(evs,
			tev(len(evs)+1, 0, w, stampede.KindRequest, "a", ""),
			tev(len(evs)+2, 0.5, w, stampede.KindLockWait, "a", ""),
			tev(len(evs)+3, 100.2, w, stampede.KindShared, "a", "crowd#1"),
		)
	}
	return append(evs, tev(len(evs)+1, 100.3, "solo", stampede.KindShared, "a", "crowd#1"))
}

func TestTimelineBands(t *testing.T) {
	m := buildTimeline(crowdEvents(50), []string{"solo", "crowd"}, nil, 0)
	if len(m.Rows) != 2 || m.Rows[1].Worker != "crowd" || m.Rows[1].Count != 50 || len(m.Rows[1].Lanes) != bandLanes {
		t.Fatalf("rows %+v; want solo and a band crowd of 50 in %d lanes", m.Rows, bandLanes)
	}
	if len(m.Bands) != 1 || m.Bands[0].Group != "crowd" {
		t.Errorf("expand buttons for %+v; want crowd", m.Bands)
	}
	if len(m.Links) != 1 || m.Links[0].Row1 != 1 || m.Links[0].Row2 != 0 {
		t.Errorf("links %+v; want the one from the crowd's fetch to solo (a band's own links are the same row)", m.Links)
	}
	h := app.HTMLString(renderTimeline(m, -1, "", nil, nil, nil))
	for _, want := range []string{`data-worker="crowd"`, `data-count="50"`, `data-worker="solo"`, "expand crowd ×50"} {
		if !strings.Contains(h, want) {
			t.Errorf("the drawing lacks %s", want)
		}
	}

	open := buildTimeline(crowdEvents(50), []string{"solo", "crowd"}, map[string]bool{"crowd": true}, 0)
	if len(open.Rows) != 1+maxExpanded || open.Rows[1].Worker != "crowd#1" || !strings.Contains(open.Omitted, "10 workers not drawn") {
		t.Errorf("expanded: %d rows, first %q, omitted %q; want solo and %d lanes, 10 left out", len(open.Rows), open.Rows[1].Worker, open.Omitted, maxExpanded)
	}
}

// A 1,000-worker run draws a bounded number of shapes.
func TestTimelineThousandBounded(t *testing.T) {
	m := buildTimeline(crowdEvents(1000), []string{"solo", "crowd"}, nil, 0)
	h := app.HTMLString(renderTimeline(m, -1, "", nil, nil, nil))
	rects := strings.Count(h, "<rect")
	if m.Rows[1].Count != 1000 || rects > 200 {
		t.Errorf("1,000 workers: band of %d, %d rects; want one band and a few dozen rects", m.Rows[1].Count, rects)
	}
}

func TestTimelineOtherTab(t *testing.T) {
	evs := seedEvents()
	remote := tev(99, 5, "crowd#1", stampede.KindCacheHit, "data/stuff.json", "x")
	remote.Tab = "t2"
	m := buildTimeline(append(evs, remote), []string{"parse_stuff", "use_stuff", "do_work"}, nil, 0)
	last := m.Rows[len(m.Rows)-1]
	if last.Remote != "t2" || !strings.HasPrefix(last.Label, "tab t2: ") {
		t.Errorf("another tab's worker: %+v; want a lane marked as tab t2's, after this tab's", last)
	}
	if h := app.HTMLString(renderTimeline(m, -1, "", nil, nil, nil)); !strings.Contains(h, `data-remote="t2"`) {
		t.Error("another tab's lane is not marked data-remote")
	}
}

// Fetched text (a URL, an error) reaches the drawing only as text.
func TestTimelineTextOnly(t *testing.T) {
	e := tev(2, 3, "w", stampede.KindError, `<img src=x onerror=alert(1)>`, "")
	e.Detail = "<script>alert(1)</script>"
	m := buildTimeline([]stampede.Event{tev(1, 0, "w", stampede.KindRequest, "u", ""), e}, nil, nil, 0)
	h := app.HTMLString(renderTimeline(m, -1, m.detailAt("0:0:0"), nil, nil, nil))
	if strings.Contains(h, "<script>") || strings.Contains(h, "<img") {
		t.Errorf("markup from an event reached the drawing:\n%s", h)
	}
	if !strings.Contains(h, "&lt;script&gt;") {
		t.Error("the error's detail is not shown as text")
	}
}

func TestTicks(t *testing.T) {
	for _, c := range []struct {
		end  float64
		want string
	}{
		{510, "[0 100 200 300 400 500]"},
		{1, "[0 0.2 0.4 0.6000000000000001 0.8 1]"},
		{3200, "[0 1000 2000 3000]"},
	} {
		if got := fmt.Sprint(ticks(c.end)); got != c.want {
			t.Errorf("ticks(%v) = %s; want %s", c.end, got, c.want)
		}
	}
}

// The replay: stepping moves the cursor, the counters and the log follow
// it, play advances, and a new run ends it.
func TestReplay(t *testing.T) {
	p := newPlayground(Env{})
	p.events = seedEvents()
	p.live = stampede.Stats{Strategy: stampede.Lock, Workers: 3, Requests: 3, Fetches: 2, Hits: 1, Deduped: 1}
	p.groups = []workerGroup{{"parse_stuff", 1}, {"use_stuff", 1}, {"do_work", 1}}
	p.refreshView()
	if p.shownStats() != p.live || len(p.lines) != len(p.events) {
		t.Fatal("before a replay the page shows the whole run")
	}

	p.step(-1)
	if !p.rp.on || p.rp.pos != len(p.events)-1 || len(p.lines) != len(p.events)-1 {
		t.Fatalf("one step back: pos %d, %d lines; want %d", p.rp.pos, len(p.lines), len(p.events)-1)
	}
	for pos := 0; pos <= len(p.events); pos++ {
		p.seek(pos)
		var want stampede.Stats
		want.Strategy, want.Workers = stampede.Lock, 3
		for _, e := range p.events[:pos] {
			want.Add(e)
		}
		if got := p.shownStats(); got != want {
			t.Fatalf("at %d: counters %+v; want %+v", pos, got, want)
		}
		if len(p.lines) != pos {
			t.Fatalf("at %d: %d log lines", pos, len(p.lines))
		}
	}
	p.seek(6)
	if s := p.shownStats(); s.Requests != 3 || s.Fetches != 1 || s.Hits != 0 {
		t.Errorf("after 6 events: %+v; want 3 requests, 1 fetch, no hit yet", s)
	}
	if h := app.HTMLString(p.renderTimelineSection()); !strings.Contains(h, `id="timeline-cursor"`) || !strings.Contains(h, "event 6 of 14") {
		t.Error("the timeline draws no cursor, or the replay does not say where it is")
	}
	p.seek(-5)
	if p.rp.pos != 0 {
		t.Errorf("seek below the start: %d", p.rp.pos)
	}
	p.seek(99)
	if p.rp.pos != len(p.events) {
		t.Errorf("seek past the end: %d", p.rp.pos)
	}

	// Play from the end starts over and steps until the end.
	p.rp.playing, p.rp.gen = true, p.rp.gen+1
	p.seek(0)
	ticks := 0
	for p.playTick(p.rp.gen) {
		ticks++
	}
	if p.rp.pos != len(p.events) || p.rp.playing || ticks != len(p.events)-1 {
		t.Errorf("play: pos %d after %d ticks, playing %v; want the end after %d ticks", p.rp.pos, ticks, p.rp.playing, len(p.events)-1)
	}
	// A stale play loop (an older generation) does nothing.
	p.seek(3)
	p.rp.playing = true
	if p.playTick(p.rp.gen-1) || p.rp.pos != 3 {
		t.Error("an ended play loop moved the cursor")
	}

	p.running = true
	p.step(-1)
	if p.rp.pos != 3 {
		t.Error("the replay moved during a run")
	}
	p.running = false
	p.resetReplay()
	if p.rp.on || p.rp.playing || len(p.shownEvents()) != len(p.events) {
		t.Error("resetReplay did not end the replay")
	}
}

func TestReplayKeys(t *testing.T) {
	p := newPlayground(Env{})
	p.events = seedEvents()
	for _, c := range []struct {
		key     string
		onRange bool
		handled bool
		pos     int
	}{
		{"ArrowLeft", false, true, 13},
		{"ArrowLeft", false, true, 12},
		{"ArrowRight", false, true, 13},
		{"ArrowLeft", true, true, 13}, // the range input moves itself
		{"a", false, false, 13},
	} {
		if got := p.replayKey(nil, c.key, c.onRange); got != c.handled || p.rp.pos != c.pos {
			t.Errorf("%q (on range %v): handled %v, pos %d; want %v, %d", c.key, c.onRange, got, p.rp.pos, c.handled, c.pos)
		}
	}
}

// Expanding a band through the page.
func TestToggleBand(t *testing.T) {
	p := newPlayground(Env{})
	p.events = crowdEvents(5)
	p.groups = []workerGroup{{"solo", 1}, {"crowd", 5}}
	if n := len(p.timelineModel().Rows); n != 2 {
		t.Fatalf("%d rows folded; want 2", n)
	}
	p.toggleBand("crowd")
	if n := len(p.timelineModel().Rows); n != 6 {
		t.Errorf("%d rows expanded; want 6", n)
	}
	p.toggleBand("crowd")
	if n := len(p.timelineModel().Rows); n != 2 {
		t.Errorf("%d rows folded again; want 2", n)
	}
}
