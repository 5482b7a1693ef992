//go:build !(js && wasm)

package main

import (
	"cmp"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/stampede-playground/stampede/wasm/devserver"
)

// latency is the dedup origin's fixed answer time.
const latency = 100 * time.Millisecond

// runs measures dedup efficiency and responsiveness in one page.
func (b *bench) runs(appURL, origin string, srv *devserver.Server) error {
	br, err := b.openApp(appURL)
	if err != nil {
		return err
	}
	defer br.cancel()
	if want("dedup") {
		if err := b.dedup(br, origin, srv); err != nil {
			return err
		}
	}
	if want("long") {
		return b.longTasks(br, origin, srv)
	}
	return nil
}

func serverFetches(srv *devserver.Server) int {
	n := 0
	for p, c := range srv.Counts() {
		if strings.Contains(p, "/slow/") {
			n += c
		}
	}
	return n
}

func (b *bench) dedup(br *browser, origin string, srv *devserver.Server) error {
	workersList, urlsList := []int{20, 200, 2000}, []int{1, 10, 100}
	if *quick {
		workersList, urlsList = []int{20}, []int{1, 10}
	}
	var sb strings.Builder
	sb.WriteString("| strategy | workers | URLs | fetches (page) | fetches (server) | target | wall | ideal | wall / ideal | target | met? |\n")
	sb.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|\n")
	cells, met, total := 0, 0, 3*len(workersList)*len(urlsList)
	worst := map[string]float64{}
	strategies := []string{"lock", "keyed", "singleflight"}
	if *cell != "" {
		var s string
		var w, u int
		if _, err := fmt.Sscanf(strings.ReplaceAll(*cell, ",", " "), "%s %d %d", &s, &w, &u); err != nil {
			return fmt.Errorf("-cell %q: want strategy,workers,urls: %v", *cell, err)
		}
		strategies, workersList, urlsList, total = []string{s}, []int{w}, []int{u}, 1
	}
	for _, strategy := range strategies {
		for _, w := range workersList {
			for _, u := range urlsList {
				// keyed and singleflight cells run dedupRepeats times and
				// count the run of median wall: one run's wall moves by
				// tens of milliseconds on a shared machine, as much as
				// the target's margin. Every run's fetches must be exact.
				reps := 1
				if strategy != "lock" {
					reps = *dedupRepeats
				}
				// One run's stats and what the origin counted during it.
				type cellRun struct {
					st     runStats
					server int
				}
				var (
					runs []cellRun
					bad  *cellRun // the first run whose fetches were not exact
				)
				for rep := range reps {
					srv.Reset()
					var st runStats
					measure := func() (err error) {
						st, err = run(br, scenario(origin, w, u, latency), strategy, 120*time.Second)
						return err
					}
					if err := profiled(br, *profile && *cell != "" && rep == 0, fmt.Sprintf("%s %d×%d", strategy, w, u), measure); err != nil {
						return fmt.Errorf("%s, %d workers, %d URLs: %w", strategy, w, u, err)
					}
					runs = append(runs, cellRun{st, serverFetches(srv)})
					if r := runs[len(runs)-1]; bad == nil && (r.st.Fetches != u || r.server != u || r.st.Errors != 0) {
						bad = &r
					}
				}
				walls := make([]string, len(runs))
				for i, r := range runs {
					walls[i] = fmt.Sprintf("%.0f", r.st.WallMs)
				}
				// The run of median wall, or the one whose fetches failed.
				slices.SortFunc(runs, func(a, b cellRun) int { return cmp.Compare(a.st.WallMs, b.st.WallMs) })
				shown := runs[len(runs)/2]
				if bad != nil {
					shown = *bad
				}
				st, server := shown.st, shown.server
				// The ideal critical path: every distinct URL fetched
				// once; lock serialises them all, keyed and singleflight
				// are bound by the longest chain of sequential gets one
				// worker makes (1 when workers >= URLs).
				chain := (u + w - 1) / w
				ideal := float64(chain) * float64(latency.Milliseconds())
				if strategy == "lock" {
					ideal = float64(u) * float64(latency.Milliseconds())
				}
				fetchOK := bad == nil
				wallTarget, wallOK := "(reported)", true
				if strategy != "lock" {
					wallTarget = "≤ 1.1× ideal + 50 ms"
					wallOK = st.WallMs <= 1.1*ideal+50
				}
				ok := fetchOK && wallOK
				cells++
				if ok {
					met++
				}
				if r := st.WallMs / ideal; r > worst[strategy] {
					worst[strategy] = r
				}
				yes := "yes"
				if !ok {
					yes = "**no**"
				}
				fmt.Fprintf(&sb, "| %s | %d | %d | %d | %d | %d | %.0f ms | %.0f ms | %.2f× | %s | %s |\n",
					strategy, w, u, st.Fetches, server, u, st.WallMs, ideal, st.WallMs/ideal, wallTarget, yes)
				fmt.Fprintf(os.Stderr, "bench:   [dedup %d/%d] %s %d workers %d URLs: %d fetches (server %d), %.0f ms (ideal %.0f; runs %s ms)\n",
					cells, total, strategy, w, u, st.Fetches, server, st.WallMs, ideal, strings.Join(walls, ", "))
			}
		}
	}
	b.rep.add(fmt.Sprintf("dedup: cells meeting their targets (of %d)", cells), fmt.Sprintf("%d", met), fmt.Sprintf("%d", cells), "",
		"fetches = distinct URLs; keyed, singleflight wall ≤ 1.1× ideal + 50 ms", ptr(met == cells))
	b.record("dedup cells", fmt.Sprintf("%d/%d", met, cells))
	for _, s := range []string{"lock", "keyed", "singleflight"} {
		b.rep.add("dedup: worst wall / ideal, "+s, fmt.Sprintf("%.2f×", worst[s]), "1.00×", "", "(reported)", nil)
	}
	b.rep.details = append(b.rep.details, "## Dedup efficiency\n\n"+fmt.Sprintf(
		"Each run is one `window.stampede.run({scenario, strategy, latency: \"0s\", fresh: true})` in one page of the built site, in a 1280×800 window (the views in or within 200 px of the window draw during the run, the others at its end: which ones depends on how far the timeline's group buttons push the log down), against wasm/devserver's `/slow/uK?ms=%d`, an origin with a fixed %v latency, served over HTTPS with HTTP/2 (a throwaway certificate the browser is told to accept) so that the browser does not queue requests behind HTTP/1.1's six connections per host. \"fetches (page)\" is the run's stats, \"fetches (server)\" what the origin counted. The ideal critical path is one latency for keyed and singleflight (when there are fewer workers than URLs, each worker gets URLs/workers URLs one after another, so the ideal is that many latencies), and URLs × latency for lock, which serialises every URL. A lock cell is one run; a keyed or singleflight cell is %d runs one after another, and shows the run of median wall (each run's fetches must be exact; a cell with a run whose were not shows that run).\n\n",
		latency.Milliseconds(), latency, *dedupRepeats)+sb.String())
	return nil
}

// longTask is what the responsiveness run reports.
type longTask struct {
	Stats      runStats `json:"stats"`
	MaxMs      float64  `json:"maxMs"`
	Count      int      `json:"count"`
	Over100    int      `json:"over100"`
	HeapBefore float64  `json:"heapBefore"`
	HeapAfter  float64  `json:"heapAfter"`
	HeapPeak   float64  `json:"heapPeak"`
	Error      string   `json:"error"`
	// Top are the five longest tasks: when each started, from the run's
	// start, and how long it took (ms); EndMs is when the run resolved.
	Top   [][2]float64 `json:"top"`
	EndMs float64      `json:"endMs"`
	// Inside says, for each of Top, what the page measured in it
	// (performance.measure entries named stampede:…).
	Inside []string `json:"inside"`
}

// longTasks runs 10,000 workers over 100 URLs with the page's live log
// and timeline, and reports the longest main-thread task.
func (b *bench) longTasks(br *browser, origin string, srv *devserver.Server) error {
	workers, urls := 10000, 100
	if *quick {
		workers = 1000
	}
	srv.Reset()
	sc := scenario(origin, workers, urls, latency)
	expr := fmt.Sprintf(`(async () => {
	  const gc = () => { if (typeof window.gc === "function") window.gc(); };
	  const heap = () => performance.memory ? performance.memory.usedJSHeapSize : 0;
	  gc(); const heapBefore = heap();
	  let heapPeak = heapBefore;
	  const sampler = setInterval(() => { heapPeak = Math.max(heapPeak, heap()); }, 50);
	  const tasks = [];
	  const t0 = performance.now();
	  const all = [];
	  const obs = new PerformanceObserver(list => { for (const e of list.getEntries()) if (e.startTime >= t0) { tasks.push(e.duration); all.push([e.startTime - t0, e.duration]); } });
	  obs.observe({type: "longtask", buffered: true});
	  let stats = null, error = "";
	  try { stats = await window.stampede.run({scenario: %q, strategy: "keyed", latency: "0s", fresh: true}); }
	  catch (e) { error = String(e); }
	  const endMs = performance.now() - t0;
	  // Let the page render the last batch, then collect.
	  await new Promise(r => setTimeout(r, 1000));
	  clearInterval(sampler);
	  for (const e of obs.takeRecords()) if (e.startTime >= t0) { tasks.push(e.duration); all.push([e.startTime - t0, e.duration]); }
	  const top = all.sort((a, b) => b[1] - a[1]).slice(0, 5);
	  obs.disconnect();
	  // What the page measured (Env.Measure) inside each of them.
	  const measures = performance.getEntriesByType("measure").filter(m => m.name.startsWith("stampede:"));
	  const inside = top.map(([at, d]) => measures
	    .filter(m => m.startTime - t0 < at + d && m.startTime + m.duration - t0 > at)
	    .map(m => m.name.slice(9) + " " + m.duration.toFixed(0) + " ms").join(", "));
	  gc(); const heapAfter = heap();
	  return {stats: stats || {}, maxMs: tasks.length ? Math.max(...tasks) : 0, count: tasks.length,
	    over100: tasks.filter(d => d > 100).length, heapBefore, heapAfter, heapPeak, error, top, endMs, inside};
	})()`, sc)
	t0 := time.Now()
	var r longTask
	measure := func() (err error) {
		r, err = eval[longTask](br, 5*time.Minute, expr)
		return err
	}
	if err := profiled(br, *profile, fmt.Sprintf("the %d-worker run", workers), measure); err != nil {
		return err
	}
	server := serverFetches(srv)
	var top []string
	for i, tk := range r.Top {
		top = append(top, fmt.Sprintf("%.0f ms at +%.0f ms", tk[1], tk[0]))
		if i < len(r.Inside) && r.Inside[i] != "" {
			progress("  the task of %.0f ms at +%.0f ms held: %s", tk[1], tk[0], r.Inside[i])
		}
	}
	tops := fmt.Sprintf("the longest: %s (the run resolved at +%.0f ms)", strings.Join(top, ", "), r.EndMs)
	progress("  %s", tops)
	fmt.Fprintf(os.Stderr, "bench:   %d workers: longest task %.0f ms (%d long tasks), run %.0f ms, %d fetches (server %d), heap %.1f -> %.1f MB (peak %.1f), %v\n",
		workers, r.MaxMs, r.Count, r.Stats.WallMs, r.Stats.Fetches, server, r.HeapBefore/1e6, r.HeapAfter/1e6, r.HeapPeak/1e6, time.Since(t0).Round(time.Millisecond))
	finished := r.Error == "" && !r.Stats.Stopped && r.Stats.Workers == workers
	b.rep.add(fmt.Sprintf("longest main-thread task, %d workers × %d URLs", workers, urls), fmt.Sprintf("%.0f ms (%d tasks > 50 ms)", r.MaxMs, r.Count), "", "",
		"≤ 100 ms", ptr(r.MaxMs <= 100))
	b.record("longest task", fmt.Sprintf("%.0f ms", r.MaxMs))
	b.rep.add("  that run finished", fmt.Sprintf("%v (%.0f ms, %d fetches)", finished, r.Stats.WallMs, r.Stats.Fetches), "", "", "finishes", ptr(finished))
	b.rep.add("  JS heap growth (after GC)", fmt.Sprintf("%+.1f MB", (r.HeapAfter-r.HeapBefore)/1e6),
		fmt.Sprintf("%.1f MB before", r.HeapBefore/1e6), "", "bounded (reported)", nil)
	b.rep.notes = append(b.rep.notes, fmt.Sprintf(
		"Responsiveness: one run of %d workers over %d URLs (keyed, origin latency %v) in the playground page, whose live log and timeline are always on; a PerformanceObserver for \"longtask\" installed before the run keeps the tasks that started after it. %d long tasks (> 50 ms), %d over 100 ms; %s. JS heap (performance.memory.usedJSHeapSize with --enable-precise-memory-info, after gc()): %.1f MB before, %.1f MB after, %.1f MB peak during the run. Error: %q.",
		workers, urls, latency, r.Count, r.Over100, tops, r.HeapBefore/1e6, r.HeapAfter/1e6, r.HeapPeak/1e6, r.Error))
	return nil
}
