package ui

import (
	"strings"

	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// SourceURL is where the footer sends a reader who wants the code.
const SourceURL = "https://github.com/stampede-playground/stampede"

// Hosting: the update notice after a new deploy, the footer, and embed
// mode (embed=1), the page as a slide shows it.

// updateNotice is #update-notice: shown once a new version is installed,
// with a Reload button. It renders nothing until then.
type updateNotice struct {
	app.Compo

	Iversion string // this build's version, as the service worker names its cache

	ready bool   // a new version is installed
	stop  func() // removes watch's listener, while mounted
}

func (u *updateNotice) OnMount(ctx app.Context) { u.stop = u.watch(ctx) }

func (u *updateNotice) OnDismount() {
	if u.stop != nil {
		u.stop()
	}
}

// OnAppUpdate is go-app's signal that the service worker has installed a
// new version in the background: the page runs the old one until reloaded.
// (go-app sets ctx.AppUpdateAvailable() just before it calls this.)
func (u *updateNotice) OnAppUpdate(ctx app.Context) {
	u.ready = true
}

// watch covers what OnAppUpdate misses. go-app reports an update
// through a JavaScript hook that the Go app sets once app.wasm has
// started, and the service worker may install the new version before
// that; it then deletes the old version's cache. So at mount, and when a
// new worker takes control of the page, the page looks for a cache of
// another version (the worker names its cache app-VERSION). It returns a
// func that removes the listener.
func (u *updateNotice) watch(ctx app.Context) func() {
	sw := app.Window().Get("navigator").Get("serviceWorker")
	caches := app.Window().Get("caches")
	if !sw.Truthy() || !caches.Truthy() || u.Iversion == "" {
		return func() {}
	}
	mine := "app-" + u.Iversion
	check := func() {
		if !sw.Get("controller").Truthy() { // not served by a worker: nothing stale
			return
		}
		var then app.Func
		then = app.FuncOf(func(_ app.Value, args []app.Value) any {
			defer then.Release()
			if len(args) > 0 && newerCache(args[0], mine) {
				ctx.Dispatch(func(app.Context) { u.ready = true })
			}
			return nil
		})
		caches.Call("keys").Call("then", then)
	}
	onChange := app.FuncOf(func(app.Value, []app.Value) any {
		check()
		return nil
	})
	sw.Call("addEventListener", "controllerchange", onChange)
	check()
	return func() {
		sw.Call("removeEventListener", "controllerchange", onChange)
		onChange.Release()
	}
}

// newerCache reports whether keys, the service worker's cache names,
// hold another version's app cache than mine.
func newerCache(keys app.Value, mine string) bool {
	for i := 0; i < keys.Length(); i++ {
		if k := keys.Index(i).String(); strings.HasPrefix(k, "app-") && k != mine {
			return true
		}
	}
	return false
}

func (u *updateNotice) onReload(ctx app.Context, e app.Event) { ctx.Reload() }

func (u *updateNotice) Render() app.UI {
	if !u.ready {
		return app.Elem("span").Hidden(true)
	}
	return app.Div().ID("update-notice").Class("banner", "update").Role("status").Body(
		app.Elem("span").Text("A new version is ready, reload to use it. "),
		app.Elem("button").ID("update").Attr("type", "button").Class("primary").Text("Reload").OnClick(u.onReload),
	)
}

// renderFooter shows the build's version (window.stampede.version) and
// where the source is.
func (p *Playground) renderFooter() app.UI {
	v := p.run.env.Version
	if v == "" {
		v = "dev"
	}
	return app.Elem("footer").Class("foot").Body(
		app.Text("Stampede "),
		app.Elem("span").ID("version").Title("the build's version").Text(v),
		app.Text(" · "),
		app.Elem("a").Attr("href", SourceURL).Attr("rel", "noopener").Text("source"),
		app.Text(" · Go and WebAssembly with go-app · share a run: the address bar holds the scenario, strategy and latency"),
	)
}
