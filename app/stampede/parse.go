package stampede

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// The scenario language's parser: Parse, its errors, and the checks of
// names, durations and URLs.

// ParseError is a scenario error at a line and column (both from 1; the
// column counts characters).
type ParseError struct {
	Line, Col int
	Msg       string
}

func (e *ParseError) Error() string {
	if e.Line == 0 {
		return e.Msg
	}
	return fmt.Sprintf("line %d, col %d: %s", e.Line, e.Col, e.Msg)
}

// Parse reads a scenario:
//
//	# comment
//	name [xN] [every PERIOD for DURATION]: step; step; ...
//
// with the steps `get URL`, `fetch URL`, `work DURATION` and
// `once NAME DURATION`; `every … for …` makes a steady line (see
// Worker). Errors are *ParseError naming line and column.
func Parse(text string) (*Scenario, error) {
	if len(text) > MaxTextBytes {
		return nil, &ParseError{Msg: fmt.Sprintf("scenario is %d bytes: at most %d (64 KiB) allowed", len(text), MaxTextBytes)}
	}
	text = strings.TrimSuffix(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	lines := strings.Split(text, "\n")
	if len(lines) > MaxLines {
		return nil, &ParseError{Line: MaxLines + 1, Col: 1, Msg: fmt.Sprintf("too many lines: at most %d", MaxLines)}
	}
	s := &Scenario{}
	firstLine := map[string]int{}
	total, requests := 0, 0
	for i, line := range lines {
		p := &lineParser{line: line, n: i + 1}
		w, ok, err := p.parse()
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		if prev, dup := firstLine[w.Name]; dup {
			return nil, p.errAt(p.nameCol, "worker %q is already named on line %d", w.Name, prev)
		}
		firstLine[w.Name] = i + 1
		total += w.Count
		if total > MaxWorkers {
			return nil, p.errAt(p.nameCol, "too many workers: %d so far, at most %d in total", total, MaxWorkers)
		}
		requests += w.Requests()
		if requests > MaxRequests {
			col := p.nameCol
			if w.Every > 0 {
				col = p.everyCol
			}
			return nil, p.errAt(col, "too many requests: %d so far, at most %d in a run (get and fetch steps × workers × repetitions)", requests, MaxRequests)
		}
		s.Workers = append(s.Workers, w)
	}
	if len(s.Workers) == 0 {
		return nil, &ParseError{Line: 1, Col: 1, Msg: "no workers: want a line like `name: get data/stuff.json`"}
	}
	return s, nil
}

// lineParser parses one line.
type lineParser struct {
	line     string
	n        int
	nameCol  int
	everyCol int // of `every`, on a steady line
}

func (p *lineParser) errAt(byteOff int, format string, args ...any) *ParseError {
	if byteOff > len(p.line) {
		byteOff = len(p.line)
	}
	return &ParseError{Line: p.n, Col: utf8.RuneCountInString(p.line[:byteOff]) + 1, Msg: fmt.Sprintf(format, args...)}
}

func (p *lineParser) parse() (Worker, bool, error) {
	line := p.line
	if !utf8.ValidString(line) {
		for i := 0; i < len(line); {
			r, size := utf8.DecodeRuneInString(line[i:])
			if r == utf8.RuneError && size <= 1 {
				return Worker{}, false, p.errAt(i, "invalid UTF-8 byte 0x%02x", line[i])
			}
			i += size
		}
	}
	for i, r := range line {
		if r != '\t' && unicode.IsControl(r) {
			return Worker{}, false, p.errAt(i, "control character %U not allowed", r)
		}
	}
	body := stripComment(line)
	if strings.TrimSpace(body) == "" { // blank or comment
		return Worker{}, false, nil
	}
	colon := strings.IndexByte(body, ':')
	if colon < 0 {
		return Worker{}, false, p.errAt(len(line)-len(strings.TrimLeft(line, " \t")), "missing ':' after the worker name: want `name: step; step`")
	}
	w := Worker{Count: 1}
	if err := p.header(body[:colon], &w); err != nil {
		return Worker{}, false, err
	}
	rest := body[colon+1:]
	off := colon + 1
	parts := strings.Split(rest, ";")
	if len(parts) > 0 && strings.TrimSpace(parts[len(parts)-1]) == "" && len(parts) > 1 {
		parts = parts[:len(parts)-1] // a trailing ';' is allowed
	}
	if len(parts) > MaxSteps {
		return Worker{}, false, p.errAt(off, "too many steps: %d, at most %d on a line", len(parts), MaxSteps)
	}
	for _, part := range parts {
		st, err := p.step(part, off)
		if err != nil {
			return Worker{}, false, err
		}
		w.Steps = append(w.Steps, st)
		off += len(part) + 1
	}
	return w, true, nil
}

// header parses `name`, `name xN`, and either followed by
// `every PERIOD for DURATION`.
func (p *lineParser) header(h string, w *Worker) error {
	fields, offs := splitFields(h, 0)
	if len(fields) == 0 {
		return p.errAt(0, "missing worker name before ':'")
	}
	p.nameCol = offs[0]
	name := fields[0]
	if err := checkName(name); err != nil {
		return p.errAt(offs[0], "worker name %q: %v", truncate(name), err)
	}
	w.Name = name
	i := 1
	if i < len(fields) && fields[i] != "every" {
		c := fields[i]
		if len(c) < 2 || (c[0] != 'x' && c[0] != 'X') {
			return p.errAt(offs[i], "unexpected %q after the worker name: want xN, like x50, or every", truncate(c))
		}
		n, err := strconv.Atoi(c[1:])
		if err != nil || n < 1 {
			return p.errAt(offs[i], "bad replica count %q: want x1 to x%d", truncate(c), MaxWorkers)
		}
		if n > MaxWorkers {
			return p.errAt(offs[i], "replica count %d is over the limit of %d workers", n, MaxWorkers)
		}
		w.Count = n
		i++
	}
	if i < len(fields) && fields[i] == "every" {
		if err := p.every(h, fields[i:], offs[i:], w); err != nil {
			return err
		}
		i += 4
	}
	if i < len(fields) {
		return p.errAt(offs[i], "unexpected %q before ':': want `name`, `name xN` or `name xN every 100ms for 6s`", truncate(fields[i]))
	}
	return nil
}

// every parses `every PERIOD for DURATION`, the fields from `every` on;
// h is the header they come from.
func (p *lineParser) every(h string, fields []string, offs []int, w *Worker) error {
	const usage = "a period and a duration, like `every 100ms for 6s`"
	p.everyCol = offs[0]
	if len(fields) < 2 {
		return p.errAt(len(h), "every needs %s", usage)
	}
	period, err := time.ParseDuration(fields[1])
	switch {
	case err != nil:
		return p.errAt(offs[1], "bad period %q: want a Go duration like 100ms", truncate(fields[1]))
	case period < MinPeriod:
		return p.errAt(offs[1], "period %s must be at least %v", fields[1], MinPeriod)
	case period > MaxDuration:
		return p.errAt(offs[1], "period %s is over the limit of %v", fields[1], MaxDuration)
	}
	if len(fields) < 3 {
		return p.errAt(len(h), "every needs %s", usage)
	}
	if fields[2] != "for" {
		return p.errAt(offs[2], "unexpected %q after the period: want %s", truncate(fields[2]), usage)
	}
	if len(fields) < 4 {
		return p.errAt(len(h), "every needs %s", usage)
	}
	d, err := time.ParseDuration(fields[3])
	switch {
	case err != nil:
		return p.errAt(offs[3], "bad duration %q: want a Go duration like 6s", truncate(fields[3]))
	case d > MaxDuration:
		return p.errAt(offs[3], "duration %s is over the limit of %v", fields[3], MaxDuration)
	case d < period:
		return p.errAt(offs[3], "duration %s is shorter than the period %v: want at least one period", fields[3], period)
	}
	w.Every, w.For = period, d
	return nil
}

// step parses one step; off is the byte offset of part in the line.
func (p *lineParser) step(part string, off int) (Step, error) {
	fields, offs := splitFields(part, off)
	if len(fields) == 0 {
		return Step{}, p.errAt(off, "empty step: want get, fetch, work or once")
	}
	verb := fields[0]
	want := func(n int, usage string) error {
		if len(fields) < n {
			return p.errAt(off+len(part), "%s needs %s", verb, usage)
		}
		if len(fields) > n {
			return p.errAt(offs[n], "unexpected %q after %s: separate steps with ';'", truncate(fields[n]), usage)
		}
		return nil
	}
	switch verb {
	case "get", "fetch":
		if err := want(2, "a URL"); err != nil {
			return Step{}, err
		}
		if err := checkURL(fields[1]); err != nil {
			return Step{}, p.errAt(offs[1], "%v", err)
		}
		k := StepGet
		if verb == "fetch" {
			k = StepFetch
		}
		return Step{Kind: k, URL: fields[1]}, nil
	case "work":
		if err := want(2, "a duration like 300ms"); err != nil {
			return Step{}, err
		}
		d, err := parseDuration(fields[1])
		if err != nil {
			return Step{}, p.errAt(offs[1], "%v", err)
		}
		return Step{Kind: StepWork, Dur: d}, nil
	case "once":
		if err := want(3, "a name and a duration, like `once warm_up 300ms`"); err != nil {
			return Step{}, err
		}
		if err := checkName(fields[1]); err != nil {
			return Step{}, p.errAt(offs[1], "once name %q: %v", truncate(fields[1]), err)
		}
		d, err := parseDuration(fields[2])
		if err != nil {
			return Step{}, p.errAt(offs[2], "%v", err)
		}
		return Step{Kind: StepOnce, Name: fields[1], Dur: d}, nil
	}
	return Step{}, p.errAt(offs[0], "unknown step %q: want get, fetch, work or once", truncate(verb))
}

// stripComment cuts a comment: '#' at the start of the line or after a
// space or tab. A '#' inside a URL (a fragment) does not start one.
func stripComment(line string) string {
	for i := 0; i < len(line); i++ {
		if line[i] == '#' && (i == 0 || line[i-1] == ' ' || line[i-1] == '\t') {
			return line[:i]
		}
	}
	return line
}

// splitFields splits s on spaces and tabs, returning each field's byte
// offset plus base.
func splitFields(s string, base int) (fields []string, offs []int) {
	start := -1
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ' ' || s[i] == '\t' {
			if start >= 0 {
				fields = append(fields, s[start:i])
				offs = append(offs, base+start)
				start = -1
			}
			continue
		}
		if start < 0 {
			start = i
		}
	}
	return fields, offs
}

func checkName(name string) error {
	if n := utf8.RuneCountInString(name); n > MaxName {
		return fmt.Errorf("%d characters, at most %d", n, MaxName)
	}
	for _, r := range name {
		if !(r == '_' || r == '-' || r == '.' || unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return fmt.Errorf("character %q not allowed: use letters, digits, '_', '-' or '.'", r)
		}
	}
	return nil
}

func parseDuration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("bad duration %q: want Go syntax like 300ms or 2s", truncate(s))
	}
	if d <= 0 {
		return 0, fmt.Errorf("duration %s must be positive", s)
	}
	if d > MaxDuration {
		return 0, fmt.Errorf("duration %s is over the limit of %v", s, MaxDuration)
	}
	return d, nil
}

// checkURL admits relative URLs and absolute http(s) URLs only.
func checkURL(raw string) error {
	if len(raw) > MaxURL {
		return fmt.Errorf("URL is %d bytes long, at most %d", len(raw), MaxURL)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("bad URL %q: %v", truncate(raw), err)
	}
	if u.Scheme != "" && u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("URL scheme %q refused: want a relative path or http(s)", truncate(u.Scheme))
	}
	if u.Scheme == "" && u.Opaque != "" {
		return fmt.Errorf("bad URL %q: want a relative path or http(s)", truncate(raw))
	}
	if u.Scheme != "" && u.Host == "" {
		return fmt.Errorf("URL %q has no host", truncate(raw))
	}
	return nil
}

// CheckURL reports whether raw is a URL a scenario may fetch.
func CheckURL(raw string) error { return checkURL(raw) }

// truncate keeps user text in messages short.
func truncate(s string) string {
	const max = 40
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max]) + "…"
}
