package stampede

import (
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []Worker
	}{
		{"seed", "# c\nparse_stuff: get data/stuff.json\nuse_stuff:   get data/stuff.json\n\ndo_work: fetch data/other.json; work 300ms\n",
			[]Worker{
				{Name: "parse_stuff", Count: 1, Steps: []Step{{Kind: StepGet, URL: "data/stuff.json"}}},
				{Name: "use_stuff", Count: 1, Steps: []Step{{Kind: StepGet, URL: "data/stuff.json"}}},
				{Name: "do_work", Count: 1, Steps: []Step{{Kind: StepFetch, URL: "data/other.json"}, {Kind: StepWork, Dur: 300 * time.Millisecond}}},
			}},
		{"replicas, once, trailing semicolon, comment after steps, CRLF",
			"crowd x50: once warm 1s; get https://example.com/a?b=1#frag; # trailing\r\nX x1: get /abs\r\n",
			[]Worker{
				{Name: "crowd", Count: 50, Steps: []Step{{Kind: StepOnce, Name: "warm", Dur: time.Second}, {Kind: StepGet, URL: "https://example.com/a?b=1#frag"}}},
				{Name: "X", Count: 1, Steps: []Step{{Kind: StepGet, URL: "/abs"}}},
			}},
		{"unicode name, tabs", "café\tx2:\tget\tdata/a.json", []Worker{{Name: "café", Count: 2, Steps: []Step{{Kind: StepGet, URL: "data/a.json"}}}}},
		{"steady line", "readers x40 every 100ms for 6s: get data/hot.json",
			[]Worker{{Name: "readers", Count: 40, Steps: []Step{{Kind: StepGet, URL: "data/hot.json"}}, Every: 100 * time.Millisecond, For: 6 * time.Second}}},
		{"steady without replicas, odd spellings", "tick\tevery 1.5s  for 1m: work 1ms; fetch x\nevery every 1ms for 1ms: get y",
			[]Worker{
				{Name: "tick", Count: 1, Steps: []Step{{Kind: StepWork, Dur: time.Millisecond}, {Kind: StepFetch, URL: "x"}}, Every: 1500 * time.Millisecond, For: time.Minute},
				{Name: "every", Count: 1, Steps: []Step{{Kind: StepGet, URL: "y"}}, Every: time.Millisecond, For: time.Millisecond},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !reflect.DeepEqual(s.Workers, tt.want) {
				t.Errorf("got  %+v\nwant %+v", s.Workers, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	long := strings.Repeat("n", MaxName+1)
	tests := []struct {
		name, in, want string
	}{
		{"unknown step", "a: get x\nb: get x\nc:   gte data/x.json", `line 3, col 6: unknown step "gte": want get, fetch, work or once`},
		{"no colon", "  worker get x", "line 1, col 3: missing ':' after the worker name: want `name: step; step`"},
		{"no name", ": get x", "line 1, col 1: missing worker name before ':'"},
		{"bad name", "a/b: get x", `line 1, col 1: worker name "a/b": character '/' not allowed: use letters, digits, '_', '-' or '.'`},
		{"long name", long + ": get x", `line 1, col 1: worker name "` + long[:40] + `…": 65 characters, at most 64`},
		{"duplicate", "a: get x\na: get y", `line 2, col 1: worker "a" is already named on line 1`},
		{"bad count", "a x0: get x", `line 1, col 3: bad replica count "x0": want x1 to x10000`},
		{"count not x", "a 5: get x", `line 1, col 3: unexpected "5" after the worker name: want xN, like x50, or every`},
		{"count over", "a x10001: get x", "line 1, col 3: replica count 10001 is over the limit of 10000 workers"},
		{"total over", "a x6000: get x\nb x5000: get x", "line 2, col 1: too many workers: 11000 so far, at most 10000 in total"},
		{"extra header word", "a x2 y: get x", `line 1, col 6: unexpected "y" before ':': want ` + "`name`, `name xN` or `name xN every 100ms for 6s`"},
		{"every alone", "a x2 every: get x", "line 1, col 11: every needs a period and a duration, like `every 100ms for 6s`"},
		{"every without for", "a x2 every 1s: get x", "line 1, col 14: every needs a period and a duration, like `every 100ms for 6s`"},
		{"every without duration", "a x2 every 1s for: get x", "line 1, col 18: every needs a period and a duration, like `every 100ms for 6s`"},
		{"every, not for", "a every 1s during 2s: get x", `line 1, col 12: unexpected "during" after the period: want a period and a duration, like ` + "`every 100ms for 6s`"},
		{"period 0", "a x2 every 0s for 1s: get x", "line 1, col 12: period 0s must be at least 1ms"},
		{"period under 1ms", "a every 500us for 1s: get x", "line 1, col 9: period 500us must be at least 1ms"},
		{"bad period", "a every often for 1s: get x", `line 1, col 9: bad period "often": want a Go duration like 100ms`},
		{"period over limit", "a every 2m for 1m: get x", "line 1, col 9: period 2m is over the limit of 1m0s"},
		{"duration over limit", "readers x40 every 100ms for 61s: get x", "line 1, col 29: duration 61s is over the limit of 1m0s"},
		{"bad duration of load", "a every 1s for ever: get x", `line 1, col 16: bad duration "ever": want a Go duration like 6s`},
		{"duration under period", "a every 1s for 500ms: get x", "line 1, col 16: duration 500ms is shorter than the period 1s: want at least one period"},
		{"words after every clause", "a every 1s for 2s x3: get x", `line 1, col 19: unexpected "x3" before ':': want ` + "`name`, `name xN` or `name xN every 100ms for 6s`"},
		{"too many requests, steady", "a: get x\nb x1000 every 1ms for 60s: get x", "line 2, col 9: too many requests: 60000001 so far, at most 100000 in a run (get and fetch steps × workers × repetitions)"},
		{"too many requests, steady, just over", "b x100 every 10ms for 10s: get x; fetch y; work 1ms", "line 1, col 8: too many requests: 200000 so far, at most 100000 in a run (get and fetch steps × workers × repetitions)"},
		{"too many requests, one-shot lines", "a x10000: " + strings.Repeat("get x; ", 10) + "get x", "line 1, col 1: too many requests: 110000 so far, at most 100000 in a run (get and fetch steps × workers × repetitions)"},
		{"empty step", "a: get x;; get y", "line 1, col 10: empty step: want get, fetch, work or once"},
		{"no steps", "a:", "line 1, col 3: empty step: want get, fetch, work or once"},
		{"get without url", "a: get", "line 1, col 7: get needs a URL"},
		{"two urls", "a: get x y", `line 1, col 10: unexpected "y" after a URL: separate steps with ';'`},
		{"javascript url", "a: get javascript:alert(1)", `line 1, col 8: URL scheme "javascript" refused: want a relative path or http(s)`},
		{"data url", "a: fetch data:text/html,hi", `line 1, col 10: URL scheme "data" refused: want a relative path or http(s)`},
		{"file url", "a: get file:///etc/passwd", `line 1, col 8: URL scheme "file" refused: want a relative path or http(s)`},
		{"blob url", "a: get blob:https://x/y", `line 1, col 8: URL scheme "blob" refused: want a relative path or http(s)`},
		{"http without host", "a: get http:x", `line 1, col 8: URL "http:x" has no host`},
		{"bad duration", "a: work 3sec", `line 1, col 9: bad duration "3sec": want Go syntax like 300ms or 2s`},
		{"zero duration", "a: work 0s", "line 1, col 9: duration 0s must be positive"},
		{"long duration", "a: work 61s", "line 1, col 9: duration 61s is over the limit of 1m0s"},
		{"once missing duration", "a: once job", "line 1, col 12: once needs a name and a duration, like `once warm_up 300ms`"},
		{"once bad name", "a: once j<b> 1s", `line 1, col 9: once name "j<b>": character '<' not allowed: use letters, digits, '_', '-' or '.'`},
		{"too many steps", "a: " + strings.Repeat("work 1ms; ", MaxSteps) + "work 1ms", "line 1, col 3: too many steps: 51, at most 50 on a line"},
		{"too many lines", strings.Repeat("# c\n", MaxLines) + "a: get x", "line 201, col 1: too many lines: at most 200"},
		{"nothing", "# only a comment\n\n", "line 1, col 1: no workers: want a line like `name: get data/stuff.json`"},
		{"invalid utf-8", "a: get x\nb: get \xff", "line 2, col 8: invalid UTF-8 byte 0xff"},
		{"control char", "a: get x\x00y", "line 1, col 9: control character U+0000 not allowed"},
		{"column counts characters", "ééé: gte x", `line 1, col 6: unknown step "gte": want get, fetch, work or once`},
		{"huge paste", strings.Repeat("a", MaxTextBytes+1), "scenario is 65537 bytes: at most 65536 (64 KiB) allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.in)
			if err == nil {
				t.Fatalf("Parse(%q) succeeded, want %q", tt.in, tt.want)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Errorf("error %T is not a *ParseError", err)
			}
			if err.Error() != tt.want {
				t.Errorf("got  %q\nwant %q", err.Error(), tt.want)
			}
		})
	}
}

func TestFormatRoundTrip(t *testing.T) {
	for _, p := range Presets() {
		s := mustParse(t, p.Text)
		text := s.Format()
		s2, err := Parse(text)
		if err != nil {
			t.Fatalf("%s: Parse(Format) = %v\n%s", p.Name, err, text)
		}
		if !reflect.DeepEqual(s, s2) {
			t.Errorf("%s: round trip changed the scenario:\n%+v\n%+v", p.Name, s, s2)
		}
	}
}

func TestPresets(t *testing.T) {
	for _, name := range []string{"seed", "once", "stampede", "percall", "mixed", "expiry", "swr"} {
		p, err := LookupPreset(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Parse(p.Text); err != nil {
			t.Errorf("preset %s does not parse: %v", name, err)
		}
	}
	if _, err := LookupPreset("nope"); err == nil || !strings.Contains(err.Error(), "want seed, once, stampede, percall, mixed, expiry, swr") {
		t.Errorf("LookupPreset(nope) = %v", err)
	}
	for _, name := range []string{"expiry", "swr"} {
		p := mustPreset(t, name)
		sc := mustParse(t, p.Text)
		if p.TTL != 2*time.Second || p.Latency != 200*time.Millisecond || sc.Requests() != 2400 || sc.Span() != 6*time.Second {
			t.Errorf("%s: ttl %v, latency %v, %d requests over %v; want 2s, 200ms, 2400 over 6s", name, p.TTL, p.Latency, sc.Requests(), sc.Span())
		}
		if got := sc.Format(); got != "readers x40 every 100ms for 6s: get data/hot.json\n" {
			t.Errorf("%s: scenario %q", name, got)
		}
	}
	if _, err := os.Stat("../../web/data/hot.json"); err != nil {
		t.Errorf("the expiry presets' URL is not served: %v", err)
	}
	seed := mustParse(t, mustPreset(t, "seed").Text)
	if got := seed.URLs(); !reflect.DeepEqual(got, []string{"data/stuff.json", "data/other.json"}) {
		t.Errorf("seed URLs = %v", got)
	}
}

func mustPreset(t *testing.T, name string) Preset {
	p, err := LookupPreset(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// FuzzParse: Parse never panics, its errors carry a position inside the
// text, and what it accepts survives a Format round trip.
func FuzzParse(f *testing.F) {
	for _, p := range Presets() {
		f.Add(p.Text)
	}
	for _, s := range []string{"a: gte x", "a x0: get x", "a: get javascript:x", "a: work 61s", "é\xff: get x", "a: once j 1s;;", ": x", "a:b:c: get d", "a: get x # c", "#\n#\n",
		"r x40 every 100ms for 6s: get data/hot.json", "r every 1ms for 1ms: work 1ms", "r x3 every 0s for 1s: get x", "r every 1s for 61s: get x", "r x7 every 333us for 1.0001s: fetch x; get y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		s, err := Parse(text)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T is not a *ParseError: %v", err, err)
			}
			if pe.Line > MaxLines+1 || pe.Line < 0 || (pe.Line > 0 && pe.Col < 1) {
				t.Fatalf("position out of range: %v", err)
			}
			return
		}
		if n := s.TotalWorkers(); n < 1 || n > MaxWorkers {
			t.Fatalf("accepted %d workers", n)
		}
		s2, err := Parse(s.Format())
		if err != nil {
			t.Fatalf("Parse(Format(s)) = %v\n%q", err, s.Format())
		}
		if !reflect.DeepEqual(s, s2) {
			t.Fatalf("round trip changed the scenario:\n%+v\n%+v", s, s2)
		}
	})
}
