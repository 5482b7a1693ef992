//go:build js && wasm

// Command idbhit is the cache-hit benchmark page of `make bench`: it
// defines window.goBench(n), which puts one entry through wasm/idbstore
// and times n cached gets, as the playground's store does them. The page
// that loads it (index.html, served by the bench) times the same gets on
// raw IndexedDB in JavaScript.
package main

import (
	"context"
	"strings"
	"syscall/js"
	"time"

	"github.com/stampede-playground/stampede/app/stampede"
	"github.com/stampede-playground/stampede/wasm/idbstore"
)

func main() {
	perf := js.Global().Get("performance")
	js.Global().Set("goBench", js.FuncOf(func(_ js.Value, args []js.Value) any {
		n := args[0].Int()
		body := []byte(strings.Repeat("x", args[1].Int()))
		return js.Global().Get("Promise").New(js.FuncOf(func(_ js.Value, p []js.Value) any {
			resolve, reject := p[0], p[1]
			go func() { // a blocking call inside a js.FuncOf deadlocks
				ctx := context.Background()
				s, err := idbstore.Open(ctx, "idbhit-go")
				if err != nil {
					reject.Invoke(err.Error())
					return
				}
				defer s.Close()
				const url = "/slow/hit?ms=0"
				r := stampede.Response{URL: url, Status: 200, ContentType: "application/json", Body: body, FetchedAt: time.Now(), FetchedBy: "bench"}
				if err := s.Put(ctx, url, r); err != nil {
					reject.Invoke(err.Error())
					return
				}
				samples := js.Global().Get("Array").New()
				for i := range n + 20 { // the first 20 warm up
					t0 := perf.Call("now").Float()
					got, ok, err := s.Get(ctx, url)
					dt := perf.Call("now").Float() - t0
					if err != nil || !ok || len(got.Body) != len(body) {
						reject.Invoke("idbstore get failed")
						return
					}
					if i >= 20 {
						samples.Call("push", dt)
					}
				}
				resolve.Invoke(samples)
			}()
			return nil
		}))
	}))
	js.Global().Set("goReady", true)
	select {}
}
