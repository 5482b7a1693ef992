package stampede_test

import (
	"context"
	"fmt"
	"time"

	"github.com/stampede-playground/stampede/app/stampede"
)

// The asyncio.Lock example: two callers of one URL cause one fetch, and
// do_work's fetch step never waits for the cache lock.
func ExampleRun() {
	slow := stampede.FetcherFunc(func(ctx context.Context, url string) (stampede.Response, error) {
		time.Sleep(20 * time.Millisecond)
		return stampede.Response{Status: 200, Body: []byte(`{}`)}, nil
	})
	preset, _ := stampede.LookupPreset("seed")
	scenario, _ := stampede.Parse(preset.Text)
	st, err := stampede.Run(context.Background(), scenario, stampede.Options{Strategy: stampede.Lock, Fetcher: slow})
	if err != nil {
		panic(err)
	}
	fmt.Printf("requests %d, network fetches %d, deduplicated %d\n", st.Requests, st.Fetches, st.Deduped)
	// Output: requests 3, network fetches 2, deduplicated 1
}
