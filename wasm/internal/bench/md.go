//go:build !(js && wasm)

package main

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

func table(rows []row) string {
	var sb strings.Builder
	sb.WriteString("| figure | ours | baseline | ratio | target | met? |\n|---|---:|---:|---:|---|---|\n")
	for _, r := range rows {
		fmt.Fprintf(&sb, "| %s | %s | %s | %s | %s | %s |\n", r.Figure, r.Ours, r.Base, r.Ratio, r.Target, r.Met)
	}
	return sb.String()
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

func goVersion() string {
	out, err := exec.Command("go", "version").Output()
	if err != nil {
		return runtime.Version()
	}
	return strings.TrimSpace(string(out))
}

func (b *bench) markdown(took time.Duration) string {
	var sb strings.Builder
	sb.WriteString("# Benchmarks\n\n")
	sb.WriteString("Written by `make bench` (`go run ./wasm/internal/bench -out BENCHMARKS.md`). Every figure is measured side by side with its baseline, built and run in the same `make bench`: these machines are noisy and shared, so only the ratios of one run mean anything.\n\n")
	sb.WriteString(table(b.rep.rows))
	fmt.Fprintf(&sb, "\n- Date: %s\n", time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(&sb, "- Machine: %s, %d cores (%s/%s), shared with other jobs\n", cpuModel(), runtime.NumCPU(), runtime.GOOS, runtime.GOARCH)
	fmt.Fprintf(&sb, "- Go: %s; browser: %s (headless)\n", goVersion(), chromiumVersion)
	args := strings.Join(os.Args[1:], " ")
	fmt.Fprintf(&sb, "- Command: `make bench` → `go run ./wasm/internal/bench %s`; took %v\n", args, took.Round(time.Second))
	if h := b.history(*out); h != "" {
		sb.WriteString("\n" + h)
	}
	sb.WriteString("\n## How each figure is measured\n\n")
	for _, n := range b.rep.notes {
		sb.WriteString("- " + n + "\n")
	}
	for _, d := range b.rep.details {
		sb.WriteString("\n" + d)
	}
	if extra, err := os.ReadFile("wasm/internal/bench/changes.md"); err == nil {
		sb.WriteString("\n" + string(extra))
	}
	return sb.String()
}
