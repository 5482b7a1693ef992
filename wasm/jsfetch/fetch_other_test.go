//go:build !(js && wasm)

package jsfetch

import (
	"context"
	"errors"
	"testing"
)

func TestFetchNotBrowser(t *testing.T) {
	_, err := New().Fetch(context.Background(), "data/a.json")
	if !errors.Is(err, ErrNotBrowser) {
		t.Errorf("err = %v; want ErrNotBrowser", err)
	}
}
