package stampede

import (
	"context"
	"reflect"
	"testing"
)

func TestMemoryStore(t *testing.T) {
	ctx := context.Background()
	var s MemoryStore
	if _, ok, err := s.Get(ctx, "a"); ok || err != nil {
		t.Fatalf("empty Get = %v, %v", ok, err)
	}
	for _, u := range []string{"b", "a", "c"} {
		if err := s.Put(ctx, u, Response{URL: u, Body: []byte(u)}); err != nil {
			t.Fatal(err)
		}
	}
	r, ok, err := s.Get(ctx, "b")
	if !ok || err != nil || string(r.Body) != "b" {
		t.Errorf("Get(b) = %+v, %v, %v", r, ok, err)
	}
	_ = s.Delete(ctx, "b")
	if keys, _ := s.Keys(ctx); !reflect.DeepEqual(keys, []string{"a", "c"}) {
		t.Errorf("Keys = %v", keys)
	}
	_ = s.Clear(ctx)
	if keys, _ := s.Keys(ctx); len(keys) != 0 {
		t.Errorf("after Clear, Keys = %v", keys)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.Put(cctx, "x", Response{}); err == nil {
		t.Error("Put with a cancelled context succeeded")
	}
}
