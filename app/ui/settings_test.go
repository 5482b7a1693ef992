package ui

import (
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/stampede-playground/stampede/app/stampede"
)

func preset(t *testing.T, name string) stampede.Preset {
	t.Helper()
	p, err := stampede.LookupPreset(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestParseParams(t *testing.T) {
	def := defaultSettings()
	custom := "a: get data/a.json\nb x3: get data/a.json\n"
	tests := []struct {
		name      string
		query     string
		crossTab  bool
		want      settings
		run, fres bool
		wantErrs  []string // prefixes, one per message
	}{
		{"empty", "", false, def, false, false, nil},
		{"preset and options", "preset=stampede&strategy=keyed&latency=50ms&run=1&fresh=1", false,
			settings{Text: preset(t, "stampede").Text, Strategy: stampede.Keyed, Latency: "50ms", TTL: DefaultTTL, Beta: DefaultBeta}, true, true, nil},
		{"preset brings its strategy", "preset=percall", false,
			settings{Text: preset(t, "percall").Text, Strategy: stampede.PerCall, Latency: "200ms", TTL: DefaultTTL, Beta: DefaultBeta}, false, false, nil},
		{"scenario text", "scenario=" + url.QueryEscape(custom) + "&strategy=none", false,
			settings{Text: custom, Strategy: stampede.None, Latency: "200ms", TTL: DefaultTTL, Beta: DefaultBeta}, false, false, nil},
		{"unknown strategy", "strategy=foo", false, def, false, false,
			[]string{`strategy=foo: unknown strategy "foo": want none, lock, keyed, singleflight, percall, crosstab`}},
		{"crosstab without Web Locks", "strategy=crosstab", false, def, false, false,
			[]string{"strategy=crosstab: the crosstab strategy needs Web Locks"}},
		{"crosstab with a locker", "strategy=crosstab", true,
			settings{Text: def.Text, Strategy: stampede.CrossTab, Latency: def.Latency, TTL: DefaultTTL, Beta: DefaultBeta}, false, false, nil},
		{"bad latency", "latency=soon", false, def, false, false,
			[]string{`latency=soon: bad latency "soon": want a Go duration`}},
		{"latency over the limit", "latency=11s", false, def, false, false,
			[]string{"latency=11s: latency 11s is over the limit of 10s"}},
		{"negative latency", "latency=-1ms", false, def, false, false,
			[]string{"latency=-1ms: latency -1ms is negative"}},
		{"zero latency", "latency=0", false, settings{Text: def.Text, Strategy: def.Strategy, Latency: "0", TTL: DefaultTTL, Beta: DefaultBeta}, false, false, nil},
		{"unknown preset", "preset=nope", false, def, false, false,
			[]string{`preset=nope: unknown preset "nope": want seed, once, stampede, percall, mixed`}},
		{"invalid scenario is loaded but reported", "scenario=" + url.QueryEscape("a: jump"), false,
			settings{Text: "a: jump", Strategy: def.Strategy, Latency: def.Latency, TTL: DefaultTTL, Beta: DefaultBeta}, false, false,
			[]string{`scenario=a: jump: line 1, col 4: unknown step "jump"`}},
		{"preset and scenario", "preset=once&scenario=" + url.QueryEscape(custom), false,
			settings{Text: custom, Strategy: def.Strategy, Latency: def.Latency, TTL: DefaultTTL, Beta: DefaultBeta}, false, false,
			[]string{"preset=once: ignored: scenario= is given too"}},
		{"bad flag", "run=yes&fresh=maybe", false, def, true, false,
			[]string{"fresh=maybe: want 1 or 0"}},
		{"preset with its ttl and latency", "preset=expiry", false,
			settings{Text: preset(t, "expiry").Text, Strategy: def.Strategy, Latency: "200ms", TTL: "2s", Beta: DefaultBeta}, false, false, nil},
		{"parameters win over a preset's options", "preset=swr&latency=50ms&ttl=1s", false,
			settings{Text: preset(t, "swr").Text, Strategy: stampede.SWR, Latency: "50ms", TTL: "1s", Beta: DefaultBeta}, false, false, nil},
		{"ttl and beta", "ttl=2s&beta=1.5", false,
			settings{Text: def.Text, Strategy: def.Strategy, Latency: def.Latency, TTL: "2s", Beta: "1.5"}, false, false, nil},
		{"negative ttl", "ttl=-1s", false, def, false, false, []string{"ttl=-1s: ttl -1s is negative"}},
		{"absurd ttl", "ttl=48h", false, def, false, false, []string{"ttl=48h: ttl 48h0m0s is over the limit of 24h0m0s"}},
		{"bad ttl", "ttl=later", false, def, false, false, []string{`ttl=later: bad ttl "later": want a Go duration`}},
		{"negative beta", "beta=-2", false, def, false, false, []string{"beta=-2: beta -2 is negative"}},
		{"absurd beta", "beta=1e9", false, def, false, false, []string{"beta=1e9: beta 1e+09 is over the limit of 100"}},
		{"beta not a number", "beta=NaN", false, def, false, false, []string{`beta=NaN: beta NaN is not a number`}},
		{"beta not even a number", "beta=lots", false, def, false, false, []string{`beta=lots: bad beta "lots"`}},
		{"several errors", "strategy=x&latency=y", false, def, false, false,
			[]string{`strategy=x: unknown strategy`, `latency=y: bad latency`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			got := parseParams(q, def, tt.crossTab)
			if got.settings != tt.want {
				t.Errorf("settings = %+v; want %+v", got.settings, tt.want)
			}
			if got.Run != tt.run || got.Fresh != tt.fres {
				t.Errorf("run, fresh = %v, %v; want %v, %v", got.Run, got.Fresh, tt.run, tt.fres)
			}
			if len(got.Errors) != len(tt.wantErrs) {
				t.Fatalf("errors = %q; want %d starting %q", got.Errors, len(tt.wantErrs), tt.wantErrs)
			}
			for i, want := range tt.wantErrs {
				if !strings.HasPrefix(got.Errors[i], want) {
					t.Errorf("error %d = %q; want it to start %q", i, got.Errors[i], want)
				}
			}
		})
	}
}

func TestStateURLRoundTrip(t *testing.T) {
	base, _ := url.Parse("https://example.org/stampede/?lang=en&run=1&fresh=1#top")
	tests := []struct {
		name string
		in   settings
		want map[string]string // parameters that must be present
		not  []string          // parameters that must be absent
	}{
		{"preset", settings{Text: preset(t, "mixed").Text, Strategy: stampede.Lock, Latency: "1s", TTL: DefaultTTL, Beta: DefaultBeta},
			map[string]string{"preset": "mixed", "strategy": "lock", "latency": "1s", "lang": "en"},
			[]string{"scenario", "run", "fresh"}},
		{"preset without its last newline", settings{Text: strings.TrimSpace(preset(t, "seed").Text), Strategy: stampede.None, Latency: "0", TTL: DefaultTTL, Beta: DefaultBeta},
			map[string]string{"preset": "seed", "strategy": "none", "latency": "0"}, []string{"scenario"}},
		{"custom text", settings{Text: "x: get data/a.json; work 10ms\ny x2: fetch https://example.org/a?b=1&c=#d\n", Strategy: stampede.Singleflight, Latency: "200ms", TTL: DefaultTTL, Beta: DefaultBeta},
			map[string]string{"scenario": "x: get data/a.json; work 10ms\ny x2: fetch https://example.org/a?b=1&c=#d\n", "strategy": "singleflight"},
			[]string{"preset"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := stateURL(base, tt.in)
			u, err := url.Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			if u.Path != "/stampede/" || u.Host != "example.org" || u.Fragment != "" {
				t.Errorf("URL %q: want the page's path and host, no fragment", raw)
			}
			q := u.Query()
			for k, v := range tt.want {
				if q.Get(k) != v {
					t.Errorf("%s = %q; want %q (URL %s)", k, q.Get(k), v, raw)
				}
			}
			for _, k := range tt.not {
				if q.Has(k) {
					t.Errorf("%s present in %s", k, raw)
				}
			}
			back := parseParams(q, defaultSettings(), false)
			if len(back.Errors) > 0 {
				t.Fatalf("parsing %s: %q", raw, back.Errors)
			}
			if back.Run || back.Fresh {
				t.Errorf("a written URL must not run by itself: %s", raw)
			}
			if strings.TrimSpace(back.Text) != strings.TrimSpace(tt.in.Text) || back.Strategy != tt.in.Strategy || back.Latency != tt.in.Latency {
				t.Errorf("round trip = %+v; want %+v", back.settings, tt.in)
			}
		})
	}
}

func TestParseLatency(t *testing.T) {
	for in, want := range map[string]string{"200ms": "", " 1.5s ": "", "0": "", "10s": "",
		"": "latency is empty", "10.001s": "over the limit", "-5ms": "negative", "fast": "bad latency"} {
		_, err := parseLatency(in)
		switch {
		case want == "" && err != nil:
			t.Errorf("parseLatency(%q) = %v; want ok", in, err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
			t.Errorf("parseLatency(%q) = %v; want an error containing %q", in, err, want)
		}
	}
}

func TestResolveRequest(t *testing.T) {
	cur := settings{Text: "a: get data/a.json", Strategy: stampede.Keyed, Latency: "50ms", TTL: DefaultTTL, Beta: DefaultBeta}
	tests := []struct {
		name    string
		fields  map[string]any
		want    runRequest
		wantErr string
	}{
		{"defaults", map[string]any{}, runRequest{settings: cur}, ""},
		{"all fields", map[string]any{"scenario": "b: get data/b.json", "strategy": "none", "latency": "0", "fresh": true},
			runRequest{settings: settings{Text: "b: get data/b.json", Strategy: stampede.None, Latency: "0", TTL: DefaultTTL, Beta: DefaultBeta}, Fresh: true}, ""},
		{"latency in ms", map[string]any{"latency": 250.0}, runRequest{settings: settings{Text: cur.Text, Strategy: cur.Strategy, Latency: "250ms", TTL: DefaultTTL, Beta: DefaultBeta}}, ""},
		{"preset", map[string]any{"preset": "seed"}, runRequest{settings: settings{Text: preset(t, "seed").Text, Strategy: stampede.Lock, Latency: "50ms", TTL: DefaultTTL, Beta: DefaultBeta}}, ""},
		{"preset, strategy given", map[string]any{"preset": "seed", "strategy": "none"}, runRequest{settings: settings{Text: preset(t, "seed").Text, Strategy: stampede.None, Latency: "50ms", TTL: DefaultTTL, Beta: DefaultBeta}}, ""},
		{"fresh as number", map[string]any{"fresh": 1.0}, runRequest{settings: cur, Fresh: true}, ""},
		{"unknown strategy is left to the run", map[string]any{"strategy": "foo"}, runRequest{settings: settings{Text: cur.Text, Strategy: "foo", Latency: cur.Latency, TTL: DefaultTTL, Beta: DefaultBeta}}, ""},
		{"scenario not a string", map[string]any{"scenario": 3.0}, runRequest{}, `run: field "scenario" must be a string, got a number`},
		{"strategy an object", map[string]any{"strategy": jsType("object")}, runRequest{}, `run: field "strategy" must be a string, got a value of type object`},
		{"latency a boolean", map[string]any{"latency": true}, runRequest{}, `run: field "latency" must be a duration string`},
		{"fresh a string", map[string]any{"fresh": "yes"}, runRequest{}, `run: field "fresh" must be a boolean, got a string`},
		{"unknown preset", map[string]any{"preset": "x"}, runRequest{}, `run: preset: unknown preset "x"`},
		{"both", map[string]any{"preset": "seed", "scenario": "a: work 1s"}, runRequest{}, "run: give scenario or preset, not both"},
		{"preset with its options", map[string]any{"preset": "swr"},
			runRequest{settings: settings{Text: preset(t, "swr").Text, Strategy: stampede.SWR, Latency: "200ms", TTL: "2s", Beta: DefaultBeta}}, ""},
		{"ttl in ms and beta", map[string]any{"ttl": 1500.0, "beta": 2.0},
			runRequest{settings: settings{Text: cur.Text, Strategy: cur.Strategy, Latency: cur.Latency, TTL: "1.5s", Beta: "2"}}, ""},
		{"ttl a boolean", map[string]any{"ttl": true}, runRequest{}, `run: field "ttl" must be a duration string like "2s"`},
		{"beta a boolean", map[string]any{"beta": false}, runRequest{}, `run: field "beta" must be a number like 1, got a boolean`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := resolveRequest(tt.fields, cur, "run")
			if tt.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v; want it to start %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v; want %+v", got, tt.want)
			}
		})
	}
}

func TestCheckRequest(t *testing.T) {
	ok := settings{Text: "a: get data/a.json", Strategy: stampede.Lock, Latency: "10ms"}
	tests := []struct {
		name    string
		s       settings
		wantErr string
	}{
		{"ok", ok, ""},
		{"parse error", settings{Text: "a: get data/a.json\nb: get data/a.json\nc: get x; sing", Strategy: ok.Strategy, Latency: ok.Latency, TTL: DefaultTTL, Beta: DefaultBeta}, `line 3, col 11: unknown step "sing"`},
		{"strategy", settings{Text: ok.Text, Strategy: "foo", Latency: ok.Latency, TTL: DefaultTTL, Beta: DefaultBeta}, `unknown strategy "foo": want none, lock`},
		{"crosstab", settings{Text: ok.Text, Strategy: stampede.CrossTab, Latency: ok.Latency, TTL: DefaultTTL, Beta: DefaultBeta}, "the crosstab strategy needs Web Locks"},
		{"latency", settings{Text: ok.Text, Strategy: ok.Strategy, Latency: "1h", TTL: DefaultTTL, Beta: DefaultBeta}, "latency 1h is over the limit of 10s"},
		{"ttl", settings{Text: ok.Text, Strategy: ok.Strategy, Latency: ok.Latency, TTL: "-5s", Beta: DefaultBeta}, "ttl -5s is negative"},
		{"beta", settings{Text: ok.Text, Strategy: ok.Strategy, Latency: ok.Latency, TTL: "1s", Beta: "-1"}, "beta -1 is negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j, err := checkRequest(runRequest{settings: tt.s}, false)
			if tt.wantErr == "" {
				if err != nil || j.scenario == nil || j.latency.Milliseconds() != 10 {
					t.Fatalf("checkRequest = %+v, %v; want a job with 10ms latency", j, err)
				}
				return
			}
			if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v; want it to start %q", err, tt.wantErr)
			}
		})
	}
}

func TestMatchPreset(t *testing.T) {
	for _, p := range stampede.Presets() {
		if got := matchPreset(strings.ReplaceAll(p.Text, "\n", "\r\n")); got != p.Name {
			t.Errorf("matchPreset(%s text) = %q", p.Name, got)
		}
	}
	if got := matchPreset(preset(t, "seed").Text + "x: work 1s\n"); got != "" {
		t.Errorf("edited seed matched %q", got)
	}
}
