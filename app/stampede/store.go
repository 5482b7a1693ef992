package stampede

import (
	"context"
	"fmt"
	"sort"
	"sync"
)

// A Store keeps responses by URL. Each method is one short, complete
// operation: implementations backed by IndexedDB use one transaction per
// call, so no transaction is ever held across a fetch or a lock wait.
type Store interface {
	// Get returns the response stored for url; ok is false when none is.
	Get(ctx context.Context, url string) (r Response, ok bool, err error)
	// Put stores r under url, replacing what was there.
	Put(ctx context.Context, url string, r Response) error
	Delete(ctx context.Context, url string) error
	// Keys returns the stored URLs in sorted order.
	Keys(ctx context.Context) ([]string, error)
	Clear(ctx context.Context) error
}

// MemoryStore is a Store in memory. The zero value is empty and ready; it
// is safe for concurrent use. It serves tests and is the fallback when
// IndexedDB is missing or broken.
type MemoryStore struct {
	mu sync.Mutex          // protects m
	m  map[string]Response // lazily initialized
}

// Get implements Store.
func (s *MemoryStore) Get(ctx context.Context, url string) (Response, bool, error) {
	if err := ctx.Err(); err != nil {
		return Response{}, false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.m[url]
	return r, ok, nil
}

// Put implements Store.
func (s *MemoryStore) Put(ctx context.Context, url string, r Response) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = make(map[string]Response)
	}
	s.m[url] = r
	return nil
}

// Delete implements Store.
func (s *MemoryStore) Delete(ctx context.Context, url string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, url)
	return nil
}

// Keys implements Store.
func (s *MemoryStore) Keys(ctx context.Context) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	keys := make([]string, 0, len(s.m))
	for k := range s.m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys, nil
}

// Clear implements Store.
func (s *MemoryStore) Clear(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m = nil
	return nil
}

// safeStore wraps a Store so that a panic in it becomes an error.
type safeStore struct{ s Store }

func recoverInto(err *error, op string) {
	if p := recover(); p != nil {
		*err = fmt.Errorf("store %s panicked: %v", op, p)
	}
}

func (s safeStore) Get(ctx context.Context, url string) (r Response, ok bool, err error) {
	defer recoverInto(&err, "get")
	return s.s.Get(ctx, url)
}

func (s safeStore) Put(ctx context.Context, url string, r Response) (err error) {
	defer recoverInto(&err, "put")
	return s.s.Put(ctx, url, r)
}
