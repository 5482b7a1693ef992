package trace_test

import (
	"fmt"
	"time"

	"github.com/stampede-playground/stampede/app/stampede"
	"github.com/stampede-playground/stampede/app/trace"
)

func ExampleBuild() {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	tr := trace.Build([]stampede.Event{
		{Seq: 1, At: ms(200), Worker: "parse_stuff", Target: "data/stuff.json", Kind: stampede.KindFetchStart, AddedLatency: ms(200)},
		{Seq: 2, At: ms(1), Worker: "use_stuff", Target: "data/stuff.json", Kind: stampede.KindLockWait},
		{Seq: 3, At: ms(210), Worker: "parse_stuff", Target: "data/stuff.json", Kind: stampede.KindFetchDone, Stored: true},
		{Seq: 4, At: ms(211), Worker: "use_stuff", Target: "data/stuff.json", Kind: stampede.KindLockAcquired},
		{Seq: 5, At: ms(211), Worker: "use_stuff", Target: "data/stuff.json", Kind: stampede.KindCacheHit, By: "parse_stuff"},
	})
	for _, iv := range tr.Intervals {
		fmt.Println(iv.Worker, iv.Kind, iv.Start, iv.End, iv.Open)
	}
	for _, l := range tr.Links {
		fmt.Printf("%s's %s served by %s's %s\n", l.To.Worker, l.To.Kind, l.From.Worker, l.From.Kind)
	}
	// Output:
	// parse_stuff latency 0s 200ms false
	// parse_stuff fetch 200ms 210ms false
	// use_stuff wait 1ms 211ms false
	// use_stuff hit 211ms 211ms false
	// use_stuff held 211ms 211ms true
	// use_stuff's hit served by parse_stuff's fetch
}
