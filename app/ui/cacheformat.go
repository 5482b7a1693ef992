package ui

import (
	"fmt"
	"strings"
	"time"
)

// How the cache inspector words sizes, ages, expiries and run ids.

// byteSize is n bytes for people: 512 B, 1.5 KiB, 2.0 MiB.
func byteSize(n int) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d B", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}

// age is how long before now t was, as "12 s ago".
func age(t, now time.Time) string {
	if t.IsZero() {
		return "unknown"
	}
	d := now.Sub(t)
	switch {
	case d < time.Second:
		return "just now"
	case d < time.Minute:
		return fmt.Sprintf("%d s ago", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h ago", int(d/time.Hour))
	}
	return fmt.Sprintf("%d days ago", int(d/(24*time.Hour)))
}

// expiresIn says when an entry stored at storedAt expires under ttl, as
// "in 1.2 s" or "3 s ago"; "never" without a ttl, "unknown" when the
// entry does not say when it was stored.
func expiresIn(storedAt time.Time, ttl time.Duration, now time.Time) string {
	switch {
	case ttl <= 0:
		return "never"
	case storedAt.IsZero():
		return "unknown"
	}
	d := storedAt.Add(ttl).Sub(now)
	if d >= 0 {
		return "in " + seconds(d)
	}
	return "expired " + seconds(-d) + " ago"
}

func expiresTitle(ttl time.Duration) string {
	if ttl <= 0 {
		return "the last run's ttl was 0: entries never expire"
	}
	return "under the last run's ttl of " + ttl.String()
}

// seconds is d for people, to a tenth of a second under a minute.
func seconds(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%.1f s", d.Seconds())
	}
	return d.Round(time.Second).String()
}

// tookText is how long an entry's fetch took, or "–" when unknown.
func tookText(d time.Duration) string {
	if d <= 0 {
		return "–"
	}
	return fmt.Sprintf("%d ms", d.Milliseconds())
}

// runLabel shortens a run id ("run-3-1712345678901-t3f9a") to "run-3",
// adding the tab when it is not this one's.
func runLabel(id, tab string) string {
	parts := strings.Split(id, "-")
	if len(parts) != 4 || parts[0] != "run" {
		return id
	}
	if parts[3] != tab {
		return parts[0] + "-" + parts[1] + " (tab " + parts[3] + ")"
	}
	return parts[0] + "-" + parts[1]
}

// cacheSummary says what the store holds and how much is listed.
func (l cacheListing) summary() string {
	entries := func(n int) string {
		if n == 1 {
			return "1 entry"
		}
		return fmt.Sprintf("%d entries", n)
	}
	switch {
	case l.Count == 0 && l.Err == "":
		return "The cache is empty."
	case len(l.Entries) < l.Count && l.Err == "":
		return fmt.Sprintf("%s; the first %d by URL listed (%s); %d more not listed.",
			entries(l.Count), len(l.Entries), byteSize(l.Size), l.Count-len(l.Entries))
	case l.Err != "":
		return fmt.Sprintf("%s listed (%s).", entries(len(l.Entries)), byteSize(l.Size))
	}
	return fmt.Sprintf("%s, %s in all.", entries(l.Count), byteSize(l.Size))
}
