//go:build !(js && wasm)

package main

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// histCols are the history table's figures, one column each: the
// headline of every target, so that a regression shows at a glance.
var histCols = []string{"app.wasm br", "TTI", "dedup cells", "longest task", "engine sf / lock / keyed", "hit p99"}

const histHeading = "## History"

// histNote says what the history table is, above it.
const histNote = "One row per commit measured, newest first, kept by `make bench` from the BENCHMARKS.md it rewrites (a second run of one commit replaces its row; a commit with uncommitted changes is marked +). Ratios are against the same run's baselines."

// record sets this run's value of a history column.
func (b *bench) record(col, v string) {
	if b.hist == nil {
		b.hist = map[string]string{}
	}
	b.hist[col] = v
}

// commitID names what was measured: the short commit, with + when the
// tree has changes other than BENCHMARKS.md.
func commitID() string {
	out, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	id := strings.TrimSpace(string(out))
	st, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output()
	if err == nil {
		for _, l := range strings.Split(strings.TrimSpace(string(st)), "\n") {
			if l != "" && !strings.HasSuffix(l, "BENCHMARKS.md") {
				return id + "+"
			}
		}
	}
	return id
}

// history is the table of previous runs found in the report at path,
// with this run's row first (replacing an earlier row of its commit).
// A quick or partial run (-quick, -only) is not recorded.
func (b *bench) history(path string) string {
	var rows []string
	if old, err := os.ReadFile(path); err == nil {
		rows = histRows(string(old))
	}
	if !*quick && *only == "" && !*profile {
		id := commitID()
		cells := []string{id, time.Now().UTC().Format("2006-01-02")}
		for _, c := range histCols {
			v := b.hist[c]
			if v == "" {
				v = "—"
			}
			cells = append(cells, v)
		}
		mine := "| " + strings.Join(cells, " | ") + " |"
		kept := []string{mine}
		for _, r := range rows {
			if histCommit(r) != id {
				kept = append(kept, r)
			}
		}
		rows = kept
	}
	if len(rows) == 0 {
		return ""
	}
	var sb strings.Builder
	sb.WriteString(histHeading + "\n\n" + histNote + "\n\n")
	sb.WriteString("| commit | date | " + strings.Join(histCols, " | ") + " |\n")
	sb.WriteString("|---|---|" + strings.Repeat("---:|", len(histCols)) + "\n")
	for _, r := range rows {
		sb.WriteString(r + "\n")
	}
	return sb.String()
}

// histRows returns the data rows of the history table in a report.
func histRows(md string) []string {
	_, after, ok := strings.Cut(md, "\n"+histHeading+"\n")
	if !ok {
		return nil
	}
	var rows []string
	header := 0
	for _, l := range strings.Split(after, "\n") {
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, "## ") {
			break
		}
		if !strings.HasPrefix(l, "|") {
			continue
		}
		if header < 2 { // the column names and the |---| line
			header++
			continue
		}
		rows = append(rows, l)
	}
	return rows
}

func histCommit(row string) string {
	f := strings.Split(strings.Trim(row, "|"), "|")
	if len(f) == 0 {
		return ""
	}
	return strings.TrimSpace(f[0])
}

// progress tells the person running `make bench` where it is.
func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}
