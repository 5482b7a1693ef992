package ui

import (
	"strings"

	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// docKeys is a keydown listener on the document for the keys a panel
// takes while the focus is inside it. It runs synchronously in the
// browser's event dispatch, so it can preventDefault (an arrow would
// otherwise also move a range input, and space scroll the page); go-app's
// own handlers run later on the UI goroutine, too late for that.
type docKeys struct {
	fn app.Func
}

// keyPress is a key pressed without Ctrl, Alt or Meta, on the element
// with the tag name Tag (lower case) and, for an input, the type Type.
type keyPress struct {
	Key, Tag, Type string
	Shift          bool
}

// listen adds the listener: for a key pressed inside an element matching
// within, take says what to do; when it returns a func, the key's default
// is prevented and the func is called (it dispatches what it does).
func (k *docKeys) listen(within string, take func(keyPress) func()) {
	k.fn = app.FuncOf(func(this app.Value, args []app.Value) any {
		if len(args) == 0 {
			return nil
		}
		e := args[0]
		target := e.Get("target")
		if !target.Truthy() || e.Get("ctrlKey").Bool() || e.Get("altKey").Bool() || e.Get("metaKey").Bool() {
			return nil
		}
		if target.Get("closest").Type() != app.TypeFunction || !target.Call("closest", within).Truthy() {
			return nil
		}
		p := keyPress{Key: e.Get("key").String(), Tag: strings.ToLower(target.Get("tagName").String()), Shift: e.Get("shiftKey").Bool()}
		if t := target.Get("type"); t.Type() == app.TypeString {
			p.Type = t.String()
		}
		if do := take(p); do != nil {
			e.Call("preventDefault")
			do()
		}
		return nil
	})
	app.Window().Get("document").Call("addEventListener", "keydown", k.fn)
}

// stop removes the listener, if listening.
func (k *docKeys) stop() {
	if k.fn != nil {
		app.Window().Get("document").Call("removeEventListener", "keydown", k.fn)
		k.fn.Release()
		k.fn = nil
	}
}
