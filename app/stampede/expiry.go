package stampede

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Limits and defaults of the expiry options.
const (
	// MaxTTL bounds Config.TTL. Entries outlive a run in IndexedDB, so a
	// ttl longer than a run makes sense; one over a day does not here.
	MaxTTL = 24 * time.Hour
	// DefaultBeta is xfetch's beta when Config.Beta is 0: the paper's
	// recommended value.
	DefaultBeta = 1.0
	// MaxBeta bounds Config.Beta: at 100 an entry whose fetch takes
	// 200 ms is refreshed up to about a minute and a half early.
	MaxBeta = 100.0
)

// CheckTTL accepts a time to live from 0 (entries never expire) to
// MaxTTL; the error names ttl.
func CheckTTL(d time.Duration) error {
	switch {
	case d < 0:
		return fmt.Errorf("ttl %v is negative: want 0 (never expire) to %v", d, MaxTTL)
	case d > MaxTTL:
		return fmt.Errorf("ttl %v is over the limit of %v", d, MaxTTL)
	}
	return nil
}

// ParseTTL reads a time to live as a page or a link gives it: a Go
// duration such as 2s, with "" and "0" meaning never expire.
func ParseTTL(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "0" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("bad ttl %q: want a Go duration like 2s (0 never expires)", truncate(s))
	}
	return d, CheckTTL(d)
}

// CheckBeta accepts xfetch's beta: 0 (meaning DefaultBeta) or a number
// over 0 up to MaxBeta; the error names beta.
func CheckBeta(b float64) error {
	switch {
	case math.IsNaN(b) || math.IsInf(b, 0):
		return fmt.Errorf("beta %v is not a number: want 0 < beta <= %v (default %v)", b, MaxBeta, DefaultBeta)
	case b < 0:
		return fmt.Errorf("beta %v is negative: want 0 < beta <= %v (default %v)", b, MaxBeta, DefaultBeta)
	case b > MaxBeta:
		return fmt.Errorf("beta %v is over the limit of %v", b, MaxBeta)
	}
	return nil
}

// ParseBeta reads xfetch's beta as a page or a link gives it; "" means
// DefaultBeta.
func ParseBeta(s string) (float64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return DefaultBeta, nil
	}
	b, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("bad beta %q: want a number like 1 or 0.5", truncate(s))
	}
	if err := CheckBeta(b); err != nil {
		return 0, err
	}
	if b == 0 {
		b = DefaultBeta
	}
	return b, nil
}

// storedAt is when r's time to live started: StoredAt, or FetchedAt for
// an entry from a Store that does not keep StoredAt. An entry with
// neither has an unknown age and counts as expired under any ttl.
func (r Response) storedAt() time.Time {
	if r.StoredAt.IsZero() {
		return r.FetchedAt
	}
	return r.StoredAt
}

// ExpiresAt is when r expires under ttl: when it was stored plus ttl.
// It is the zero Time when ttl is 0 or less: the entry never expires.
// A response without StoredAt counts from FetchedAt; one with neither
// expired long ago.
func (r Response) ExpiresAt(ttl time.Duration) time.Time {
	if ttl <= 0 {
		return time.Time{}
	}
	at := r.storedAt()
	if at.IsZero() {
		return time.Unix(0, 0) // unknown age: expired
	}
	return at.Add(ttl)
}

// Expired reports whether r is past its time to live at now: now is at
// or after ExpiresAt. Nothing expires under a ttl of 0.
func (r Response) Expired(now time.Time, ttl time.Duration) bool {
	if ttl <= 0 {
		return false
	}
	return !now.Before(r.ExpiresAt(ttl))
}

// EarlyRefresh is xfetch's rule (Vattani, Chierichetti and Lowenstein,
// "Optimal Probabilistic Cache Stampede Prevention", VLDB 2015): a caller
// that finds a fresh entry refreshes it early when
//
//	now − delta·beta·ln(u) ≥ expiry
//
// with u uniform in (0, 1]. Since −ln(u) ≥ 0, the closer expiry and the
// longer the fetch (delta), the likelier; at u = 1 never before expiry.
// A u of 0 or less is read as the smallest positive float: refresh.
func EarlyRefresh(now, expiry time.Time, delta time.Duration, beta, u float64) bool {
	if u <= 0 {
		u = math.SmallestNonzeroFloat64
	}
	ahead := -float64(delta) * beta * math.Log(u) // ns, ≥ 0
	gap := float64(expiry.Sub(now))               // ns until expiry
	return ahead >= gap
}
