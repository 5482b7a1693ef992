//go:build !(js && wasm)

package idbstore

import (
	"context"
	"errors"
	"testing"

	"github.com/stampede-playground/stampede/app/stampede"
)

func TestNative(t *testing.T) {
	ctx := context.Background()
	if s, err := Open(ctx, "stampede"); s != nil || !errors.Is(err, ErrNotBrowser) {
		t.Errorf("Open = %v, %v; want nil, ErrNotBrowser", s, err)
	}
	st, notice := OpenOrMemory(ctx, "stampede")
	want := "IndexedDB unavailable (not running in a browser): using an in-memory cache; nothing persists across reloads"
	if _, ok := st.(*stampede.MemoryStore); !ok || notice != want {
		t.Errorf("OpenOrMemory = %T, %q; want a MemoryStore and %q", st, notice, want)
	}
	if err := st.Put(ctx, "a", stampede.Response{}); err != nil {
		t.Errorf("the fallback store's Put = %v", err)
	}
}
