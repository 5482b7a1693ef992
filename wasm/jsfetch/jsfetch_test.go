package jsfetch

import (
	"testing"
	"time"

	"github.com/stampede-playground/stampede/app/stampede"
)

func TestOptions(t *testing.T) {
	for _, tt := range []struct {
		name        string
		f           *Fetcher
		wantMax     int
		wantTimeout time.Duration
	}{
		{"zero value", &Fetcher{}, stampede.DefaultMaxBody, DefaultTimeout},
		{"defaults", New(), stampede.DefaultMaxBody, DefaultTimeout},
		{"set", New(MaxBody(10), Timeout(time.Second)), 10, time.Second},
		{"no timeout", New(Timeout(0)), stampede.DefaultMaxBody, 0},
		{"negative limit", New(MaxBody(-1)), stampede.DefaultMaxBody, DefaultTimeout},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.f.MaxBodySize(); got != tt.wantMax {
				t.Errorf("MaxBodySize() = %d; want %d", got, tt.wantMax)
			}
			if got := tt.f.TimeoutDuration(); got != tt.wantTimeout {
				t.Errorf("TimeoutDuration() = %v; want %v", got, tt.wantTimeout)
			}
		})
	}
}
