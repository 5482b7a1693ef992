package stampede

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sync/atomic"
	"testing"
	"time"
)

// TestMeasureExpiryPreset runs the expiry preset in real time under
// every strategy, from a cold cache and from a warm one whose entry
// expires 0.5 s in, against a local origin that counts the requests it
// serves, and prints a table. It takes about 100 s, so it runs only when
// asked:
//
//	STAMPEDE_MEASURE=1 go test -v -run TestMeasureExpiryPreset ./app/stampede
func TestMeasureExpiryPreset(t *testing.T) {
	if os.Getenv("STAMPEDE_MEASURE") == "" {
		t.Skip("set STAMPEDE_MEASURE=1 to measure the expiry preset in real time (about 100 s)")
	}
	var served atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"name":"hot"}`)
	}))
	defer srv.Close()
	fetcher := FetcherFunc(func(ctx context.Context, url string) (Response, error) {
		req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/"+url, nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return Response{}, err
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		return Response{Status: res.StatusCode, ContentType: res.Header.Get("Content-Type"), Body: b}, err
	})
	p, _ := LookupPreset("expiry")
	sc, _ := Parse(p.Text)
	fmt.Printf("%-13s %-5s %7s %7s %9s %6s %6s %8s %8s %5s  %s\n", "strategy", "cache", "origin", "fetches", "refreshes", "stale", "peak", "p50Ms", "p99Ms", "errs", "fetch-starts (s)")
	for _, warm := range []bool{false, true} {
		for _, s := range Strategies() {
			store := new(MemoryStore)
			if warm {
				_ = store.Put(context.Background(), "data/hot.json", Response{URL: "data/hot.json", Status: 200, StoredAt: time.Now().Add(-1500 * time.Millisecond), Delta: 200 * time.Millisecond})
			}
			served.Store(0)
			log := NewLog(0)
			st, err := Run(context.Background(), sc, Options{Strategy: s, Fetcher: fetcher, Store: store, CrossTab: new(keyedLocker), Log: log, Latency: p.Latency, TTL: p.TTL})
			if err != nil {
				t.Fatal(err)
			}
			starts := ""
			early := 0
			for _, e := range log.Since(0) {
				if e.Kind == KindFetchStart {
					if s != None && s != PerCall {
						starts += fmt.Sprintf("%.2f ", e.At.Seconds())
					}
					if e.Early && e.At < e.ExpiresAt {
						early++
					}
				}
			}
			if s == XFetch {
				starts += fmt.Sprintf("(early, before expiry: %d)", early)
			}
			c := "cold"
			if warm {
				c = "warm"
			}
			fmt.Printf("%-13s %-5s %7d %7d %9d %6d %6d %8.2f %8.2f %5d  %s\n", s, c, served.Load(), st.Fetches, st.Refreshes, st.Stale, st.PeakFetches, st.P50Ms, st.P99Ms, st.Errors, starts)
		}
	}
}
