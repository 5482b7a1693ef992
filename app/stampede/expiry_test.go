package stampede

import (
	"context"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"
)

// Tests of expiry, steady load, swr and xfetch. They run in virtual time
// (testing/synctest): a sleep takes no time, time.Now moves only when
// every goroutine of the test waits, and the counts are exact.

// The expiry preset's numbers, with a fetch of 199 ms rather than 200 so
// that no arrival (every 2.5 ms) ties with a store or an expiry.
const (
	hotURL   = "data/hot.json"
	hotLine  = "readers x40 every 100ms for 6s: get " + hotURL
	hotFetch = 199 * time.Millisecond // added latency; the fake answers at once
	hotTTL   = 2 * time.Second
	hotRate  = 400.0 // requests a second
)

// seeded is a random source in (0, 1] for Config.Rand, safe for
// concurrent use.
func seeded(seed uint64) func() float64 {
	var mu sync.Mutex
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	return func() float64 {
		mu.Lock()
		defer mu.Unlock()
		return 1 - rng.Float64()
	}
}

// hotRun is one run of the hot line under s, on a cold store or on one
// holding an entry stored 1.5 s before the run (it expires 0.5 s in).
type hotRun struct {
	st     Stats
	events []Event
	f      *fakeFetcher
}

func runHot(t *testing.T, s Strategy, warm bool, o Options) hotRun {
	t.Helper()
	store := new(MemoryStore)
	if warm {
		_ = store.Put(context.Background(), hotURL, Response{URL: hotURL, Status: 200, FetchedBy: "earlier",
			StoredAt: time.Now().Add(-1500 * time.Millisecond), Delta: hotFetch})
	}
	f := &fakeFetcher{}
	log := NewLog(0)
	o.Strategy, o.Fetcher, o.Store, o.Log, o.CrossTab = s, f, store, log, new(keyedLocker)
	o.Latency, o.TTL = hotFetch, hotTTL
	st, err := Run(context.Background(), mustParse(t, hotLine), o)
	if err != nil {
		t.Fatal(err)
	}
	if log.Dropped() != 0 {
		t.Fatalf("the log dropped %d events", log.Dropped())
	}
	return hotRun{st, log.Since(0), f}
}

// bursts groups the fetch-starts into runs less than 1 s apart: one per
// cold start or expiry.
func bursts(events []Event) [][]Event {
	var out [][]Event
	var last time.Duration
	for _, e := range events {
		if e.Kind != KindFetchStart {
			continue
		}
		if len(out) == 0 || e.At-last > time.Second {
			out = append(out, nil)
		}
		out[len(out)-1] = append(out[len(out)-1], e)
		last = e.At
	}
	return out
}

func count(events []Event, keep func(Event) bool) int {
	n := 0
	for _, e := range events {
		if keep(e) {
			n++
		}
	}
	return n
}

// TestExpiryFetchesPerStrategy runs the expiry preset's line (40 readers,
// 400 requests a second for 6 s, ttl 2 s, a fetch of 199 ms) under every
// strategy, from a cold cache and from a warm one, and counts the fetches
// of each expiry: none and percall stampede (80 = 400/s × 199 ms each
// time), the locks fetch once while the callers behind them wait, swr
// fetches once in the background while nobody waits, and xfetch
// refreshes before expiry so that nobody finds the entry expired.
func TestExpiryFetchesPerStrategy(t *testing.T) {
	stampeders := map[Strategy]bool{None: true, PerCall: true}
	for _, warm := range []bool{false, true} {
		for _, s := range Strategies() {
			name := string(s) + "/cold"
			if warm {
				name = string(s) + "/warm"
			}
			t.Run(name, func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					h := runHot(t, s, warm, Options{Rand: seeded(1)})
					st, ev := h.st, h.events
					if st.Requests != 2400 || st.Errors != 0 || st.Hits+st.Shared+st.Errors+count(ev, isOwnFetchAnswer) != 2400 {
						t.Fatalf("%s: want 2400 requests, all answered, no errors", st)
					}
					if int64(st.Fetches) != h.f.total.Load() {
						t.Errorf("stats say %d fetches, the fetcher saw %d", st.Fetches, h.f.total.Load())
					}
					bs := bursts(ev)
					if s != XFetch && len(bs) != 3 {
						t.Fatalf("%d bursts of fetches, want 3 (the cold start or the first expiry, then two expiries): %s", len(bs), st)
					}
					expired := count(ev, func(e Event) bool { return e.Kind == KindExpired })
					switch {
					case stampeders[s]:
						for i, b := range bs {
							if len(b) != 80 {
								t.Errorf("burst %d: %d fetches; want 80 = 400/s × 199 ms", i, len(b))
							}
						}
						if expired != 80*len(bs)-80*btoi(!warm) {
							t.Errorf("%d callers found the entry expired; want 80 per expiry", expired)
						}
						if st.PeakFetches != 40 {
							t.Errorf("peak fetches %d; want 40 in 100 ms", st.PeakFetches)
						}
					case s == XFetch:
						// The cold start's fetch is a miss; every other fetch is an
						// early refresh, sent before the entry it replaces expires,
						// one at a time: a few in 6 s, about one per second here
						// (each about 0.9 s early, with a ttl of 2 s).
						var last time.Duration = -time.Hour
						for _, e := range ev {
							if e.Kind != KindFetchStart {
								continue
							}
							if e.At-last < hotFetch {
								t.Errorf("fetch-start at %v, %v after the one before; want one refresh at a time", e.At, e.At-last)
							}
							last = e.At
							if !warm && e == bs[0][0] {
								continue
							}
							if !e.Early || !e.Refresh || e.At >= e.ExpiresAt {
								t.Errorf("fetch-start at %v (expiry %v): early %v, refresh %v; want an early refresh before expiry", e.At, e.ExpiresAt, e.Early, e.Refresh)
							}
						}
						if st.Fetches < 3 || st.Fetches > 8 {
							t.Errorf("%d fetches; want a few", st.Fetches)
						}
						if expired != 0 || st.Stale != 0 {
							t.Errorf("%d callers found the entry expired, %d stale answers; want none", expired, st.Stale)
						}
					default: // the locks and swr: one fetch per expiry
						for i, b := range bs {
							if len(b) != 1 {
								t.Errorf("burst %d: %d fetches; want 1", i, len(b))
							}
						}
						if s != SWR && expired != len(bs)-btoi(!warm) {
							t.Errorf("%d callers found the entry expired; want the one per expiry that holds the lock", expired)
						}
						if st.PeakFetches != 1 {
							t.Errorf("peak fetches %d; want 1", st.PeakFetches)
						}
					}
					if want := st.Fetches - btoi(!warm)*len(bs[0]); st.Refreshes != want {
						t.Errorf("refreshes %d; want every fetch but the cold start's (%d)", st.Refreshes, want)
					}
					switch {
					case s == SWR:
						if st.Stale != 80*(len(bs)-btoi(!warm)) {
							t.Errorf("stale %d; want 80 per expiry (the callers during each 199 ms refresh)", st.Stale)
						}
					default:
						if st.Stale != 0 {
							t.Errorf("stale %d; want 0: only swr answers past expiry", st.Stale)
						}
					}
					// p99: the callers behind a lock wait up to a fetch; swr's
					// and xfetch's callers wait only on a cold cache.
					waits := !warm || (s != SWR && s != XFetch)
					if waits && (st.P99Ms < 130 || st.P99Ms > 200) {
						t.Errorf("p99 %v ms; want near the fetch time, 199 ms", st.P99Ms)
					}
					if !waits && st.P99Ms != 0 {
						t.Errorf("p99 %v ms; want 0 (in virtual time): nobody waits on a warm cache", st.P99Ms)
					}
					if st.P50Ms != 0 {
						t.Errorf("p50 %v ms; want 0: most answers come from memory", st.P50Ms)
					}
				})
			})
		}
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// isOwnFetchAnswer is a fetch-done answering its caller's get.
func isOwnFetchAnswer(e Event) bool { return e.Kind == KindFetchDone && e.Answer }

// TestSWRNobodyWaitsOnceWarm: once the cache holds the URL, every swr
// answer takes no time at all (virtual time), stale or fresh, and every
// fetch is a background refresh that answers nobody.
func TestSWRNobodyWaitsOnceWarm(t *testing.T) {
	for _, warm := range []bool{false, true} {
		synctest.Test(t, func(t *testing.T) {
			h := runHot(t, SWR, warm, Options{})
			var stored time.Duration = -1
			if warm {
				stored = 0
			}
			answers := 0
			for _, e := range h.events {
				switch {
				case e.Kind == KindFetchDone && e.Stored && stored < 0:
					stored = e.At // the cold start's fetch
				case e.Answer && stored >= 0 && e.At > stored:
					answers++
					if e.Took != 0 {
						t.Fatalf("warm=%v: %s answered after %v: want at once", warm, e, e.Took)
					}
				}
				if e.Kind == KindFetchStart && e.At > stored && stored >= 0 && !(e.Background && e.Refresh) {
					t.Errorf("warm=%v: %s: want every fetch once warm to be a background refresh", warm, e)
				}
			}
			if answers < 2300 {
				t.Errorf("warm=%v: only %d answers after the cache was warm", warm, answers)
			}
			if count(h.events, func(e Event) bool { return e.Background && e.Answer }) != 0 {
				t.Error("a background event answers a step")
			}
		})
	}
}

func TestEarlyRefreshRule(t *testing.T) {
	now := time.Unix(1000, 0)
	const ms = time.Millisecond
	for _, tt := range []struct {
		name  string
		gap   time.Duration // expiry − now
		delta time.Duration
		beta  float64
		u     float64
		want  bool
	}{
		{"u = 1 never refreshes before expiry", ms, 200 * ms, 1, 1, false},
		{"u = 1 at expiry", 0, 200 * ms, 1, 1, true},
		{"past expiry always", -ms, 200 * ms, 1, 1, true},
		{"ahead = delta at u = 1/e: gap 199ms", 199 * ms, 200 * ms, 1, 1 / math.E, true},
		{"ahead = delta at u = 1/e: gap 201ms", 201 * ms, 200 * ms, 1, 1 / math.E, false},
		{"beta doubles it: gap 399ms", 399 * ms, 200 * ms, 2, 1 / math.E, true},
		{"beta doubles it: gap 401ms", 401 * ms, 200 * ms, 2, 1 / math.E, false},
		{"ln(0.01) = -4.6: 0.9s ahead", 900 * ms, 200 * ms, 1, 0.01, true},
		{"ln(0.01) = -4.6: not 1s ahead", time.Second, 200 * ms, 1, 0.01, false},
		{"delta 0: only at expiry", ms, 0, 1, 1e-300, false},
		{"u = 0 is the smallest float: far ahead", time.Minute, 200 * ms, 1, 0, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := EarlyRefresh(now, now.Add(tt.gap), tt.delta, tt.beta, tt.u); got != tt.want {
				t.Errorf("EarlyRefresh(gap %v, delta %v, beta %v, u %v) = %v; want %v", tt.gap, tt.delta, tt.beta, tt.u, got, tt.want)
			}
		})
	}
}

// TestXFetchHowEarly: over many seeds, the first early refresh comes
// about delta·beta·ln(rate·delta·beta) before expiry (the paper's
// analysis; the mean is that plus Euler's γ·delta·beta). Each run starts
// with an entry that expires 2 s in and the hot line's 400 requests a
// second; the mean over the seeds must lie within 0.5× to 2× of the
// formula.
func TestXFetchHowEarly(t *testing.T) {
	seeds := 40
	if testing.Short() {
		seeds = 15
	}
	for _, beta := range []float64{0.5, 1} {
		var sum time.Duration
		for seed := range seeds {
			synctest.Test(t, func(t *testing.T) {
				store := new(MemoryStore)
				_ = store.Put(context.Background(), hotURL, Response{URL: hotURL, StoredAt: time.Now(), Delta: hotFetch})
				log := NewLog(0)
				_, err := Run(context.Background(), mustParse(t, "readers x40 every 100ms for 2s: get "+hotURL), Options{
					Strategy: XFetch, Fetcher: &fakeFetcher{}, Store: store, Log: log,
					Latency: hotFetch, TTL: hotTTL, Beta: beta, Rand: seeded(uint64(seed)),
				})
				if err != nil {
					t.Fatal(err)
				}
				for _, e := range log.Since(0) {
					if e.Kind == KindFetchStart {
						if !e.Early || e.ExpiresAt != hotTTL {
							t.Fatalf("seed %d: first fetch %s: want an early refresh of the entry expiring at 2s", seed, e)
						}
						sum += e.ExpiresAt - (e.At - e.AddedLatency) // when it was decided
						return
					}
				}
				t.Fatalf("seed %d: no early refresh in 2 s", seed)
			})
		}
		mean := sum / time.Duration(seeds)
		db := hotFetch.Seconds() * beta
		formula := time.Duration(db * math.Log(hotRate*db) * float64(time.Second))
		t.Logf("beta %v: first early refresh %v before expiry on average over %d seeds; delta·beta·ln(rate·delta·beta) = %v", beta, mean, seeds, formula)
		if mean < formula/2 || mean > 2*formula {
			t.Errorf("beta %v: mean %v before expiry; want within 0.5× to 2× of %v", beta, mean, formula)
		}
	}
}

// TestXFetchOneEarlyRefreshAtATime: with a random source that always
// says refresh, callers that find the URL's lock held keep the fresh
// value: one refresh at a time, never two fetches at once.
func TestXFetchOneEarlyRefreshAtATime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := runHot(t, XFetch, true, Options{Rand: func() float64 { return 1e-9 }})
		inFlight, peak := 0, 0
		for _, e := range h.events {
			switch e.Kind {
			case KindFetchStart:
				inFlight++
				peak = max(peak, inFlight)
			case KindFetchDone:
				inFlight--
			}
		}
		if peak != 1 {
			t.Errorf("%d fetches at once; want 1", peak)
		}
		// Every answer but the refreshers' own is at once.
		if n := count(h.events, func(e Event) bool { return e.Answer && e.Took > 0 }); n != h.st.Fetches {
			t.Errorf("%d answers waited, %d fetches; want only the refreshing callers to wait", n, h.st.Fetches)
		}
		if h.st.Fetches < 25 || h.st.Stale != 0 {
			t.Errorf("%s: want a refresh after another (about 6 s / 199 ms), none stale", h.st)
		}
	})
}

// TestStoredShortcutExpires: the run's own copy of what it stored is not
// answered once expired, under every strategy.
func TestStoredShortcutExpires(t *testing.T) {
	for _, s := range Strategies() {
		t.Run(string(s), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				rec := newRecorder()
				f := &fakeFetcher{delay: 10 * time.Millisecond}
				never := func() float64 { return 1 } // xfetch: no early refresh
				l, err := NewLoader(Config{Strategy: s, Fetcher: f, CrossTab: new(keyedLocker), Sink: rec.sink, TTL: time.Second, Rand: never})
				if err != nil {
					t.Fatal(err)
				}
				ctx := context.Background()
				r1, _ := l.Get(ctx, "w", "u")
				time.Sleep(999 * time.Millisecond)
				r2, _ := l.Get(ctx, "w", "u") // fresh for 1 ms more
				time.Sleep(time.Millisecond)
				r3, err := l.Get(ctx, "w", "u") // stored 1 s ago: expired
				l.Wait()
				if err != nil {
					t.Fatal(err)
				}
				want := 2
				if f.fetches("u") != want {
					t.Errorf("%d fetches; want %d: one, then one at expiry", f.fetches("u"), want)
				}
				if !r1.StoredAt.Equal(r2.StoredAt) || r1.Delta != 10*time.Millisecond {
					t.Errorf("stored at %v then %v, delta %v; want the same entry, delta 10ms", r1.StoredAt, r2.StoredAt, r1.Delta)
				}
				if s == SWR {
					if !r3.StoredAt.Equal(r1.StoredAt) || rec.count(KindCacheHit, "") != 2 {
						t.Errorf("swr answered %v; want the stale entry at once", r3.StoredAt)
					}
				} else if r3.StoredAt.Sub(r1.StoredAt) != time.Second+10*time.Millisecond {
					t.Errorf("third get stored at +%v; want a new entry 1.01 s later", r3.StoredAt.Sub(r1.StoredAt))
				}
				if rec.count(KindExpired, "u") != 1 {
					t.Errorf("%d expired events; want 1", rec.count(KindExpired, "u"))
				}
			})
		})
	}
}

// TestStoredAtFallback: an entry without StoredAt counts from FetchedAt;
// one with neither has an unknown age and is expired; nothing expires
// without a ttl.
func TestStoredAtFallback(t *testing.T) {
	now := time.Unix(5000, 0)
	for _, tt := range []struct {
		name    string
		r       Response
		ttl     time.Duration
		expired bool
	}{
		{"stored 1s ago, ttl 2s", Response{StoredAt: now.Add(-time.Second)}, 2 * time.Second, false},
		{"stored 2s ago, ttl 2s: expired at now", Response{StoredAt: now.Add(-2 * time.Second)}, 2 * time.Second, true},
		{"no StoredAt, fetched 1s ago", Response{FetchedAt: now.Add(-time.Second)}, 2 * time.Second, false},
		{"no StoredAt, fetched 3s ago", Response{FetchedAt: now.Add(-3 * time.Second)}, 2 * time.Second, true},
		{"StoredAt wins over FetchedAt", Response{FetchedAt: now.Add(-time.Hour), StoredAt: now}, time.Second, false},
		{"unknown age", Response{}, time.Hour, true},
		{"ttl 0: never", Response{}, 0, false},
	} {
		if got := tt.r.Expired(now, tt.ttl); got != tt.expired {
			t.Errorf("%s: Expired = %v; want %v", tt.name, got, tt.expired)
		}
	}
	if !(Response{StoredAt: now}).ExpiresAt(0).IsZero() {
		t.Error("ExpiresAt(0) is not the zero Time")
	}
	if got := (Response{StoredAt: now}).ExpiresAt(time.Second); !got.Equal(now.Add(time.Second)) {
		t.Errorf("ExpiresAt = %v", got)
	}
}

func TestExpiryOptionsRefused(t *testing.T) {
	f := &fakeFetcher{}
	for _, tt := range []struct {
		name string
		c    Config
		want string
	}{
		{"negative ttl", Config{TTL: -time.Second}, "ttl -1s is negative: want 0 (never expire) to 24h0m0s"},
		{"absurd ttl", Config{TTL: 25 * time.Hour}, "ttl 25h0m0s is over the limit of 24h0m0s"},
		{"negative beta", Config{Beta: -1}, "beta -1 is negative: want 0 < beta <= 100 (default 1)"},
		{"NaN beta", Config{Beta: math.NaN()}, "beta NaN is not a number"},
		{"infinite beta", Config{Beta: math.Inf(1)}, "beta +Inf is not a number"},
		{"absurd beta", Config{Beta: 101}, "beta 101 is over the limit of 100"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.c.Strategy, tt.c.Fetcher = XFetch, f
			if _, err := NewLoader(tt.c); err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("NewLoader: %v; want %q", err, tt.want)
			}
			o := Options{Strategy: XFetch, Fetcher: f, TTL: tt.c.TTL, Beta: tt.c.Beta}
			if _, err := Run(context.Background(), mustParse(t, "a: get u"), o); err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("Run: %v; want %q", err, tt.want)
			}
		})
	}
	for _, tt := range []struct {
		in, want string
		ttl      time.Duration
	}{
		{"", "", 0}, {"0", "", 0}, {" 2s ", "", 2 * time.Second},
		{"2", `bad ttl "2": want a Go duration like 2s (0 never expires)`, 0},
		{"-1s", "ttl -1s is negative", 0},
		{"48h", "ttl 48h0m0s is over the limit of 24h0m0s", 0},
	} {
		d, err := ParseTTL(tt.in)
		if (err == nil) != (tt.want == "") || (err != nil && !strings.HasPrefix(err.Error(), tt.want)) || (err == nil && d != tt.ttl) {
			t.Errorf("ParseTTL(%q) = %v, %v; want %v, %q", tt.in, d, err, tt.ttl, tt.want)
		}
	}
	for _, tt := range []struct {
		in, want string
		beta     float64
	}{
		{"", "", 1}, {"0", "", 1}, {"0.5", "", 0.5}, {"100", "", 100},
		{"lots", `bad beta "lots": want a number like 1 or 0.5`, 0},
		{"-0.1", "beta -0.1 is negative", 0},
		{"NaN", "beta NaN is not a number", 0},
		{"1e9", "beta 1e+09 is over the limit of 100", 0},
	} {
		b, err := ParseBeta(tt.in)
		if (err == nil) != (tt.want == "") || (err != nil && !strings.HasPrefix(err.Error(), tt.want)) || (err == nil && b != tt.beta) {
			t.Errorf("ParseBeta(%q) = %v, %v; want %v, %q", tt.in, b, err, tt.beta, tt.want)
		}
	}
}

// TestSWRBackgroundCancelled: a background refresh stuck on the network
// ends with the run's context; Run waits for it and leaves no goroutine.
// The refresh's error is a background event, not a failed request.
func TestSWRBackgroundCancelled(t *testing.T) {
	defer goleak.VerifyNone(t)
	store := new(MemoryStore)
	_ = store.Put(context.Background(), "u", Response{URL: "u", StoredAt: time.Now().Add(-time.Hour)})
	gate := make(chan struct{}) // never opened
	f := &fakeFetcher{gate: map[string]chan struct{}{"u": gate}}
	log := NewLog(0)
	wake, unsubscribe := log.Subscribe()
	defer unsubscribe()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan Stats, 1)
	go func() {
		st, _ := Run(ctx, mustParse(t, "w x5: get u"), Options{Strategy: SWR, Fetcher: f, Store: store, Log: log, TTL: time.Second})
		done <- st
	}()
	deadline := time.After(10 * time.Second)
	for f.total.Load() == 0 || log.Stats().Stale < 5 {
		select {
		case <-wake:
		case <-time.After(5 * time.Millisecond):
		case <-deadline:
			t.Fatal("the stale answers and the background fetch never came")
		}
	}
	select {
	case <-done:
		t.Fatal("Run returned before its background refresh ended")
	case <-time.After(20 * time.Millisecond):
	}
	cancel()
	var st Stats
	select {
	case st = <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after the cancel")
	}
	if st.Errors != 0 || st.Stale != 5 || st.Fetches != 1 || st.P99Ms > 5 {
		t.Errorf("%s: want 5 stale answers at once, 1 fetch, no failed request", st)
	}
	var bgErr bool
	for _, e := range log.Since(0) {
		if e.Kind == KindError {
			bgErr = e.Background && !e.Answer
		}
	}
	if !bgErr {
		t.Error("no background error event for the cancelled refresh")
	}
}

// TestSteadyLoadSchedule: each replica of a steady line starts at
// i·period/N and then once per period, on schedule even when its
// previous repetition is still waiting (open-model arrivals).
func TestSteadyLoadSchedule(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sc := mustParse(t, "r x4 every 100ms for 1s: get u\nonce_only: work 1ms")
		if sc.Requests() != 40 || sc.Span() != time.Second || sc.Workers[0].Offset(3) != 75*time.Millisecond {
			t.Fatalf("requests %d, span %v, offset %v; want 40, 1s, 75ms", sc.Requests(), sc.Span(), sc.Workers[0].Offset(3))
		}
		log := NewLog(0)
		// Under lock, with a fetch of 250 ms and expiry every 100 ms, the
		// answers lag far behind the period: the arrivals must not.
		f := &fakeFetcher{delay: 250 * time.Millisecond}
		st, err := Run(context.Background(), sc, Options{Strategy: Lock, Fetcher: f, Log: log, TTL: 100 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		if st.Requests != 40 || st.Workers != 5 {
			t.Errorf("%s: want 40 requests by 5 workers", st)
		}
		seen := map[string]bool{}
		for _, e := range log.Since(0) {
			if e.Kind != KindRequest {
				continue
			}
			var i int
			switch e.Worker {
			case "r#1", "r#2", "r#3", "r#4":
				i = int(e.Worker[2] - '1')
			default:
				t.Fatalf("request by %s", e.Worker)
			}
			want := time.Duration(i)*25*time.Millisecond + time.Duration(e.Rep-1)*100*time.Millisecond
			if e.Rep < 1 || e.Rep > 10 || e.At != want {
				t.Errorf("%s rep %d asked at %v; want %v", e.Worker, e.Rep, e.At, want)
			}
			key := e.Worker + "/" + string(rune('0'+e.Rep))
			if seen[key] {
				t.Errorf("%s rep %d asked twice", e.Worker, e.Rep)
			}
			seen[key] = true
		}
		dones := count(log.Since(0), func(e Event) bool { return e.Kind == KindDone })
		if dones != 5 {
			t.Errorf("%d done events; want one per worker", dones)
		}
		var slowest time.Duration
		for _, e := range log.Since(0) {
			if e.Answer {
				slowest = max(slowest, e.Took)
			}
		}
		if slowest <= 100*time.Millisecond {
			t.Errorf("slowest answer %v; want one slower than the period, so that repetitions overlapped", slowest)
		}
	})
	w := Worker{Count: 3, Every: 100 * time.Millisecond, For: 250 * time.Millisecond, Steps: []Step{{Kind: StepGet}, {Kind: StepWork}, {Kind: StepFetch}}}
	// Replicas start at 0, 33.3 and 66.6 ms: 3, 3 and 2 starts before 250 ms.
	if w.Repetitions(0) != 3 || w.Repetitions(1) != 3 || w.Repetitions(2) != 2 || w.Requests() != 16 {
		t.Errorf("repetitions %d, %d, %d, requests %d; want 3, 3, 2 and 16", w.Repetitions(0), w.Repetitions(1), w.Repetitions(2), w.Requests())
	}
}

// TestSteadyLoadCancel: a cancelled steady run stops starting
// repetitions, ends promptly and leaves no goroutine.
func TestSteadyLoadCancel(t *testing.T) {
	defer goleak.VerifyNone(t)
	for _, s := range Strategies() {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		start := time.Now()
		st, err := Run(ctx, mustParse(t, "r x20 every 5ms for 20s: get u; work 1ms"), Options{
			Strategy: s, Fetcher: &fakeFetcher{delay: 3 * time.Millisecond}, CrossTab: new(keyedLocker), TTL: 2 * time.Millisecond})
		cancel()
		if err == nil || time.Since(start) > 5*time.Second {
			t.Errorf("%s: Run = %v after %v; want the deadline, promptly", s, err, time.Since(start))
		}
		if st.Requests == 0 || st.Requests > 5000 {
			t.Errorf("%s: %d requests in 100 ms", s, st.Requests)
		}
	}
}

func TestLatencies(t *testing.T) {
	var h latencies
	if h.quantile(0.99) != 0 {
		t.Error("empty quantile")
	}
	for range 98 {
		h.add(0)
	}
	h.add(200 * time.Millisecond)
	h.add(200 * time.Millisecond)
	if p99 := h.quantile(0.99); h.quantile(0.5) != 0 || h.quantile(0.98) != 0 || p99 < 190*time.Millisecond || p99 > 200*time.Millisecond {
		t.Errorf("quantiles %v, %v, %v; want 0, 0, 200ms within 5%% and no more than the largest", h.quantile(0.5), h.quantile(0.98), p99)
	}
	var same latencies
	for range 10 {
		same.add(200 * time.Millisecond)
	}
	if same.quantile(0.5) != 200*time.Millisecond {
		t.Errorf("median of ten 200ms = %v; want exactly 200ms", same.quantile(0.5))
	}
	// Within ±5% for values spread over the range.
	for _, d := range []time.Duration{1500 * time.Nanosecond, 37 * time.Microsecond, 3 * time.Millisecond, 199 * time.Millisecond, 7 * time.Second, 59 * time.Second} {
		var one latencies
		one.add(time.Nanosecond)
		one.add(d)
		one.add(time.Hour)
		got := one.quantile(0.5)
		if r := float64(got) / float64(d); r < 0.95 || r > 1.05 {
			t.Errorf("median of 1ns, %v, 1h = %v; want within 5%%", d, got)
		}
	}
}

func TestPeakFetches(t *testing.T) {
	var s Stats
	at := func(ms ...float64) {
		for _, m := range ms {
			s.Add(Event{Kind: KindFetchStart, At: time.Duration(m * float64(time.Millisecond))})
		}
	}
	at(0, 10, 50, 99.9) // 4 within [0, 100)
	at(100)             // the window (0, 100] drops 0: still 4
	if s.PeakFetches != 4 {
		t.Errorf("peak %d; want 4", s.PeakFetches)
	}
	at(500, 501, 502, 503, 504, 580) // 6 in a later window
	at(490)                          // late, but inside the window (480, 580]: counts
	at(470)                          // too late for the window: not counted in it
	if s.PeakFetches != 7 {
		t.Errorf("peak %d; want 7", s.PeakFetches)
	}
	at(5000) // a jump clears the window
	if s.Fetches != 14 || s.PeakFetches != 7 {
		t.Errorf("fetches %d, peak %d; want 14, 7", s.Fetches, s.PeakFetches)
	}
}

// TestStatsFromTypedFields: the new counters come from the events'
// typed fields, each once.
func TestStatsFromTypedFields(t *testing.T) {
	var s Stats
	ms := time.Millisecond
	for _, e := range []Event{
		{Kind: KindCacheHit, Answer: true, Stale: true},
		{Kind: KindCacheHit, Answer: true, Took: 0},
		{Kind: KindFetchStart, Refresh: true, Background: true},
		{Kind: KindFetchDone, Refresh: true, Stored: true, Background: true},
		{Kind: KindFetchDone, Refresh: true, Stored: false, Answer: true, Took: 100 * ms}, // a failed Put replaced nothing
		{Kind: KindFetchDone, Answer: true, NoCache: true, Took: 900 * ms},                // a fetch step: not a get's time
		{Kind: KindError, Background: true},
		{Kind: KindError, Answer: true, Took: 50 * ms},
		{Kind: KindExpired},
	} {
		s.Add(e)
	}
	if s.Stale != 1 || s.Refreshes != 1 || s.Errors != 1 || s.Hits != 2 || s.Fetches != 1 {
		t.Errorf("%s: want stale 1, refreshes 1, errors 1, hits 2, fetches 1", s)
	}
	// Get answers' times: 0, 0, 100ms, 50ms.
	if s.P50Ms != 0 || math.Abs(s.P99Ms-100) > 5 {
		t.Errorf("p50 %v, p99 %v; want 0 and about 100", s.P50Ms, s.P99Ms)
	}
}
