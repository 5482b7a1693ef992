//go:build !(js && wasm)

package main

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/profiler"
	"github.com/chromedp/chromedp"
)

// cpuProfile records a V8 CPU profile of the page while f runs and
// returns the functions that were on the stack the longest (inclusive
// milliseconds: a sample counts once for each function on its stack)
// and those on top of it the longest (self), most first. Wasm functions
// carry their Go names when app.wasm keeps its name section, which
// `-profile` builds do (they drop -s -w).
func cpuProfile(br *browser, f func() error) (prof *profiler.Profile, err error) {
	call := func(do func(ctx context.Context, t *chromedp.Target) error) error {
		return chromedp.Do(br.ctx, func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
			return chromedp.Void{}, do(ctx, t)
		})
	}
	if err := call(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := cdp.Call(ctx, t, profiler.Enable, cdp.Empty{}); err != nil {
			return err
		}
		if _, err := cdp.Call(ctx, t, profiler.SetSamplingInterval, profiler.SetSamplingIntervalParams{Interval: 200}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, t, profiler.Start, cdp.Empty{})
		return err
	}); err != nil {
		return nil, fmt.Errorf("starting the profiler: %w", err)
	}
	runErr := f()
	if err := call(func(ctx context.Context, t *chromedp.Target) error {
		res, err := cdp.Call(ctx, t, profiler.Stop, cdp.Empty{})
		prof = res.Profile
		return err
	}); err != nil || prof == nil {
		return nil, fmt.Errorf("stopping the profiler: %v", err)
	}
	return prof, runErr
}

// profiled runs measure, under cpuProfile when on, and then prints what
// the profile of what (a run, a cell) shows: our and go-app's functions
// by inclusive time, and every function by self time.
func profiled(br *browser, on bool, what string, measure func() error) error {
	if !on {
		return measure()
	}
	prof, err := cpuProfile(br, measure)
	if err != nil {
		return err
	}
	inc, self := profileTimes(prof, 0, len(prof.Samples))
	progress("profile of %s, inclusive (ours and go-app):\n%s", what, topFns(inc, 40, ours...))
	progress("self time:\n%s", topFns(self, 40))
	for i, s := range busyStretches(prof, 5) {
		inc, self := profileTimes(prof, s.from, s.to)
		progress("busy stretch %d of the profile: %.0f ms without an idle sample, from +%.0f ms, inclusive (ours and go-app):\n%s  self:\n%s", i+1, s.ms, s.at, topFns(inc, 25, ours...), topFns(self, 8))
	}
	return nil
}

// ours are the substrings of the function names that profiled lists by
// inclusive time: the project's, go-app's, go-indexeddb's and syscall/js.
var ours = []string{"stampede_playground", "go_app", "hack_pad", "syscall/js"}

// stretch is a run of samples [from, to) none of which is "(idle)": the
// page's thread busy throughout, which is what a long task is.
type stretch struct {
	from, to int
	at, ms   float64 // its start, from the profile's, and its length
}

// busyStretches returns the n longest stretches of prof, longest first.
func busyStretches(p *profiler.Profile, n int) []stretch {
	idle := map[int64]bool{}
	for _, nd := range p.Nodes {
		if nd.CallFrame != nil && nd.CallFrame.FunctionName == "(idle)" {
			idle[nd.ID] = true
		}
	}
	var out []stretch
	cur := stretch{from: -1}
	at := 0.0
	for i, id := range p.Samples {
		if i+1 >= len(p.TimeDeltas) {
			break
		}
		at += float64(p.TimeDeltas[i]) / 1000
		if idle[id] {
			if cur.from >= 0 {
				cur.to = i
				out = append(out, cur)
			}
			cur = stretch{from: -1}
			continue
		}
		if cur.from < 0 {
			cur.from, cur.at = i, at
		}
		cur.ms += float64(p.TimeDeltas[i+1]) / 1000
	}
	if cur.from >= 0 {
		cur.to = len(p.Samples) - 1
		out = append(out, cur)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ms > out[j].ms })
	return out[:min(n, len(out))]
}

// fnTime is one function's share of a profile.
type fnTime struct {
	Name string
	Ms   float64
}

// profileTimes adds up the samples [from, to) of p by function.
func profileTimes(p *profiler.Profile, from, to int) (inclusive, self []fnTime) {
	parent := map[int64]int64{}
	name := map[int64]string{}
	for _, n := range p.Nodes {
		fn := "(anonymous)"
		if n.CallFrame != nil && n.CallFrame.FunctionName != "" {
			fn = n.CallFrame.FunctionName
		}
		name[n.ID] = fn
		for _, c := range n.Children {
			parent[c] = n.ID
		}
	}
	inc, slf := map[string]float64{}, map[string]float64{}
	for i := from; i < to && i+1 < len(p.TimeDeltas); i++ {
		id := p.Samples[i]
		ms := float64(p.TimeDeltas[i+1]) / 1000 // the time until the next sample
		if fn := name[id]; fn == "(idle)" || fn == "(program)" {
			slf[fn] += ms
			continue
		}
		slf[name[id]] += ms
		seen := map[string]bool{}
		for n, ok := id, true; ok; n, ok = parent[n] {
			if fn := name[n]; !seen[fn] {
				seen[fn] = true
				inc[fn] += ms
			}
		}
	}
	return sorted(inc), sorted(slf)
}

func sorted(m map[string]float64) []fnTime {
	out := make([]fnTime, 0, len(m))
	for k, v := range m {
		out = append(out, fnTime{k, v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Ms > out[j].Ms })
	return out
}

// topFns formats the first n entries of fs whose names contain one of
// the substrings in keep (all when keep is empty).
func topFns(fs []fnTime, n int, keep ...string) string {
	var sb strings.Builder
	for _, f := range fs {
		if n == 0 {
			break
		}
		ok := len(keep) == 0
		for _, k := range keep {
			ok = ok || strings.Contains(f.Name, k)
		}
		if !ok {
			continue
		}
		fmt.Fprintf(&sb, "  %8.1f ms  %s\n", f.Ms, f.Name)
		n--
	}
	return sb.String()
}
