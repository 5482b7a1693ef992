//go:build !(js && wasm)

package broadcast

import (
	"errors"
	"testing"
)

func TestNativeOpen(t *testing.T) {
	if c, err := Open[string]("x"); !errors.Is(err, ErrNotBrowser) || c != nil {
		t.Fatalf("Open = %v, %v; want nil, ErrNotBrowser", c, err)
	}
	var c Channel[string]
	c.Publish("x")
	c.Subscribe(func(string) { t.Error("received natively") })()
}
