package ui

import (
	"errors"
	"fmt"
	"maps"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/stampede-playground/stampede/app/lesson"
	"github.com/stampede-playground/stampede/app/stampede"
)

// MaxLatency bounds the added latency a page or a link may ask for.
const MaxLatency = 10 * time.Second

// DefaultLatency is the added latency of a fresh page.
const DefaultLatency = "200ms"

// settings is what the editor holds and a link carries.
type settings struct {
	Text     string            // scenario text
	Strategy stampede.Strategy // may be invalid until checked
	Latency  string            // Go duration text, as typed
	TTL      string            // entries' time to live, Go duration text; "0" never expire
	Beta     string            // xfetch's beta, a number as typed
}

// defaultSettings is the seed preset under its strategy.
func defaultSettings() settings {
	p, _ := stampede.LookupPreset("seed")
	st := p.Strategy
	if st == "" {
		st = stampede.Lock
	}
	return settings{Text: p.Text, Strategy: st, Latency: DefaultLatency, TTL: DefaultTTL, Beta: DefaultBeta}
}

// parseLatency reads added latency: a Go duration from 0 to MaxLatency.
func parseLatency(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, errors.New("latency is empty: want a Go duration like 200ms (0 for none)")
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("bad latency %q: want a Go duration like 200ms or 1.5s", truncate(s))
	}
	if d < 0 {
		return 0, fmt.Errorf("latency %s is negative: want 0 to %v", s, MaxLatency)
	}
	if d > MaxLatency {
		return 0, fmt.Errorf("latency %s is over the limit of %v", s, MaxLatency)
	}
	return d, nil
}

// checkStrategy accepts a strategy name, refusing crosstab when the page
// has no cross-tab Locker.
func checkStrategy(name string, crossTab bool) (stampede.Strategy, error) {
	s, err := stampede.ParseStrategy(name)
	if err != nil {
		return "", err
	}
	if s == stampede.CrossTab && !crossTab {
		return "", stampede.ErrNoCrossTab
	}
	return s, nil
}

// matchPreset names the preset whose text is text, or "" for none.
// Surrounding space does not count: a textarea may drop a final newline.
func matchPreset(text string) string {
	t := strings.TrimSpace(strings.ReplaceAll(text, "\r\n", "\n"))
	for _, p := range stampede.Presets() {
		if strings.TrimSpace(p.Text) == t {
			return p.Name
		}
	}
	return ""
}

// withPreset is s with preset p loaded: its text, its strategy when it
// names one, its ttl (0 for the presets without expiry) and its added
// latency when it names one.
func withPreset(s settings, p stampede.Preset) settings {
	s.Text = p.Text
	if p.Strategy != "" {
		s.Strategy = p.Strategy
	}
	s.TTL = p.TTL.String()
	if p.TTL == 0 {
		s.TTL = DefaultTTL
	}
	if p.Latency > 0 {
		s.Latency = p.Latency.String()
	}
	return s
}

// startup is what the page's URL asks for when it opens.
type startup struct {
	settings
	Lesson   string   // lesson=NAME: open that lesson, with its settings
	Run      bool     // run=1: start a run once the page is ready
	Fresh    bool     // fresh=1: clear the cache first
	FreshSet bool     // fresh= was given, 1 or 0 (a lesson's run clears the cache unless fresh=0)
	Embed    bool     // embed=1: the page is a slide's iframe: editor, counters and log only
	Errors   []string // one message per invalid parameter, naming it
}

// parseParams reads the page's URL parameters over def. An invalid
// parameter leaves def's value and adds a message naming the parameter.
// A scenario= text that does not parse is still loaded, so it can be
// fixed in the editor; its error shows there and a run refuses it.
func parseParams(q url.Values, def settings, crossTab bool) startup {
	st := startup{settings: def}
	bad := func(param, value string, err error) {
		st.Errors = append(st.Errors, fmt.Sprintf("%s=%s: %v", param, truncate(value), err))
	}
	if q.Has("lesson") {
		name := q.Get("lesson")
		if l, _, err := lesson.Lookup(name); err != nil {
			bad("lesson", name, err)
		} else {
			st.Lesson, st.settings = l.Name, lessonSettings(l, 0)
		}
	}
	if st.Lesson != "" { // the lesson's settings win
		q = maps.Clone(q)
		for _, k := range []string{"preset", "scenario", "strategy", "latency", "ttl", "beta"} {
			if q.Has(k) {
				bad(k, q.Get(k), errors.New("ignored: lesson= sets it"))
				q.Del(k)
			}
		}
	}
	_, hasScenario := q["scenario"]
	if q.Has("preset") {
		name := q.Get("preset")
		switch p, err := stampede.LookupPreset(name); {
		case err != nil:
			bad("preset", name, err)
		case hasScenario:
			bad("preset", name, errors.New("ignored: scenario= is given too"))
		default:
			st.settings = withPreset(st.settings, p)
		}
	}
	if hasScenario {
		text := q.Get("scenario")
		st.Text = text
		if _, err := stampede.Parse(text); err != nil {
			bad("scenario", firstLine(text), err)
		}
	}
	if q.Has("strategy") {
		name := q.Get("strategy")
		if s, err := checkStrategy(name, crossTab); err != nil {
			bad("strategy", name, err)
		} else {
			st.Strategy = s
		}
	}
	for _, p := range []struct {
		name  string
		check func(string) error
		to    *string
	}{
		{"latency", func(v string) error { _, err := parseLatency(v); return err }, &st.Latency},
		{"ttl", func(v string) error { _, err := parseTTL(v); return err }, &st.TTL},
		{"beta", func(v string) error { _, err := parseBeta(v); return err }, &st.Beta},
	} {
		if !q.Has(p.name) {
			continue
		}
		if v := q.Get(p.name); p.check(v) != nil {
			bad(p.name, v, p.check(v))
		} else {
			*p.to = strings.TrimSpace(v)
		}
	}
	flag := func(name string) bool {
		if !q.Has(name) {
			return false
		}
		switch v := q.Get(name); strings.ToLower(v) {
		case "1", "true", "yes", "":
			return true
		case "0", "false", "no":
			return false
		default:
			bad(name, v, errors.New("want 1 or 0"))
			return false
		}
	}
	st.Run = flag("run")
	st.Fresh = flag("fresh")
	st.FreshSet = q.Has("fresh")
	st.Embed = flag("embed")
	return st
}

// managedParams are the URL parameters the page reads and writes.
var managedParams = []string{"lesson", "preset", "scenario", "strategy", "latency", "ttl", "beta", "run", "fresh"}

// stateURL returns base with its query describing s: preset=NAME when the
// text is a preset's, else scenario=TEXT, then strategy, latency, and ttl
// and beta when not their defaults. run
// and fresh are dropped, so reloading a shared link does not start a run
// by itself; other parameters are kept.
func stateURL(base *url.URL, s settings) string {
	u := *base
	q := u.Query()
	for _, k := range managedParams {
		q.Del(k)
	}
	if name := matchPreset(s.Text); name != "" {
		q.Set("preset", name)
	} else if len(s.Text) <= stampede.MaxTextBytes {
		q.Set("scenario", s.Text)
	} // a paste over the limit stays out of the URL: the editor says why
	q.Set("strategy", string(s.Strategy))
	q.Set("latency", s.Latency)
	// ttl and beta only when they differ from the defaults, so a link
	// without expiry reads as it always has.
	if ttl, err := parseTTL(s.TTL); err != nil || ttl != 0 {
		q.Set("ttl", s.TTL)
	}
	if b, err := parseBeta(s.Beta); err != nil || b != stampede.DefaultBeta {
		q.Set("beta", s.Beta)
	}
	u.RawQuery = q.Encode()
	u.Fragment = ""
	return u.String()
}

// lessonURL returns base with its query naming lesson name, and no other
// setting: a lesson's link is ?lesson=NAME. Other parameters (embed=1)
// are kept.
func lessonURL(base *url.URL, name string) string {
	u := *base
	q := u.Query()
	for _, k := range managedParams {
		q.Del(k)
	}
	q.Set("lesson", name)
	u.RawQuery = q.Encode()
	u.Fragment = ""
	return u.String()
}

// lessonSettings are the settings of run i of lesson l.
func lessonSettings(l lesson.Lesson, i int) settings {
	ttl := l.TTL
	if ttl == "" {
		ttl = DefaultTTL
	}
	return settings{Text: l.Scenario, Strategy: l.Runs[i].Strategy, Latency: l.Latency, TTL: ttl, Beta: DefaultBeta}
}

// runRequest is one run as the button or window.stampede.run asks for it.
type runRequest struct {
	settings
	Fresh bool
	// Timeout bounds each network fetch, as Go duration text; "" means
	// stampede.DefaultTimeout. Only window.stampede.run sets it.
	Timeout string
}

// MaxTimeout bounds the per-fetch timeout a script may ask for.
const MaxTimeout = 5 * time.Minute

// parseTimeout reads a per-fetch timeout: "" for the default, else a Go
// duration over 0 and at most MaxTimeout.
func parseTimeout(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return stampede.DefaultTimeout, nil
	}
	d, err := time.ParseDuration(s)
	switch {
	case err != nil:
		return 0, fmt.Errorf("bad timeout %q: want a Go duration like 30s", truncate(s))
	case d <= 0:
		return 0, fmt.Errorf("timeout %s must be positive", s)
	case d > MaxTimeout:
		return 0, fmt.Errorf("timeout %s is over the limit of %v", s, MaxTimeout)
	}
	return d, nil
}

// apiFields are the fields window.stampede.run reads from its argument.
var apiFields = []string{"scenario", "preset", "strategy", "latency", "fresh", "timeout", "ttl", "beta"}

// jsType names a JavaScript value of a type run does not take, such as
// an object or a function, for the message.
type jsType string

// resolveRequest turns the fields of window.stampede.run (op "run") or
// compare (op "compare") into a request; its messages start with op.
// fields maps a field name to a string, float64, bool or jsType; absent
// fields take the page's current values from cur. Wrong types are errors
// naming the field; the values themselves are checked by the run.
func resolveRequest(fields map[string]any, cur settings, op string) (runRequest, error) {
	req := runRequest{settings: cur}
	str := func(name string) (string, bool, error) {
		v, ok := fields[name]
		if !ok {
			return "", false, nil
		}
		s, isStr := v.(string)
		if !isStr {
			return "", false, fmt.Errorf("%s: field %q must be a string, got %s", op, name, typeName(v))
		}
		return s, true, nil
	}
	scenario, hasScenario, err := str("scenario")
	if err != nil {
		return req, err
	}
	preset, hasPreset, err := str("preset")
	if err != nil {
		return req, err
	}
	strategy, hasStrategy, err := str("strategy")
	if err != nil {
		return req, err
	}
	switch {
	case hasScenario && hasPreset:
		return req, errors.New(op + ": give scenario or preset, not both")
	case hasScenario:
		req.Text = scenario
	case hasPreset:
		p, err := stampede.LookupPreset(preset)
		if err != nil {
			return req, fmt.Errorf("%s: preset: %w", op, err)
		}
		req.settings = withPreset(req.settings, p) // the fields below win
	}
	if hasStrategy {
		req.Strategy = stampede.Strategy(strategy)
	}
	for _, d := range []struct {
		name, like string
		to         *string
	}{{"latency", "200ms", &req.Latency}, {"timeout", "30s", &req.Timeout}, {"ttl", "2s", &req.TTL}} {
		v, ok := fields[d.name]
		if !ok {
			continue
		}
		switch v := v.(type) {
		case string:
			*d.to = v
		case float64: // milliseconds
			*d.to = time.Duration(v * float64(time.Millisecond)).String()
		default:
			return req, fmt.Errorf("%s: field %q must be a duration string like %q or a number of milliseconds, got %s", op, d.name, d.like, typeName(v))
		}
	}
	if v, ok := fields["beta"]; ok {
		switch v := v.(type) {
		case string:
			req.Beta = v
		case float64:
			req.Beta = strconv.FormatFloat(v, 'g', -1, 64)
		default:
			return req, fmt.Errorf("%s: field \"beta\" must be a number like 1, got %s", op, typeName(v))
		}
	}
	if v, ok := fields["fresh"]; ok {
		switch v := v.(type) {
		case bool:
			req.Fresh = v
		case float64:
			req.Fresh = v != 0
		default:
			return req, fmt.Errorf("%s: field \"fresh\" must be a boolean, got %s", op, typeName(v))
		}
	}
	return req, nil
}

func typeName(v any) string {
	switch v := v.(type) {
	case string:
		return "a string"
	case float64:
		return "a number"
	case bool:
		return "a boolean"
	case jsType:
		return "a value of type " + string(v)
	}
	return fmt.Sprintf("%T", v)
}

// firstLine shortens a scenario for a message.
func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + "…"
	}
	return s
}

// truncate keeps user text in messages short.
func truncate(s string) string { return stampede.Truncate(s, 61) }
