package ui

import "github.com/stampede-playground/stampede/app/stampede"

// The expiry settings as the editor and a link hold them: how long a
// stored entry stays fresh (ttl) and how eagerly xfetch refreshes it
// before then (beta). The engine reads and checks them
// (stampede.ParseTTL, stampede.ParseBeta), so the page, a link and the
// API refuse the same values with the same messages.
const (
	// DefaultTTL is a fresh page's: entries never expire.
	DefaultTTL = "0"
	// DefaultBeta is the beta of a fresh page, the paper's.
	DefaultBeta = "1"
)

var (
	parseTTL  = stampede.ParseTTL
	parseBeta = stampede.ParseBeta
)
