// Command hello is the baseline of `make bench`: the smallest go-app
// v9.8.0 program, one page rendering one element, built by the bench with
// the same flags as app.wasm. It is never linked into app.wasm.
//
// Built for js/wasm it is the page; built natively it writes the static
// site the bench serves:
//
//	go run ./wasm/internal/bench/hello -out DIR
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// hello renders one element. Its id differs between the prerendered page
// and the browser's render, so the bench can time the first render done
// by app.wasm.
type hello struct{ app.Compo }

func (h *hello) Render() app.UI {
	id := "hello-prerendered"
	if app.IsClient {
		id = "hello"
	}
	return app.H1().ID(id).Text("Hello, world")
}

func main() {
	app.Route("/", &hello{})
	app.RunWhenOnBrowser()

	out := flag.String("out", "dist", "directory to write the static site to")
	flag.Parse()
	if err := app.GenerateStaticWebsite(*out, &app.Handler{Name: "Hello", Title: "Hello"}); err != nil {
		fmt.Fprintln(os.Stderr, "hello:", err)
		os.Exit(1)
	}
}
