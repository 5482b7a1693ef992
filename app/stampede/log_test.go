package stampede

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestLogRing(t *testing.T) {
	l := NewLog(3)
	kinds := []Kind{KindRequest, KindFetchStart, KindFetchDone, KindRequest, KindCacheHit}
	for i, k := range kinds {
		l.Append(Event{Worker: fmt.Sprint("w", i), Kind: k, At: time.Duration(i) * time.Millisecond})
	}
	if l.Len() != 5 || l.Dropped() != 2 {
		t.Errorf("Len, Dropped = %d, %d; want 5, 2", l.Len(), l.Dropped())
	}
	got := l.Since(0)
	if len(got) != 3 || got[0].Seq != 3 || got[2].Seq != 5 || got[2].Worker != "w4" {
		t.Errorf("Since(0) = %+v, want seqs 3..5", got)
	}
	if got := l.Since(4); len(got) != 1 || got[0].Seq != 5 {
		t.Errorf("Since(4) = %+v", got)
	}
	if got := l.Since(5); len(got) != 0 {
		t.Errorf("Since(5) = %+v, want none", got)
	}
	// Stats count dropped events too, once each.
	st := l.Stats()
	if st.Requests != 2 || st.Fetches != 1 || st.Hits != 1 || st.Deduped != 1 || st.Events != 5 {
		t.Errorf("stats = %+v", st)
	}
}

func TestLogBoundedUnderLoad(t *testing.T) {
	l := NewLog(1000)
	var wg sync.WaitGroup
	for w := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 10000 {
				l.Append(Event{Worker: fmt.Sprint("w", w), Kind: KindRequest})
			}
		}()
	}
	wg.Wait()
	if got := len(l.Since(0)); got != 1000 {
		t.Errorf("ring holds %d, want 1000", got)
	}
	if l.Dropped() != 99000 || l.Stats().Requests != 100000 {
		t.Errorf("dropped %d, requests %d", l.Dropped(), l.Stats().Requests)
	}
}

func TestLogSubscribeCoalesces(t *testing.T) {
	l := NewLog(10)
	wake, cancel := l.Subscribe()
	for range 5 {
		l.Append(Event{Kind: KindRequest})
	}
	select {
	case <-wake:
	default:
		t.Fatal("no wake-up after appends")
	}
	select {
	case <-wake:
		t.Fatal("wake-ups did not coalesce")
	default:
	}
	cancel()
	l.Append(Event{Kind: KindRequest})
	select {
	case <-wake:
		t.Fatal("wake-up after cancel")
	default:
	}
}

func TestMaxWait(t *testing.T) {
	l := NewLog(10)
	l.Append(Event{Worker: "a", Kind: KindLockWait, At: 10 * time.Millisecond})
	l.Append(Event{Worker: "b", Kind: KindLockWait, At: 12 * time.Millisecond})
	l.Append(Event{Worker: "a", Kind: KindLockAcquired, At: 15 * time.Millisecond})
	l.Append(Event{Worker: "b", Kind: KindShared, At: 52 * time.Millisecond})
	if got := l.Stats().MaxWaitMs; got != 40 {
		t.Errorf("MaxWaitMs = %v, want 40", got)
	}
}

func TestEventJSON(t *testing.T) {
	e := Event{Seq: 7, At: 1500 * time.Microsecond, Worker: "crowd#3", Target: "data/x.json", Kind: KindShared, By: "crowd#1"}
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"atMs":1.5,"seq":7,"worker":"crowd#3","target":"data/x.json","kind":"shared","by":"crowd#1"}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
	if e.Group() != "crowd" || GroupOf("a#b#2") != "a#b" || GroupOf("#1") != "#1" {
		t.Error("GroupOf")
	}
	for _, k := range Kinds() {
		k2, err := ParseKind(k.String())
		if err != nil || k2 != k {
			t.Errorf("ParseKind(%v) = %v, %v", k, k2, err)
		}
	}
	if !strings.Contains(e.String(), "(by crowd#1)") {
		t.Errorf("String() = %q", e.String())
	}
}

// TestEventJSONExpiryFields: the typed facts of expiry cross tabs as
// JSON, and an event without them looks as before.
func TestEventJSONExpiryFields(t *testing.T) {
	e := Event{Seq: 9, At: 2 * time.Second, Worker: "readers#3", Target: "data/hot.json", Kind: KindCacheHit, Rep: 21,
		Answer: true, Took: 1500 * time.Microsecond, Stale: true, ExpiresAt: 1990 * time.Millisecond}
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"atMs":2000,"seq":9,"worker":"readers#3","target":"data/hot.json","kind":"cache-hit","rep":21,"answer":true,"tookNs":1500000,"stale":true,"expiresAtNs":1990000000}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
	var back Event
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	back.At = e.At // atMs is for people; At does not travel
	if back != e {
		t.Errorf("round trip: %+v\nwant %+v", back, e)
	}
	f := Event{Kind: KindFetchStart, Background: true, Refresh: true, Early: true, NoCache: true}
	if b, _ := json.Marshal(f); !strings.Contains(string(b), `"noCache":true,"background":true,"refresh":true,"early":true`) {
		t.Errorf("fetch-start JSON %s", b)
	}
	if k, err := ParseKind("expired"); err != nil || k != KindExpired || KindExpired.String() != "expired" || KindDone.String() != "done" {
		t.Errorf("ParseKind(expired) = %v, %v", k, err)
	}
	r, _ := json.Marshal(Response{URL: "u", StoredAt: time.Unix(0, 0).UTC(), Delta: time.Millisecond})
	if !strings.Contains(string(r), `"storedAt":"1970-01-01T00:00:00Z","deltaNs":1000000`) {
		t.Errorf("response JSON %s", r)
	}
	if r, _ := json.Marshal(Response{URL: "u"}); strings.Contains(string(r), "storedAt") || strings.Contains(string(r), "deltaNs") {
		t.Errorf("a response never stored has %s", r)
	}
}
