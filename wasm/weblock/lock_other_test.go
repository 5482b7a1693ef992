//go:build !(js && wasm)

package weblock

import (
	"context"
	"errors"
	"testing"
)

func TestNativeNew(t *testing.T) {
	l, err := New()
	if !errors.Is(err, ErrNotBrowser) || l != nil {
		t.Fatalf("New() = %v, %v; want nil, ErrNotBrowser", l, err)
	}
	if _, err := (&Locker{}).Lock(context.Background(), "k"); !errors.Is(err, ErrNotBrowser) {
		t.Errorf("Lock: %v; want ErrNotBrowser", err)
	}
}

func TestLockName(t *testing.T) {
	if got, want := LockName("data/a.json"), "stampede:data/a.json"; got != want {
		t.Errorf("LockName = %q; want %q", got, want)
	}
}
