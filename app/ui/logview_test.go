package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/stampede-playground/stampede/app/stampede"
)

func ev(seq int, worker string, k stampede.Kind, by string) stampede.Event {
	return stampede.Event{Seq: seq, At: time.Duration(seq) * time.Millisecond, Worker: worker, Target: "data/stuff.json", Kind: k, By: by}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		e         stampede.Event
		class     string
		badge     string
		by        string
		dedupLike bool
	}{
		{ev(1, "a", stampede.KindRequest, ""), "", "", "", false},
		{ev(1, "a", stampede.KindCacheHit, "b"), "dedup", "deduped", "b", true},
		{ev(1, "a", stampede.KindShared, "b"), "dedup", "deduped", "b", true},
		{ev(1, "a", stampede.KindOnceDone, "b"), "dedup", "deduped", "b", true},
		{ev(1, "a", stampede.KindOnceDone, "a"), "", "", "", false}, // ran it itself
		{ev(1, "a", stampede.KindFetchStart, ""), "net", "network", "", false},
		{ev(1, "a", stampede.KindFetchDone, ""), "net", "network", "", false},
		{ev(1, "a", stampede.KindError, ""), "err", "error", "", false},
		{ev(1, "a", stampede.KindLockWait, ""), "lock", "", "", false},
		{ev(1, "a", stampede.KindLockReleased, ""), "lock", "", "", false},
		{ev(1, "a", stampede.KindWorkStart, ""), "", "", "", false},
	}
	for _, tt := range tests {
		l := lineOf(tt.e)
		if l.Class != tt.class || l.Badge != tt.badge || l.By != tt.by {
			t.Errorf("%s by %q: class, badge, by = %q, %q, %q; want %q, %q, %q",
				tt.e.Kind, tt.e.By, l.Class, l.Badge, l.By, tt.class, tt.badge, tt.by)
		}
		if (l.Class == classDedup) != tt.dedupLike {
			t.Errorf("%s: dedup = %v", tt.e.Kind, l.Class == classDedup)
		}
	}
	if l := lineOf(stampede.Event{At: 1234567 * time.Microsecond, Kind: stampede.KindFetchDone}); l.AtMs != "1234.6" {
		t.Errorf("AtMs = %q; want 1234.6", l.AtMs)
	}
}

func TestFilter(t *testing.T) {
	events := []stampede.Event{
		ev(1, "parse_stuff", stampede.KindRequest, ""),
		ev(2, "crowd#1", stampede.KindFetchStart, ""),
		ev(3, "crowd#12", stampede.KindCacheHit, "crowd#1"),
		ev(4, "crowd#2", stampede.KindShared, "crowd#1"),
		ev(5, "crowd#3", stampede.KindError, ""),
		ev(6, "crowdy", stampede.KindCacheHit, "crowd#1"),
		ev(7, "parse_stuff", stampede.KindLockWait, ""),
	}
	tests := []struct {
		f    filter
		want []int
	}{
		{filter{}, []int{1, 2, 3, 4, 5, 6, 7}},
		{filter{Group: "crowd"}, []int{2, 3, 4, 5}},
		{filter{Group: "crowdy"}, []int{6}},
		{filter{Kind: "dedup"}, []int{3, 4, 6}},
		{filter{Kind: "net"}, []int{2}},
		{filter{Kind: "err"}, []int{5}},
		{filter{Kind: "lock"}, []int{7}},
		{filter{Kind: "cache-hit"}, []int{3, 6}},
		{filter{Group: "crowd", Kind: "dedup"}, []int{3, 4}},
		{filter{Group: "nobody"}, nil},
	}
	for _, tt := range tests {
		lines, matched := buildView(events, tt.f, MaxLines)
		var got []int
		for _, l := range lines {
			got = append(got, l.Seq)
		}
		if fmt.Sprint(got) != fmt.Sprint(tt.want) || matched != len(tt.want) {
			t.Errorf("%+v: lines %v, matched %d; want %v", tt.f, got, matched, tt.want)
		}
	}
}

func TestBuildViewBounded(t *testing.T) {
	var events []stampede.Event
	for i := 1; i <= 3000; i++ {
		k := stampede.KindRequest
		if i%2 == 0 {
			k = stampede.KindCacheHit
		}
		events = append(events, ev(i, fmt.Sprintf("crowd#%d", i), k, "crowd#1"))
	}
	lines, matched := buildView(events, filter{}, MaxLines)
	if len(lines) != MaxLines || matched != 3000 || lines[0].Seq != 2501 || lines[MaxLines-1].Seq != 3000 {
		t.Fatalf("got %d lines %d..%d, matched %d; want the newest 500, oldest first", len(lines), lines[0].Seq, lines[len(lines)-1].Seq, matched)
	}
	lines, matched = buildView(events, filter{Kind: "dedup"}, MaxLines)
	if len(lines) != MaxLines || matched != 1500 || lines[0].Seq != 2002 {
		t.Fatalf("dedup: %d lines from %d, matched %d", len(lines), lines[0].Seq, matched)
	}
	if got := viewNote(500, 3000, 50000, 40000, false); got != "showing last 500 of 50000 events (40000 dropped)" {
		t.Errorf("note = %q", got)
	}
	if got := viewNote(500, 1500, 50000, 40000, true); got != "showing last 500 of 1500 matching events (50000 events in all, 40000 dropped)" {
		t.Errorf("filtered note = %q", got)
	}
	if got := viewNote(0, 0, 0, 0, false); !strings.Contains(got, "no events") {
		t.Errorf("empty note = %q", got)
	}
}

func TestAppendBounded(t *testing.T) {
	var all []stampede.Event
	for i := 1; i <= 25; i++ {
		all = appendBounded(all, []stampede.Event{ev(i, "a", stampede.KindRequest, "")}, 10)
	}
	if len(all) != 10 || all[0].Seq != 16 || all[9].Seq != 25 {
		t.Fatalf("kept %d events from %d; want 10 from 16", len(all), all[0].Seq)
	}
	// A view may still hold an earlier result: later appends leave it be,
	// and the array does not grow without bound.
	held := all
	for i := 26; i <= 1000; i++ {
		all = appendBounded(all, []stampede.Event{ev(i, "a", stampede.KindRequest, "")}, 10)
		if cap(all) > 40 {
			t.Fatalf("capacity %d after %d events; want it bounded near twice the 10 kept", cap(all), i)
		}
	}
	if held[0].Seq != 16 || held[9].Seq != 25 || all[0].Seq != 991 {
		t.Errorf("held %d…%d, now %d…; want the held result unchanged and the newest 10 kept", held[0].Seq, held[9].Seq, all[0].Seq)
	}
}

func TestFollowBatches(t *testing.T) {
	log := stampede.NewLog(100)
	done := make(chan struct{})
	var batches []batch
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		follow(log, done, 20*time.Millisecond, func(b batch) { batches = append(batches, b) })
	}()
	for i := 0; i < 1000; i++ {
		log.Append(stampede.Event{Worker: "w", Kind: stampede.KindRequest})
		if i%250 == 0 {
			time.Sleep(5 * time.Millisecond)
		}
	}
	time.Sleep(30 * time.Millisecond)
	close(done)
	<-finished
	if len(batches) == 0 || len(batches) > 20 {
		t.Fatalf("%d batches for 1000 events; want a few", len(batches))
	}
	last := batches[len(batches)-1]
	if last.Total != 1000 || last.Dropped != 900 || last.Stats.Requests != 1000 {
		t.Errorf("last batch: total %d, dropped %d, requests %d; want 1000, 900, 1000", last.Total, last.Dropped, last.Stats.Requests)
	}
	seen := 0
	prev := 0
	for _, b := range batches {
		for _, e := range b.Events {
			if e.Seq <= prev {
				t.Fatalf("event %d after %d: batches overlap", e.Seq, prev)
			}
			prev = e.Seq
			seen++
		}
	}
	if prev != 1000 || seen < 100 {
		t.Errorf("saw %d events up to %d; want the newest through 1000", seen, prev)
	}
}

func TestLogListRender(t *testing.T) {
	l := newLogList().Lines([]logLine{
		lineOf(ev(1, "use_stuff", stampede.KindCacheHit, "parse_stuff")),
		lineOf(ev(2, "parse_stuff", stampede.KindFetchStart, "")),
	})
	d := app.NewClientTester(l)
	defer d.Close()
	for _, tt := range []app.TestUIDescriptor{
		{Path: app.TestPath(0), Expected: app.Elem("ol").Class("lines")},
		{Path: app.TestPath(0, 0), Expected: app.Elem("li").Class("line", "dedup")},
		{Path: app.TestPath(0, 0, 1, 0), Expected: app.Text("use_stuff")},
		{Path: app.TestPath(0, 0, 2, 0), Expected: app.Text("cache-hit")},
		{Path: app.TestPath(0, 0, 4, 0), Expected: app.Text("by parse_stuff")},
		{Path: app.TestPath(0, 0, 5), Expected: app.Elem("span").Class("badge")},
		{Path: app.TestPath(0, 0, 5, 0), Expected: app.Text("deduped")},
		{Path: app.TestPath(0, 1), Expected: app.Elem("li").Class("line", "net")},
		{Path: app.TestPath(0, 1, 4, 0), Expected: app.Text("network")},
	} {
		if err := app.TestMatch(l, tt); err != nil {
			t.Errorf("path %v: %v", tt.Path, err)
		}
	}
}
