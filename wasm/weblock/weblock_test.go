package weblock

import (
	"errors"
	"testing"

	"github.com/stampede-playground/stampede/app/stampede"
)

// TestErrUnsupportedIsErrNoCrossTab: the page and the engine say the same
// thing about a browser without Web Locks, and errors.Is matches either.
func TestErrUnsupportedIsErrNoCrossTab(t *testing.T) {
	if !errors.Is(ErrUnsupported, stampede.ErrNoCrossTab) || ErrUnsupported.Error() != stampede.ErrNoCrossTab.Error() {
		t.Errorf("ErrUnsupported = %q; want stampede.ErrNoCrossTab", ErrUnsupported)
	}
}
