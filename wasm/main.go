// Command wasm is Stampede's app. Built for js/wasm it is the playground
// running in the browser (app.wasm); built natively it is the command line
// that prerenders the page and writes or serves the static site:
//
//	go run ./wasm build -out dist -base /
//	go run ./wasm serve -dir dist -addr localhost:8000
//
// Both builds register the same routes, as go-app requires for prerendering.
package main

import (
	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/stampede-playground/stampede/app/ui"
)

func main() {
	registerRoutes()
	app.RunWhenOnBrowser()
	runCLI()
}

// registerRoutes maps paths to pages. Registering again replaces.
func registerRoutes() {
	app.RouteFunc("/", func() app.Composer { return ui.NewPlayground(browserEnv()) })
}
