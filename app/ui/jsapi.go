package ui

import (
	"errors"
	"fmt"
	"reflect"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/stampede-playground/stampede/app/stampede"
)

// jsAPI is window.stampede: run(options) and lastRun. Natively go-app's
// JavaScript values are inert, so it does nothing there.
type jsAPI struct {
	obj     app.Value
	run     app.Func
	compare app.Func // compare.go
}

// installAPI defines window.stampede for p. It is called on the UI
// goroutine once the page is ready.
//
// run({scenario, preset, strategy, latency, fresh}) returns a Promise.
// The callback never blocks: it reads its argument, creates the Promise
// and dispatches the run to the UI goroutine; a goroutine settles it.
func installAPI(ctx app.Context, p *Playground) *jsAPI {
	a := &jsAPI{obj: app.Window().Get("Object").New()}
	a.run = app.FuncOf(func(this app.Value, args []app.Value) any {
		arg := app.Undefined()
		if len(args) > 0 {
			arg = args[0]
		}
		fields, argErr := jsFields(arg)
		return rawJS(newPromise(func(resolve func(any), reject func(error)) {
			if argErr != nil {
				reject(argErr)
				return
			}
			ctx.Dispatch(func(ctx app.Context) {
				out, err := p.runFields(ctx, fields)
				if err != nil {
					reject(err)
					return
				}
				ctx.Async(func() {
					select {
					case r := <-out:
						if r.Err != "" {
							reject(errors.New(r.Err))
							return
						}
						resolve(resultObject(r))
					case <-ctx.Done():
						reject(errors.New("the page was closed during the run"))
					}
				})
			})
		}))
	})
	a.obj.Set("run", a.run)
	a.compare = p.compareFunc(ctx)
	a.obj.Set("compare", a.compare)
	a.obj.Set("lastRun", nil)
	a.obj.Set("version", p.env.Version)
	names := []any{}
	for _, pr := range stampede.Presets() {
		names = append(names, pr.Name)
	}
	a.obj.Set("presets", names)
	strategies := []any{}
	for _, s := range stampede.Strategies() {
		strategies = append(strategies, string(s))
	}
	a.obj.Set("strategies", strategies)
	app.Window().Set("stampede", a.obj)
	return a
}

// runFields is window.stampede.run on the UI goroutine: missing fields
// take the page's current values, and the run goes through startRun as
// the button's does.
func (p *Playground) runFields(ctx app.Context, fields map[string]any) (<-chan runResult, error) {
	if p.running {
		return nil, errBusy
	}
	req, err := resolveRequest(fields, p.settings)
	if err != nil {
		p.state, p.result = stateError, runResult{Err: err.Error()}
		return nil, err
	}
	return p.startRun(ctx, req)
}

// setLastRun sets window.stampede.lastRun.
func (a *jsAPI) setLastRun(r runResult) {
	if a == nil {
		return
	}
	a.obj.Set("lastRun", resultObject(r))
}

func (a *jsAPI) uninstall() {
	app.Window().Delete("stampede")
	a.run.Release()
	a.compare.Release()
}

// resultObject is what run resolves to: the stats under their JSON names
// plus runId and stopped.
func resultObject(r runResult) map[string]any {
	m := statsObject(r.Stats)
	m["runId"] = r.RunID
	m["stopped"] = r.Stopped
	return m
}

// jsFields reads run's argument: undefined or null for the page's
// values, else an object whose known fields become strings, numbers,
// booleans or, for other types, a jsType for resolveRequest to refuse.
func jsFields(arg app.Value) (map[string]any, error) {
	fields := map[string]any{}
	switch t := arg.Type(); t {
	case app.TypeUndefined, app.TypeNull:
		return fields, nil
	case app.TypeObject:
	default:
		return nil, fmt.Errorf("run: want an options object like {scenario, strategy, latency, fresh}, got %s", jsTypeName(t))
	}
	for _, name := range apiFields {
		v := arg.Get(name)
		switch t := v.Type(); t {
		case app.TypeUndefined, app.TypeNull:
		case app.TypeString:
			fields[name] = v.String()
		case app.TypeNumber:
			fields[name] = v.Float()
		case app.TypeBoolean:
			fields[name] = v.Bool()
		default:
			fields[name] = jsType(jsTypeName(t))
		}
	}
	return fields, nil
}

func jsTypeName(t app.Type) string {
	names := [...]string{"undefined", "null", "boolean", "number", "string", "symbol", "object", "function"}
	if int(t) >= 0 && int(t) < len(names) {
		return names[t]
	}
	return fmt.Sprintf("type(%d)", int(t))
}

// rawJS returns the syscall/js value inside a go-app Value, for a FuncOf
// callback's result: go-app hands that result to js.ValueOf, which knows
// js.Value but not go-app's wrapper around it. In go-app v9.8.0 the
// js/wasm Value is `struct{ js.Value }`; natively it is empty and this
// returns nil.
func rawJS(v app.Value) any {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Struct || rv.NumField() == 0 {
		return nil
	}
	f := rv.Field(0)
	if !rv.Type().Field(0).Anonymous || !f.CanInterface() {
		return nil
	}
	return f.Interface()
}

// newPromise returns a JavaScript Promise whose executor calls exec.
// exec must not block: Promise calls it at once, on the JS event loop.
func newPromise(exec func(resolve func(any), reject func(error))) app.Value {
	f := app.FuncOf(func(_ app.Value, pargs []app.Value) any {
		res, rej := pargs[0], pargs[1]
		exec(func(v any) { res.Call("call", nil, v) }, func(err error) {
			rej.Call("call", nil, app.Window().Get("Error").New(err.Error()))
		})
		return nil
	})
	promise := app.Window().Get("Promise").New(f)
	f.Release()
	return promise
}
