package stampede

import "unicode/utf8"

// Truncate keeps text for a message or a label short: s when it has at
// most max runes, else its first max-1 runes and "…", max runes in all.
func Truncate(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max-1]) + "…"
}
