//go:build !(js && wasm)

// Package chromium starts Debian's Chromium the one way this project's
// end-to-end tests (e2e) and benchmarks (wasm/internal/bench) drive it:
// headless, as root, on a machine whose network reaches only loopback.
package chromium

import (
	"os"

	"github.com/chromedp/chromedp"
)

// DefaultPath is Debian's chromium package's binary.
const DefaultPath = "/usr/bin/chromium"

// Path is the browser to drive: $CHROMIUM when set, else DefaultPath.
func Path() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	return DefaultPath
}

// Options are chromedp's allocator options for the browser at path with
// a fresh profile in profile (an empty directory the caller removes
// after the browser exited), at 1280x800, followed by extra:
//
//	--no-sandbox                       we run as root
//	--headless --disable-gpu           no display, no GPU
//	--no-first-run --disable-sync      no first-run or sign-in pages
//	--disable-quic
//	--disable-background-networking    without these two the browser keeps
//	--disable-component-update         trying hosts the closed network refuses
//	--user-data-dir=profile
func Options(path, profile string, extra ...chromedp.ExecAllocatorOption) []chromedp.ExecAllocatorOption {
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.Headless,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 800),
	)
	return append(opts, extra...)
}
