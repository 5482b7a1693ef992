package ui

import (
	"errors"
	"fmt"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/stampede-playground/stampede/app/stampede"
)

// jsAPI is window.stampede: run(options), compare(options), lastRun and
// the lists scripts use (presets, strategies, lessons). Natively go-app's
// JavaScript values are inert, so it does nothing there.
type jsAPI struct {
	obj     app.Value
	run     app.Func
	compare app.Func
	lastN   int // the run lastRun holds
	stop    func()
}

// installAPI defines window.stampede over r. cur is the page's current
// settings, which a call's missing fields take. It is called on the UI
// goroutine once the page is ready.
//
// run({scenario, preset, strategy, latency, fresh, timeout}) and
// compare({scenario, preset, latency, timeout}) return Promises, settled
// through one bridge (promiseFunc).
func installAPI(ctx app.Context, r *runner, cur func() settings) *jsAPI {
	a := &jsAPI{obj: app.Window().Get("Object").New()}
	a.run = promiseFunc(ctx, "run", func(ctx app.Context, fields map[string]any) (<-chan runResult, error) {
		return r.runFields(ctx, fields, cur())
	}, func(res runResult) (any, error) {
		if res.Err != "" {
			return nil, errors.New(res.Err)
		}
		return resultObject(res), nil
	})
	a.compare = promiseFunc(ctx, "compare", func(ctx app.Context, fields map[string]any) (<-chan compareResult, error) {
		return r.compareFields(ctx, fields, cur())
	}, func(res compareResult) (any, error) {
		switch {
		case res.Err != "":
			return nil, errors.New("compare: " + res.Err)
		case res.Stopped:
			return nil, fmt.Errorf("compare stopped after %d of %d strategies", len(res.Results), res.Total)
		}
		return compareObjects(res), nil
	})
	a.obj.Set("run", a.run)
	a.obj.Set("compare", a.compare)
	a.obj.Set("lastRun", nil)
	a.obj.Set("version", r.env.Version)
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
	a.obj.Set("lessons", lessonObjects())
	app.Window().Set("stampede", a.obj)
	// lastRun follows the runner: every run that ends done, whoever
	// started it.
	a.stop = r.watch(func() {
		if r.run.state == runDone && r.run.n != a.lastN {
			a.lastN = r.run.n
			a.obj.Set("lastRun", resultObject(r.run.result))
		}
	})
	return a
}

// runFields is window.stampede.run on the UI goroutine: missing fields
// take cur, the editor's values, and the run goes through start as the
// button's does.
func (r *runner) runFields(ctx app.Context, fields map[string]any, cur settings) (<-chan runResult, error) {
	if r.busy {
		return nil, errBusy
	}
	req, err := resolveRequest(fields, cur, "run")
	if err != nil {
		r.run.state, r.run.result = runError, runResult{Err: err.Error()}
		r.changed()
		return nil, err
	}
	return r.start(ctx, req)
}

// compareFields is window.stampede.compare on the UI goroutine: missing
// fields take cur, the editor's values.
func (r *runner) compareFields(ctx app.Context, fields map[string]any, cur settings) (<-chan compareResult, error) {
	if r.busy {
		return nil, errBusy
	}
	for _, k := range []string{"strategy", "fresh"} {
		if _, ok := fields[k]; ok {
			return nil, fmt.Errorf("compare: option %q is not taken: compare runs every strategy, each with an empty cache", k)
		}
	}
	req, err := resolveRequest(fields, cur, "compare")
	if err != nil {
		r.failCompare(err)
		return nil, err
	}
	return r.compare(ctx, req, cur.Strategy)
}

func (a *jsAPI) uninstall() {
	a.stop()
	app.Window().Delete("stampede")
	a.run.Release()
	a.compare.Release()
}

// promiseFunc is a window.stampede method named op: it reads its
// argument (undefined, null or an options object), starts the call on
// the UI goroutine and returns a Promise settled by settle with the
// outcome the channel receives. The callback never blocks: it creates
// the Promise and dispatches; a goroutine settles it.
func promiseFunc[T any](ctx app.Context, op string, start func(app.Context, map[string]any) (<-chan T, error), settle func(T) (any, error)) app.Func {
	return app.FuncOf(func(this app.Value, args []app.Value) any {
		arg := app.Undefined()
		if len(args) > 0 {
			arg = args[0]
		}
		fields, argErr := jsFields(op, arg)
		return rawJS(newPromise(func(resolve func(any), reject func(error)) {
			if argErr != nil {
				reject(argErr)
				return
			}
			ctx.Dispatch(func(ctx app.Context) {
				out, err := start(ctx, fields)
				if err != nil {
					reject(err)
					return
				}
				ctx.Async(func() {
					select {
					case res := <-out:
						if v, err := settle(res); err != nil {
							reject(err)
						} else {
							resolve(v)
						}
					case <-ctx.Done():
						reject(fmt.Errorf("the page was closed during the %s", op))
					}
				})
			})
		}))
	})
}

// resultObject is what run resolves to: the stats under their JSON names
// plus runId and stopped.
func resultObject(r runResult) map[string]any {
	m := statsObject(r.Stats)
	m["runId"] = r.RunID
	m["stopped"] = r.Stopped
	return m
}

// jsFields reads the argument of op (run or compare): undefined or null
// for the page's values, else an object whose known fields become
// strings, numbers, booleans or, for other types, a jsType for
// resolveRequest to refuse.
func jsFields(op string, arg app.Value) (map[string]any, error) {
	fields := map[string]any{}
	switch t := arg.Type(); t {
	case app.TypeUndefined, app.TypeNull:
		return fields, nil
	case app.TypeObject:
	default:
		like := "{scenario, strategy, latency, fresh}"
		if op == "compare" {
			like = "{scenario, latency}"
		}
		return nil, fmt.Errorf("%s: want an options object like %s, got %s", op, like, jsTypeName(t))
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
