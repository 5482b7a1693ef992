//go:build !(js && wasm)

package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// engine runs app/stampede's BenchmarkOverhead natively and compares each
// strategy's Loader.Get with the same check-fetch-store written directly
// (bench_test.go says how), at 10,000 concurrent callers of one URL.
//
// The test binary is built once and run once per round, each round
// running every sub-benchmark one time: a strategy's direct, engine and
// logged samples are taken one after another in every round, so a spell
// of load from another job on this shared machine falls on both sides
// of a ratio, not on five samples of one side (go test -count 5 runs a
// sub-benchmark's five samples in a row).
func (b *bench) engine() error {
	rounds := 5
	if *quick {
		rounds = 1
	}
	bin := filepath.Join(b.tmp, "stampede.test")
	if err := goCmd(nil, "test", "-c", "-o", bin, "./app/stampede/"); err != nil {
		return err
	}
	args := []string{"-test.run", "^$", "-test.bench", "^BenchmarkOverhead$/.*/.*/callers=10000$", "-test.benchtime", "1s", "-test.count", "1"}
	ns := map[string][]float64{} // "singleflight/engine" -> ns/op samples
	results, total := 0, 9*rounds
	for r := 0; r < rounds; r++ {
		err := runLines("app/stampede", bin, args, func(line string) {
			f := strings.Fields(line)
			if len(f) < 4 || !strings.HasPrefix(f[0], "BenchmarkOverhead/") || f[3] != "ns/op" {
				return
			}
			parts := strings.Split(strings.TrimPrefix(f[0], "BenchmarkOverhead/"), "/")
			v, err := strconv.ParseFloat(f[2], 64)
			if len(parts) < 2 || err != nil {
				return
			}
			key := parts[0] + "/" + parts[1]
			ns[key] = append(ns[key], v)
			results++
			progress("  [engine %d/%d] round %d, %s %s: %.2f ms", results, total, r+1, parts[0], parts[1], v/1e6)
		})
		if err != nil {
			return err
		}
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
		"Engine: `go test -c ./app/stampede/` once, then %d rounds of `stampede.test %s`, each round running every sub-benchmark once, so that a strategy's direct and engine samples alternate; median of the %d rounds (the range of the samples in brackets). One op is one round of 10,000 goroutines getting one URL from an empty memory store through an instant fetcher. Baselines (app/stampede/bench_test.go directGet): singleflight = store check then one x/sync/singleflight Group.Do that checks, fetches and puts; lock = one sync.Mutex around check, fetch, put; keyed = a sync.Mutex per URL from a map. \"Events logged\" appends every event to a stampede.Log as the playground does; the baseline logs nothing.",
		rounds, strings.Join(args, " "), rounds))
	return nil
}

// runLines runs bin with args natively in dir, hands each line of its output to
// line as it comes (so the person running the bench sees it move), and
// keeps the output for the error.
func runLines(dir, bin string, args []string, line func(string)) error {
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = nativeEnv()
	var outb bytes.Buffer
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		return err
	}
	waited := make(chan error, 1)
	go func() { err := cmd.Wait(); pw.Close(); waited <- err }()
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		outb.WriteString(sc.Text() + "\n")
		line(sc.Text())
	}
	if err := <-waited; err != nil {
		return fmt.Errorf("%s %s: %v\n%s", bin, strings.Join(args, " "), err, outb.String())
	}
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
