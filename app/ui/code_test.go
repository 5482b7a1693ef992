package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/stampede-playground/stampede/app/stampede"
)

// normLines splits s into lines without leading and trailing blanks,
// dropping empty lines, so indentation does not count.
func normLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// containsLines reports whether want occurs in have as consecutive lines.
func containsLines(have, want []string) bool {
	if len(want) == 0 {
		return false
	}
	for i := 0; i+len(want) <= len(have); i++ {
		ok := true
		for j := range want {
			if have[i+j] != want[j] {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// moduleRoot is the repository root, two levels above this package.
const moduleRoot = "../.."

func readSource(t *testing.T, file string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(moduleRoot, filepath.FromSlash(file)))
	if err != nil {
		t.Fatalf("reading the source of an excerpt: %v", err)
	}
	return normLines(string(b))
}

// TestCodeExcerptsInSource keeps the code panel honest: every Go chunk
// appears verbatim, as consecutive lines, in the file it names. An engine
// change that breaks one fails here: copy the new lines into code.go.
func TestCodeExcerptsInSource(t *testing.T) {
	for _, st := range stampede.Strategies() {
		ex, ok := codeExcerpts[st]
		if !ok {
			t.Errorf("no code excerpt for strategy %s", st)
			continue
		}
		lines := 0
		for i, c := range ex.Go {
			if !strings.HasPrefix(c.File, "app/stampede/") && !strings.HasPrefix(c.File, "wasm/") {
				t.Errorf("%s chunk %d: file %q is not engine or adapter source", st, i, c.File)
			}
			want := normLines(c.Code)
			lines += len(want)
			if !containsLines(readSource(t, c.File), want) {
				t.Errorf("%s chunk %d is no longer in %s; update code.go:\n%s", st, i, c.File, c.Code)
			}
		}
		if lines < 3 || lines > 25 {
			t.Errorf("%s: %d Go lines; keep an excerpt to 3..25", st, lines)
		}
		if n := len(strings.Split(ex.Mirror, "\n")); n > 25 || ex.MirrorIn == "" {
			t.Errorf("%s: mirror of %d lines in %q; want at most 25, labelled", st, n, ex.MirrorIn)
		}
	}
}

// TestCodeSyncCanFail shows the check is not vacuous: a chunk with one
// line changed, or its lines out of order, is not found.
func TestCodeSyncCanFail(t *testing.T) {
	c := chunkFetchStore
	src := readSource(t, c.File)
	if !containsLines(src, normLines(c.Code)) {
		t.Fatal("the unchanged chunk is not found")
	}
	mutated := strings.Replace(c.Code, "l.store.Put(ctx, url, r)", "l.store.Put(ctx, url, resp)", 1)
	if mutated == c.Code {
		t.Fatal("the mutation did not apply")
	}
	if containsLines(src, normLines(mutated)) {
		t.Error("a mutated excerpt was found in the source")
	}
	lines := normLines(c.Code)
	lines[0], lines[1] = lines[1], lines[0]
	if containsLines(src, lines) {
		t.Error("an excerpt with two lines swapped was found in the source")
	}
	if containsLines(src, nil) {
		t.Error("an empty excerpt counts as found")
	}
}

func TestDedent(t *testing.T) {
	got := dedent("\tif x {\n\t\treturn\n\n\t}")
	if want := "if x {\n\treturn\n\n}"; got != want {
		t.Errorf("dedent = %q; want %q", got, want)
	}
}

// TestCodePanelFollowsStrategy renders the panel for each strategy and
// after a change of the picker.
func TestCodePanelFollowsStrategy(t *testing.T) {
	p, d, _ := page(t, Env{}, "latency=0")
	d.Consume()
	wantHTML(t, p, `id="code"`, `data-strategy="lock"`, `id="code-go"`, `id="code-mirror"`,
		"globalLocker{m: newMutex()}", "lock = asyncio.Lock()", "async with lock:")

	cases := map[stampede.Strategy][2]string{
		stampede.None:         {"case None:", "# no lock"},
		stampede.Keyed:        {"e = &amp;keyedEntry{m: newMutex()}", "locks.setdefault(url, asyncio.Lock())"},
		stampede.Singleflight: {"l.group.DoChan(url, func() (any, error) {", "asyncio.create_task(fetch_and_store(url))"},
		stampede.PerCall:      {"type perCallLocker struct{}", "BUG: a new lock on every call"},
		stampede.CrossTab:     {"l.locker = c.CrossTab", "navigator.locks.request("},
	}
	for st, want := range cases {
		onUI(d, p, func(ctx app.Context) {
			p.settings.Strategy = st // as onStrategy does with the select's value
		})
		h := html(p)
		for _, s := range append(want[:], `data-strategy="`+string(st)+`"`, "The code behind "+string(st)) {
			if !strings.Contains(h, s) {
				t.Errorf("%s: the code panel lacks %s", st, s)
			}
		}
		if st != stampede.Lock && strings.Contains(h, "case Lock:") {
			t.Errorf("%s: the panel still shows lock's excerpt", st)
		}
	}

	onUI(d, p, func(ctx app.Context) { p.settings.Strategy = "bogus" })
	wantHTML(t, p, "Pick a strategy to see the code it runs.")
}
