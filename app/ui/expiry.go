package ui

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/stampede-playground/stampede/app/stampede"
)

// The expiry settings: how long a stored entry stays fresh (ttl) and how
// eagerly xfetch refreshes it before then (beta).

const (
	// MaxTTL bounds the time to live a page or a link may ask for.
	MaxTTL = time.Hour
	// DefaultTTL is a fresh page's: entries never expire.
	DefaultTTL = "0"
	// MaxBeta bounds xfetch's beta: past it, every caller refreshes.
	MaxBeta = 100.0
	// DefaultBeta is the beta of a fresh page, the paper's.
	DefaultBeta = "1"
)

// parseTTL reads a time to live: a Go duration from 0 (never expire) to
// MaxTTL; "" counts as 0.
func parseTTL(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	switch {
	case err != nil:
		return 0, fmt.Errorf("bad ttl %q: want a Go duration like 2s (0 never expires)", truncate(s))
	case d < 0:
		return 0, fmt.Errorf("ttl %s is negative: want 0 (never expire) to %v", s, MaxTTL)
	case d > MaxTTL:
		return 0, fmt.Errorf("ttl %s is over the limit of %v", s, MaxTTL)
	}
	return d, nil
}

// parseBeta reads xfetch's beta: a number over 0 and at most MaxBeta;
// "" counts as the default.
func parseBeta(s string) (float64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return stampede.DefaultBeta, nil
	}
	b, err := strconv.ParseFloat(s, 64)
	switch {
	case err != nil || math.IsNaN(b) || math.IsInf(b, 0):
		return 0, fmt.Errorf("bad beta %q: want a number like 1", truncate(s))
	case b <= 0:
		return 0, fmt.Errorf("beta %s must be over 0: 1 is the paper's, higher refreshes earlier", s)
	case b > MaxBeta:
		return 0, fmt.Errorf("beta %s is over the limit of %g", s, MaxBeta)
	}
	return b, nil
}
