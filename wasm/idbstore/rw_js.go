//go:build js && wasm

package idbstore

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"syscall/js"

	"github.com/hack-pad/go-indexeddb/idb"

	"github.com/stampede-playground/stampede/app/stampede"
)

// Get implements stampede.Store.
func (s *Store) Get(ctx context.Context, url string) (r stampede.Response, ok bool, err error) {
	defer wrap(&err, "get %s", url)
	v, err := s.read(ctx, url)
	if err := firstErr(ctx.Err(), err); err != nil {
		return stampede.Response{}, false, err
	}
	if v.IsUndefined() {
		return stampede.Response{}, false, nil
	}
	if r, err = decode(v, s.openedAt); err != nil {
		return stampede.Response{}, false, err
	}
	return r, true, nil
}

// Put implements stampede.Store: it writes the whole entry in one put and
// returns once the transaction holding it has committed, so a reload or a
// closed tab leaves the old entry or the new one, never half of one. The
// Puts that arrive while a transaction is being written share the next
// one (batch_js.go). When the origin's storage quota is exceeded the
// oldest entries (by fetchedAt) are evicted and the transaction tried
// once more; a second failure is returned.
//
// If ctx ends first Put returns ctx's error at once; the entry is then
// written whole or not at all.
func (s *Store) Put(ctx context.Context, url string, r stampede.Response) (err error) {
	defer wrap(&err, "put %s", url)
	if err := ctx.Err(); err != nil {
		return err
	}
	p := &pendingPut{url: url, r: r, done: make(chan error, 1)}
	s.enqueue(p)
	select {
	case err := <-p.done:
		return err
	case <-ctx.Done():
		s.dequeue(p)
		return ctx.Err()
	}
}

// Delete implements stampede.Store.
func (s *Store) Delete(ctx context.Context, url string) (err error) {
	defer wrap(&err, "delete %s", url)
	return s.write(ctx, func(store *idb.ObjectStore) error {
		_, err := store.Delete(js.ValueOf(url))
		return err
	})
}

// Clear implements stampede.Store.
func (s *Store) Clear(ctx context.Context) (err error) {
	defer wrap(&err, "clear")
	return s.write(ctx, func(store *idb.ObjectStore) error {
		_, err := store.Clear()
		return err
	})
}

// Keys implements stampede.Store: the stored URLs, sorted as Go sorts
// strings (IndexedDB orders them by UTF-16 code units).
func (s *Store) Keys(ctx context.Context) (keys []string, err error) {
	defer wrap(&err, "keys")
	_, store, err := s.begin(ctx, idb.TransactionReadOnly)
	if err != nil {
		return nil, err
	}
	req, err := store.GetAllKeys()
	if err != nil {
		return nil, err
	}
	vals, err := req.Await(ctx)
	if err := firstErr(ctx.Err(), err); err != nil {
		return nil, err
	}
	keys = make([]string, 0, len(vals))
	for _, v := range vals {
		if v.Type() == js.TypeString {
			keys = append(keys, v.String())
		}
	}
	slices.Sort(keys)
	return keys, nil
}

// Entries returns every stored response, sorted by URL. An entry stored
// without a URL gets its key.
func (s *Store) Entries(ctx context.Context) (entries []stampede.Response, err error) {
	defer wrap(&err, "entries")
	err = s.scan(ctx, func(key, v js.Value) error {
		r, err := decode(v, s.openedAt)
		if err != nil {
			return fmt.Errorf("%s: %w", key.String(), err)
		}
		if r.URL == "" && key.Type() == js.TypeString {
			r.URL = key.String()
		}
		entries = append(entries, r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(entries, func(a, b stampede.Response) int { return strings.Compare(a.URL, b.URL) })
	return entries, nil
}

// scan calls each with the key and value of every entry, in key order, in
// one read-only transaction. each runs inside the transaction's success
// event and must not block, so that the transaction stays alive.
func (s *Store) scan(ctx context.Context, each func(key, v js.Value) error) error {
	_, store, err := s.begin(ctx, idb.TransactionReadOnly)
	if err != nil {
		return err
	}
	req, err := store.OpenCursor(idb.CursorNext)
	if err != nil {
		return err
	}
	err = req.Iter(ctx, func(c *idb.CursorWithValue) error {
		key, err := c.Key()
		if err != nil {
			return err
		}
		v, err := c.Value()
		if err != nil {
			return err
		}
		return each(key, v)
	})
	return firstErr(ctx.Err(), err)
}
