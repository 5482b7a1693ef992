package ui

import (
	"fmt"
	htmlpkg "html"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/stampede-playground/stampede/app/stampede"
	"github.com/stampede-playground/stampede/app/trace"
)

// at builds an event at msf milliseconds.
func at(msf float64, worker string, k stampede.Kind, target, detail, by string) stampede.Event {
	return stampede.Event{At: time.Duration(msf * float64(time.Millisecond)), Worker: worker, Kind: k, Target: target, Detail: detail, By: by}
}

// stored marks a fetch-done whose response was stored, as the engine
// does for a get's fetch (a fetch step's is not).
func stored(e stampede.Event) stampede.Event {
	e.Stored = true
	return e
}

// withLatency gives a fetch-start the 200ms of added latency its detail
// names, as the engine does.
func withLatency(e stampede.Event) stampede.Event {
	e.AddedLatency = 200 * time.Millisecond
	return e
}

func numbered(evs []stampede.Event) []stampede.Event {
	for i := range evs {
		evs[i].Seq = i + 1
	}
	return evs
}

const (
	stuff = "data/stuff.json"
	other = "data/other.json"
	lat   = "after 200ms added latency (not network time)"
)

// seedEvents is the seed preset under lock with 200ms added latency, as a
// run logs it: parse_stuff fetches inside the lock, use_stuff waits and
// hits, do_work fetches past the cache and works.
func seedEvents() []stampede.Event {
	return numbered([]stampede.Event{
		at(0, "parse_stuff", stampede.KindRequest, stuff, "get", ""),
		at(0, "use_stuff", stampede.KindRequest, stuff, "get", ""),
		at(0, "do_work", stampede.KindRequest, other, "fetch (no cache)", ""),
		at(0.1, "parse_stuff", stampede.KindLockWait, stuff, "", ""),
		at(0.2, "use_stuff", stampede.KindLockWait, stuff, "", ""),
		at(0.2, "parse_stuff", stampede.KindLockAcquired, stuff, "waited 0.1ms", ""),
		withLatency(at(200, "parse_stuff", stampede.KindFetchStart, stuff, lat, "")),
		withLatency(at(200, "do_work", stampede.KindFetchStart, other, lat, "")),
		at(205, "do_work", stampede.KindFetchDone, other, "200 application/json, 20 B, network 5ms", ""),
		at(205, "do_work", stampede.KindWorkStart, "", "for 300ms", ""),
		stored(at(210, "parse_stuff", stampede.KindFetchDone, stuff, "200 application/json, 20 B, network 10ms", "")),
		at(210, "parse_stuff", stampede.KindLockReleased, stuff, "", ""),
		at(210, "parse_stuff", stampede.KindDone, "", "", ""),
		at(210.1, "use_stuff", stampede.KindLockAcquired, stuff, "waited 209.9ms", ""),
		at(210.2, "use_stuff", stampede.KindCacheHit, stuff, "after waiting 209.9ms for the lock", "parse_stuff"),
		at(210.3, "use_stuff", stampede.KindLockReleased, stuff, "", ""),
		at(210.3, "use_stuff", stampede.KindDone, "", "", ""),
		at(505, "do_work", stampede.KindWorkDone, "", "", ""),
		at(505, "do_work", stampede.KindDone, "", "", ""),
	})
}

var seedGroups = []workerGroup{{"parse_stuff", 1}, {"use_stuff", 1}, {"do_work", 1}}

// crowdEvents is `crowd xN: get data/stuff.json` under singleflight with
// one named worker before it: crowd#leader fetches, the others wait for
// its flight and share the result, one of them fails, and the named
// worker hits the cache afterwards.
func crowdEvents(n, leader int) []stampede.Event {
	lw := fmt.Sprintf("crowd#%d", leader)
	var evs []stampede.Event
	for i := 1; i <= n; i++ {
		evs = append(evs, at(float64(i)*0.01, fmt.Sprintf("crowd#%d", i), stampede.KindRequest, stuff, "get", ""))
	}
	evs = append(evs, at(1, lw, stampede.KindFetchStart, stuff, "", ""))
	for i := 1; i <= n; i++ {
		if i != leader {
			evs = append(evs, at(1+float64(i)*0.01, fmt.Sprintf("crowd#%d", i), stampede.KindLockWait, stuff, "in-flight fetch by "+lw, lw))
		}
	}
	evs = append(evs, stored(at(50, lw, stampede.KindFetchDone, stuff, "200", "")))
	for i := 1; i <= n; i++ {
		w := fmt.Sprintf("crowd#%d", i)
		switch {
		case i == leader:
		case i == n:
			evs = append(evs, at(50.5, w, stampede.KindError, stuff, "boom", ""))
		default:
			evs = append(evs, at(50+float64(i)*0.001, w, stampede.KindShared, stuff, "waited", lw))
		}
		evs = append(evs, at(51, w, stampede.KindDone, "", "", ""))
	}
	evs = append(evs,
		at(60, "reader", stampede.KindRequest, stuff, "get", ""),
		at(60.1, "reader", stampede.KindCacheHit, stuff, "", lw),
		at(60.2, "reader", stampede.KindDone, "", "", ""),
	)
	return numbered(evs)
}

// elem is one rendered element's attributes.
type elem map[string]string

var (
	tagRE  = regexp.MustCompile(`<(g|rect|path|line|button)\b([^>]*)>`)
	attrRE = regexp.MustCompile(`([a-zA-Z0-9-]+)(?:="([^"]*)")?`)
)

// elems lists the elements named tag in h with the attribute name (any
// value when name is "").
func elems(h, tag, name string) []elem {
	var out []elem
	for _, m := range tagRE.FindAllStringSubmatch(h, -1) {
		if m[1] != tag {
			continue
		}
		e := elem{}
		for _, a := range attrRE.FindAllStringSubmatch(m[2], -1) {
			e[a[1]] = htmlpkg.UnescapeString(a[2])
		}
		if _, ok := e[name]; name == "" || ok {
			out = append(out, e)
		}
	}
	return out
}

// renderTL mounts a timeline and returns its HTML.
// layoutTimeline lays events out as the page does, through their trace.
func layoutTimeline(events []stampede.Event, groups []workerGroup, expanded []string, wall, cursor time.Duration, live bool) tlModel {
	return layoutTrace(trace.Build(events), groups, expanded, wall, cursor, live)
}

func renderTL(t *testing.T, tl *timeline) string {
	t.Helper()
	d := app.NewClientTester(tl)
	t.Cleanup(d.Close)
	d.Consume()
	return app.HTMLString(tl)
}

// lanes is the lanes' data-worker values, in order.
func lanes(h string) []string {
	var out []string
	for _, g := range elems(h, "g", "data-worker") {
		out = append(out, g["data-worker"])
	}
	return out
}

// kindsOf counts the bars of each data-kind inside the lane of worker w.
func kindsOf(h, w string) map[string]int {
	start := strings.Index(h, `data-worker="`+w+`"`)
	if start < 0 {
		return nil
	}
	rest := h[start:]
	if end := strings.Index(rest, "</g>"); end >= 0 {
		rest = rest[:end]
	}
	out := map[string]int{}
	for _, r := range elems("<g "+rest, "rect", "tabindex") {
		out[r["data-kind"]]++
	}
	return out
}

func TestTimelineSeedLanesBarsAndLink(t *testing.T) {
	h := renderTL(t, newTimeline().Events(seedEvents()).Groups(seedGroups).Wall(505*time.Millisecond))
	if got := fmt.Sprint(lanes(h)); got != "[parse_stuff use_stuff do_work]" {
		t.Errorf("lanes = %s; want one per worker in the scenario's order", got)
	}
	for _, tt := range []struct {
		worker string
		want   map[string]int
	}{
		// parse_stuff's wait of 0.1ms is too short to draw.
		{"parse_stuff", map[string]int{"held": 1, "latency": 1, "fetch": 1}},
		// use_stuff's hold of 0.2ms is too short to draw.
		{"use_stuff", map[string]int{"wait": 1, "hit": 1}},
		{"do_work", map[string]int{"latency": 1, "fetch": 1, "work": 1}},
	} {
		if got := kindsOf(h, tt.worker); fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("%s: bars %v; want %v", tt.worker, got, tt.want)
		}
	}
	links := elems(h, "path", "data-kind")
	if len(links) != 1 || links[0]["data-from"] != "parse_stuff" || links[0]["data-to"] != "use_stuff" {
		t.Fatalf("links = %v; want one from parse_stuff's fetch to use_stuff's hit", links)
	}
	// The link starts where the fetch ends and ends where the wait ends.
	m := layoutTimeline(seedEvents(), seedGroups, nil, 505*time.Millisecond, -1, false)
	var fetchEnd, waitEnd float64
	for _, b := range m.Lanes[0].Bars {
		if b.Kind == trace.Fetch {
			fetchEnd = b.X + b.W
		}
	}
	for _, b := range m.Lanes[1].Bars {
		if b.Kind == trace.Wait {
			waitEnd = b.X + b.W
		}
	}
	if !strings.HasPrefix(links[0]["d"], "M"+f1(fetchEnd)+" ") || fetchEnd == 0 {
		t.Errorf("link %q does not start at the fetch's end x=%s", links[0]["d"], f1(fetchEnd))
	}
	if d := waitEnd - fetchEnd; d < -1 || d > 1 {
		t.Errorf("use_stuff's wait ends at x=%.1f, the fetch at x=%.1f: want them together", waitEnd, fetchEnd)
	}
	// Every bar is focusable, labelled and titled; ticks in ms.
	for _, r := range elems(h, "rect", "tabindex") {
		if r["tabindex"] != "0" || r["aria-label"] == "" {
			t.Errorf("bar %v lacks tabindex=0 or aria-label", r)
		}
	}
	for _, s := range []string{`>0 ms<`, `>200 ms<`, `>400 ms<`, `<title>use_stuff: cache hit, at 210.2 ms · data/stuff.json · served by parse_stuff`,
		`xmlns="http://www.w3.org/2000/svg"`, `id="timeline-details"`, `class="timeline-legend"`} {
		if !strings.Contains(h, s) {
			t.Errorf("timeline lacks %s", s)
		}
	}
	if strings.Contains(h, `data-count`) || strings.Contains(h, `class="timeline-bands"`) {
		t.Error("a scenario without replicas shows a band")
	}
}

func TestTimelineBandAndExpansion(t *testing.T) {
	evs := crowdEvents(50, 7)
	groups := []workerGroup{{"crowd", 50}, {"reader", 1}}
	tl := newTimeline().Events(evs).Groups(groups)
	d := app.NewClientTester(tl)
	defer d.Close()
	d.Consume()
	h := app.HTMLString(tl)
	if got := fmt.Sprint(lanes(h)); got != "[crowd reader]" {
		t.Fatalf("lanes = %s; want the crowd as one band, then reader", got)
	}
	if b := elems(h, "button", "data-band"); len(b) != 1 || b[0]["aria-expanded"] != "false" || !strings.Contains(h, "show crowd ×50") {
		t.Errorf("band buttons %v; want one for crowd, collapsed", b)
	}
	band := elems(h, "g", "data-count")
	if len(band) != 1 || band[0]["data-worker"] != "crowd" || band[0]["data-count"] != "50" {
		t.Fatalf("bands = %v; want crowd with data-count=50", band)
	}
	k := kindsOf(h, "crowd")
	if k["fetch"] != 1 || k["wait"] != 1 || k["shared"] != 1 || k["error"] != 1 {
		t.Errorf("band bars %v; want one merged each of fetch, wait, shared, error", k)
	}
	// The shared results in the band link to the fetch in the band, and
	// reader's hit links to the band.
	var from []string
	for _, l := range elems(h, "path", "data-kind") {
		from = append(from, l["data-from"]+">"+l["data-to"])
	}
	if fmt.Sprint(from) != "[crowd>crowd crowd>reader]" {
		t.Errorf("links %v; want crowd>crowd and crowd>reader", from)
	}

	// Expanding shows at most maxMembers member lanes, the fetcher and
	// the failed one first.
	d.Dispatch(app.Dispatch{Mode: app.Update, Source: tl, Function: func(app.Context) { tl.toggle("crowd") }})
	d.Consume()
	h = app.HTMLString(tl)
	ls := lanes(h)
	if len(ls) != 2+maxMembers || ls[0] != "crowd" || ls[1] != "crowd#7" || ls[2] != "crowd#50" || ls[3] != "crowd#1" || ls[len(ls)-1] != "reader" {
		t.Fatalf("expanded lanes = %v; want crowd, crowd#7 (fetched), crowd#50 (failed), crowd#1…, reader", ls)
	}
	if k := kindsOf(h, "crowd#7"); k["fetch"] != 1 {
		t.Errorf("crowd#7's bars %v; want its fetch", k)
	}
	found := false
	for _, l := range elems(h, "path", "data-kind") {
		if l["data-from"] == "crowd#7" && l["data-to"] == "reader" {
			found = true
		}
	}
	if !found {
		t.Error("expanded: no link from crowd#7's own lane to reader")
	}
	btn := elems(h, "button", "data-band")
	// go-app writes a true attribute without its value in HTML; the
	// browser gets aria-expanded="true" through setAttribute.
	if v, ok := btn[0]["aria-expanded"]; len(btn) != 1 || !ok || (v != "" && v != "true") {
		t.Errorf("band buttons %v; want one, aria-expanded=true", btn)
	}
	// At most maxExpanded bands stay expanded.
	for _, n := range []string{"a", "b", "crowd"} {
		tl.toggle(n)
	}
	if fmt.Sprint(tl.expanded) != "[b crowd]" {
		t.Errorf("expanded = %v; want [b crowd]: crowd closed, then a pushed out by reopening crowd", tl.expanded)
	}
}

func TestTimelineOtherTabDistinct(t *testing.T) {
	evs := seedEvents()
	remote := at(100, "parse_stuff", stampede.KindFetchStart, stuff, "", "")
	remote.Tab = "t00ab"
	remoteDone := at(120, "parse_stuff", stampede.KindFetchDone, stuff, "", "")
	remoteDone.Tab = "t00ab"
	evs = append(evs, remote, remoteDone)
	h := renderTL(t, newTimeline().Events(evs).Groups(seedGroups))
	var tabbed []string
	for _, g := range elems(h, "g", "data-tab") {
		tabbed = append(tabbed, g["data-worker"]+"@"+g["data-tab"])
	}
	if fmt.Sprint(tabbed) != "[t00ab:parse_stuff@t00ab]" {
		t.Errorf("other tab's lanes %v; want its own lane t00ab:parse_stuff, marked data-tab", tabbed)
	}
	if got := lanes(h); got[len(got)-1] != "t00ab:parse_stuff" || kindsOf(h, "t00ab:parse_stuff")["fetch"] != 1 {
		t.Errorf("lanes %v: the other tab's lane comes last with its fetch", got)
	}
}

func TestTimelineThousandWorkersBounded(t *testing.T) {
	evs := crowdEvents(1000, 500)
	if len(evs) < 4000 {
		t.Fatalf("only %d events", len(evs))
	}
	h := renderTL(t, newTimeline().Events(evs).Groups([]workerGroup{{"crowd", 1000}, {"reader", 1}}))
	if got := fmt.Sprint(lanes(h)); got != "[crowd reader]" {
		t.Fatalf("lanes = %s", got)
	}
	if c := elems(h, "g", "data-count"); len(c) != 1 || c[0]["data-count"] != "1000" {
		t.Errorf("band %v; want data-count=1000", c)
	}
	n := strings.Count(h, "<")
	rects := len(elems(h, "rect", ""))
	t.Logf("1,000 workers, %d events: %d tags, %d rects", len(evs), n, rects)
	if rects > 20 || n > 400 {
		t.Errorf("%d rects, %d tags for one band and a lane; want a handful", rects, n)
	}

	// Distinct names, no replicas: lanes are capped, rects are capped.
	var many []stampede.Event
	for i := 0; i < 1000; i++ {
		w := fmt.Sprintf("w%d", i)
		for j := 0; j < 5; j++ {
			t0 := float64(i + j*10)
			many = append(many, at(t0, w, stampede.KindWorkStart, "", "", ""), at(t0+1, w, stampede.KindWorkDone, "", "", ""))
		}
	}
	m := layoutTimeline(numbered(many), nil, nil, 0, -1, false)
	if len(m.Lanes) != tlMaxLanes || m.Lost != 1000-tlMaxLanes || m.Rects > maxBars {
		t.Errorf("%d lanes (%d not drawn), %d rects; want %d lanes and at most %d rects", len(m.Lanes), m.Lost, m.Rects, tlMaxLanes, maxBars)
	}
	if live := layoutTimeline(numbered(many), nil, nil, 0, -1, true); live.Rects > maxBarsLive || live.Hidden == 0 {
		t.Errorf("live: %d rects, %d hidden; want at most %d while a run goes on", live.Rects, live.Hidden, maxBarsLive)
	}
	h = renderTL(t, newTimeline().Events(numbered(many)))
	if !strings.Contains(h, "lanes not drawn") {
		t.Error("the note does not say lanes were left out")
	}
	if c := strings.Count(h, "<rect"); c > maxBars+tlMaxLanes {
		t.Errorf("%d rects drawn; want at most %d", c, maxBars+tlMaxLanes)
	}
}

func TestTimelineOpenBarsAndEmpty(t *testing.T) {
	h := renderTL(t, newTimeline())
	if !strings.Contains(h, `id="timeline"`) || strings.Contains(h, "<svg") {
		t.Errorf("empty timeline: %s", h)
	}
	evs := seedEvents()[:8] // mid-run: parse_stuff holds the lock, fetching
	m := layoutTimeline(evs, seedGroups, nil, 0, -1, false)
	open := 0
	for _, l := range m.Lanes {
		for _, b := range l.Bars {
			if b.Open {
				open++
				if b.End != 200*time.Millisecond {
					t.Errorf("open %s bar ends at %v; want the last event's time", b.Kind, b.End)
				}
			}
		}
	}
	if open == 0 {
		t.Error("no open bars mid-run")
	}
}

func TestTimelineCursorAndTicks(t *testing.T) {
	h := renderTL(t, newTimeline().Events(seedEvents()).Cursor(210*time.Millisecond))
	c := elems(h, "line", "id")
	if len(c) != 1 || c[0]["id"] != "timeline-cursor" {
		t.Fatalf("cursor lines %v", c)
	}
	m := layoutTimeline(seedEvents(), nil, nil, 0, 210*time.Millisecond, false)
	if c[0]["x1"] != f1(m.x(210*time.Millisecond)) {
		t.Errorf("cursor at x=%s; want %s", c[0]["x1"], f1(m.x(210*time.Millisecond)))
	}
	for _, tt := range []struct {
		wall time.Duration
		want string
	}{
		{505 * time.Millisecond, "[0 ms 200 ms 400 ms]"},
		{3 * time.Millisecond, "[0 ms 1 ms 2 ms 3 ms]"},
		{12 * time.Second, "[0 ms 5000 ms 10000 ms]"},
	} {
		m := tlModel{Wall: tt.wall}
		var got []string
		for _, tk := range ticks(0, tt.wall, m.x) {
			got = append(got, tk.Label)
		}
		if fmt.Sprint(got) != tt.want {
			t.Errorf("ticks over %v = %v; want %s", tt.wall, got, tt.want)
		}
	}
}

// TestTimelineLiveAxis: while a run goes on the axis grows in 1-2-5
// steps, so a bar drawn once stays where it was as events come in.
func TestTimelineLiveAxis(t *testing.T) {
	for _, c := range []struct{ in, want time.Duration }{
		{0, time.Millisecond}, {time.Millisecond, time.Millisecond}, {1100 * time.Microsecond, 2 * time.Millisecond},
		{130 * time.Millisecond, 200 * time.Millisecond}, {201 * time.Millisecond, 500 * time.Millisecond}, {4 * time.Second, 5 * time.Second},
	} {
		if got := niceCeil(c.in); got != c.want {
			t.Errorf("niceCeil(%v) = %v; want %v", c.in, got, c.want)
		}
	}
	evs := seedEvents()
	first, all := layoutTimeline(evs[:9], seedGroups, nil, 0, -1, true), layoutTimeline(evs[:17], seedGroups, nil, 0, -1, true)
	if first.Wall != all.Wall || all.Wall != 500*time.Millisecond {
		t.Fatalf("axis %v, then %v; want 500ms for the seed run's 9th to 17th events", first.Wall, all.Wall)
	}
	if b0, b1 := first.Lanes[0].Bars[0], all.Lanes[0].Bars[0]; b0.X != b1.X || first.Lanes[0].Key != all.Lanes[0].Key {
		t.Errorf("the first bar moved from x=%v to x=%v as the run went on", b0.X, b1.X)
	}
	if done := layoutTimeline(evs, seedGroups, nil, 0, -1, false); done.Wall == all.Wall {
		t.Errorf("a finished run's axis is %v, as the live one; want the run's own end", done.Wall)
	}
}
