//go:build !(js && wasm)

package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/stampede-playground/stampede/wasm/devserver"
)

// cacheHit times cached gets through wasm/idbstore (wasm/internal/bench/idbhit)
// against raw IndexedDB gets written in JavaScript, in the same page.
func (b *bench) cacheHit() error {
	// Cross-origin isolation gives performance.now() 5 µs resolution
	// instead of 100 µs, finer than one get.
	files := devserver.New(b.idbhitDir)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cross-Origin-Opener-Policy", "same-origin")
		w.Header().Set("Cross-Origin-Embedder-Policy", "require-corp")
		files.ServeHTTP(w, r)
	}))
	defer srv.Close()
	br, err := newBrowser(b.tmp)
	if err != nil {
		return err
	}
	defer br.cancel()
	ctx, cancel := context.WithTimeout(br.ctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/index.html")); err != nil {
		return err
	}
	if _, err := poll[bool](br, 60*time.Second, `window.goReady === true`); err != nil {
		return fmt.Errorf("idbhit.wasm did not start: %w", err)
	}
	if iso, err := eval[bool](br, 5*time.Second, `self.crossOriginIsolated === true`); err != nil || !iso {
		return fmt.Errorf("the page is not cross-origin isolated (%v): timings would be clamped to 100 µs", err)
	}
	const n, size = 500, 1024
	var goS, rawS []float64
	// Two rounds each, alternating, so that a noisy moment hits both.
	for round := range 2 {
		progress("  [hit round %d/2] %d gets on raw IndexedDB, then %d through idbstore", round+1, n, n)
		r, err := eval[[]float64](br, 60*time.Second, fmt.Sprintf(`rawBench(%d, %d)`, n, size))
		if err != nil {
			return fmt.Errorf("raw IndexedDB: %w", err)
		}
		rawS = append(rawS, r...)
		g, err := eval[[]float64](br, 60*time.Second, fmt.Sprintf(`goBench(%d, %d)`, n, size))
		if err != nil {
			return fmt.Errorf("idbstore: %w", err)
		}
		goS = append(goS, g...)
	}
	for _, p := range []float64{50, 99} {
		o, r := percentile(goS, p), percentile(rawS, p)
		b.rep.add(fmt.Sprintf("cache hit p%.0f, idbstore vs raw IndexedDB", p), fmt.Sprintf("%.3f ms", o), fmt.Sprintf("%.3f ms", r), ratio(o, r), "≤ 2×", ptr(o <= 2*r))
		if p == 99 {
			b.record("hit p99", ratio(o, r))
		}
	}
	b.rep.notes = append(b.rep.notes, fmt.Sprintf(
		"Cache hit: %d timed gets (after 20 warm-up gets) per round, two rounds each, of one %d-byte entry: idbstore.Store.Get from Go (wasm/internal/bench/idbhit, built with the same flags) against a readonly transaction's get on raw IndexedDB in JavaScript, in the same page, each with performance.now() around one get (the page is cross-origin isolated, so its resolution is 5 µs).",
		n, size))
	return nil
}
