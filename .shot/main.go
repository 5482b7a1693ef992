package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/chromedp/chromedp"
)

func main() {
	url, out := os.Args[1], os.Args[2]
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath("/usr/bin/chromium"), chromedp.NoSandbox, chromedp.Headless, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.UserDataDir(os.TempDir()+"/shotprof"),
		chromedp.WindowSize(1280, 1500))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel2 := chromedp.NewContext(actx)
	defer cancel2()
	ctx, cancel3 := context.WithTimeout(ctx, 150*time.Second)
	defer cancel3()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	if e := os.Getenv("EVAL"); e != "" {
		chromedp.Run(ctx, chromedp.Poll[bool](`typeof window.stampede === "object"`, chromedp.WithPollingTimeout(60*time.Second)))
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](e, chromedp.EvalAwaitPromise))
		fmt.Println("eval", v, err)
		return
	}
	st, err := chromedp.Run(ctx, chromedp.Poll[string](`(() => { const o = document.getElementById("run-stats"); return o && o.dataset.state === "done" ? JSON.stringify(o.dataset) : false })()`,
		chromedp.WithPollingInterval(200*time.Millisecond), chromedp.WithPollingTimeout(120*time.Second)))
	if err != nil {
		fmt.Println("poll", err)
		os.Exit(1)
	}
	fmt.Println("cold", st)
	if len(os.Args) > 3 {
		warm, err := chromedp.Run(ctx, chromedp.Evaluate[string](`window.stampede.run({}).then(s => JSON.stringify(s))`, chromedp.EvalAwaitPromise))
		if err != nil {
			fmt.Println("warm", err)
			os.Exit(1)
		}
		fmt.Println("warm", warm)
	}
	chromedp.Do(ctx, chromedp.Sleep(500*time.Millisecond))
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	os.WriteFile(out, png, 0o644)
}
