//go:build !(js && wasm)

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHistoryKeepsEarlierRows checks that a run adds its row first,
// replaces an earlier row of its own commit and keeps the others.
func TestHistoryKeepsEarlierRows(t *testing.T) {
	id := commitID()
	old := "# Benchmarks\n\n| figure |\n|---|\n| x |\n\n" + histHeading + "\n\n" + histNote + "\n\n" +
		"| commit | date | a | b | c | d | e | f |\n|---|---|---:|---:|---:|---:|---:|---:|\n" +
		"| " + id + " | 2026-01-02 | stale | | | | | |\n" +
		"| 9b77b24 | 2026-11-25 | 1.78 MB | 2.02× | 16/27 | 262 ms | 1.87× / 1.34× / 1.01× | 2.17× |\n" +
		"\n## How each figure is measured\n\n- not a row | x |\n"
	path := filepath.Join(t.TempDir(), "BENCHMARKS.md")
	if err := os.WriteFile(path, []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	b := &bench{}
	b.record("app.wasm br", "1.55 MB")
	b.record("TTI", "1.25×")
	rows := histRows("x\n" + b.history(path))
	if len(rows) != 2 {
		t.Fatalf("rows = %q; want this run's and 9b77b24's", rows)
	}
	if histCommit(rows[0]) != id || !strings.Contains(rows[0], "| 1.55 MB | 1.25× | — |") {
		t.Errorf("first row = %q; want this commit's figures, — for those not measured", rows[0])
	}
	if histCommit(rows[1]) != "9b77b24" || !strings.Contains(rows[1], "262 ms") {
		t.Errorf("second row = %q; want the earlier commit's row unchanged", rows[1])
	}
	if strings.Contains(strings.Join(rows, "\n"), "stale") {
		t.Errorf("the earlier row of this commit was kept: %q", rows)
	}
}

func TestHistoryWithoutEarlierReport(t *testing.T) {
	b := &bench{}
	h := b.history(filepath.Join(t.TempDir(), "missing.md"))
	if rows := histRows("x\n" + h); len(rows) != 1 || histCommit(rows[0]) != commitID() {
		t.Errorf("history = %q; want one row, this run's", h)
	}
}
