//go:build !(js && wasm)

package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os/exec"
	"sort"
	"strconv"
	"strings"
)

// engine runs app/stampede's BenchmarkOverhead natively and compares each
// strategy's Loader.Get with the same check-fetch-store written directly
// (bench_test.go says how), at 10,000 concurrent callers of one URL.
func (b *bench) engine() error {
	count := "5"
	if *quick {
		count = "1"
	}
	args := []string{"test", "-run", "^$", "-bench", "^BenchmarkOverhead$/.*/.*/callers=10000$", "-benchtime", "1s", "-count", count, "./app/stampede/"}
	cmd := exec.Command("go", args...)
	cmd.Env = nativeEnv()
	// The output streams to the person running the bench as it comes
	// (9 sub-benchmarks × count lines), and is kept for the error.
	var outb bytes.Buffer
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		return err
	}
	waited := make(chan error, 1)
	go func() { err := cmd.Wait(); pw.Close(); waited <- err }()
	ns := map[string][]float64{} // "singleflight/engine" -> ns/op samples
	sc := bufio.NewScanner(pr)
	results, total := 0, 9*len(count)
	if n, err := strconv.Atoi(count); err == nil {
		total = 9 * n
	}
	for sc.Scan() {
		outb.WriteString(sc.Text() + "\n")
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "BenchmarkOverhead/") || f[3] != "ns/op" {
			continue
		}
		parts := strings.Split(strings.TrimPrefix(f[0], "BenchmarkOverhead/"), "/")
		if len(parts) < 2 {
			continue
		}
		v, err := strconv.ParseFloat(f[2], 64)
		if err != nil {
			continue
		}
		key := parts[0] + "/" + parts[1]
		ns[key] = append(ns[key], v)
		results++
		progress("  [engine %d/%d] %s %s: %.2f ms", results, total, parts[0], parts[1], v/1e6)
	}
	if err := <-waited; err != nil {
		return fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, outb.String())
	}
	var ratios []string
	for _, s := range []string{"singleflight", "lock", "keyed"} {
		eng, log, dir := median(ns[s+"/engine"]), median(ns[s+"/logged"]), median(ns[s+"/direct"])
		if eng == 0 || dir == 0 {
			b.rep.notMeasured("engine "+s+", 10,000 callers", "≤ 1.2×", "no benchmark output")
			continue
		}
		b.rep.add(fmt.Sprintf("engine %s, 10,000 callers, no events", s), ms(eng)+spread(ns[s+"/engine"]), ms(dir)+spread(ns[s+"/direct"]), ratio(eng, dir), "≤ 1.2×", ptr(eng <= 1.2*dir))
		ratios = append(ratios, fmt.Sprintf("%.2f×", eng/dir))
		b.rep.add(fmt.Sprintf("engine %s, 10,000 callers, events logged", s), ms(log), ms(dir), ratio(log, dir), "(reported)", nil)
	}
	b.record("engine sf / lock / keyed", strings.Join(ratios, " / "))
	b.rep.notes = append(b.rep.notes, fmt.Sprintf(
		"Engine: `go %s`, median of %s (the range of the samples in brackets); one op is one round of 10,000 goroutines getting one URL from an empty memory store through an instant fetcher. Baselines (app/stampede/bench_test.go directGet): singleflight = store check then one x/sync/singleflight Group.Do that checks, fetches and puts; lock = one sync.Mutex around check, fetch, put; keyed = a sync.Mutex per URL from a map. \"Events logged\" appends every event to a stampede.Log as the playground does; the baseline logs nothing.",
		strings.Join(args, " "), count))
	return nil
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// percentile returns the p-th percentile (0..100) of v, nearest rank.
func percentile(v []float64, p float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	i := int(p/100*float64(len(s))+0.5) - 1
	if i < 0 {
		i = 0
	}
	if i >= len(s) {
		i = len(s) - 1
	}
	return s[i]
}

// spread is " [min–max]" of samples in ns, in milliseconds.
func spread(v []float64) string {
	if len(v) < 2 {
		return ""
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return fmt.Sprintf(" [%.2f–%.2f]", s[0]/1e6, s[len(s)-1]/1e6)
}

func ms(ns float64) string { return fmt.Sprintf("%.2f ms", ns/1e6) }
