//go:build js && wasm

package idbstore

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/hack-pad/go-indexeddb/idb"

	"github.com/stampede-playground/stampede/app/stampede"
)

// TestDOMError closes the connection behind the store's back: the
// browser's DOMException comes back once, saying what was being done, and
// stays comparable by name.
func TestDOMError(t *testing.T) {
	s := open(t, dbName(t))
	s.jsDB.Call("close")
	err := s.Put(context.Background(), "data/x.json", stampede.Response{})
	if !errors.Is(err, idb.NewDOMException("InvalidStateError")) || !strings.HasPrefix(err.Error(), "idbstore: put data/x.json: InvalidStateError: ") {
		t.Errorf("err = %v; want \"idbstore: put data/x.json: InvalidStateError: ...\"", err)
	}
}
