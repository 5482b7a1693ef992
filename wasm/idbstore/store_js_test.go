//go:build js && wasm

package idbstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stampede-playground/stampede/app/stampede"
)

// dbName returns a database name for this test, deleted when it ends
// (after the test's own cleanups, which close its stores).
func dbName(t *testing.T) string {
	t.Helper()
	name := fmt.Sprintf("idbstore-test-%s-%d", t.Name(), time.Now().UnixNano())
	t.Cleanup(func() { deleteDB(t, name) })
	return name
}

func deleteDB(t *testing.T, name string) {
	t.Helper()
	f, err := globalFactory()
	if err != nil {
		t.Fatal(err)
	}
	req, err := f.DeleteDatabase(name)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := req.Await(ctx); err != nil || ctx.Err() != nil {
		t.Errorf("deleting database %s: %v %v", name, err, ctx.Err())
	}
}

func open(t *testing.T, name string) *Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s, err := Open(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func response(url string, n int) stampede.Response {
	body := make([]byte, n)
	for i := range body {
		body[i] = byte(i) // every byte value, zero and 0xff included
	}
	return stampede.Response{
		URL:         url,
		Status:      203,
		ContentType: "application/octet-stream",
		Body:        body,
		FetchedAt:   time.UnixMilli(1767225600123),
		FetchedBy:   "parse_stuff",
		RunID:       "run-7",
		StoredAt:    time.UnixMicro(1767225600456789), // the store keeps microseconds
		Delta:       201345678 * time.Nanosecond,
	}
}

func equal(a, b stampede.Response) bool {
	return a.URL == b.URL && a.Status == b.Status && a.ContentType == b.ContentType &&
		bytes.Equal(a.Body, b.Body) && a.FetchedAt.Equal(b.FetchedAt) &&
		a.FetchedBy == b.FetchedBy && a.RunID == b.RunID &&
		a.StoredAt.Equal(b.StoredAt) && a.Delta == b.Delta
}

func TestPersistsAcrossOpen(t *testing.T) {
	ctx := context.Background()
	name := dbName(t)
	s := open(t, name)
	want := response("data/keep.json", 10)
	if err := s.Put(ctx, want.URL, want); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
	if _, _, err := s.Get(ctx, want.URL); !errors.Is(err, ErrClosed) {
		t.Errorf("Get after Close: err = %v; want ErrClosed", err)
	}

	s2 := open(t, name)
	got, ok, err := s2.Get(ctx, want.URL)
	if err != nil || !ok || !equal(got, want) {
		t.Errorf("after reopening: %+v, %v, %v; want %+v", got, ok, err, want)
	}
}
