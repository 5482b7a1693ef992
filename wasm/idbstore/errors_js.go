//go:build js && wasm

package idbstore

import (
	"errors"
	"fmt"
	"syscall/js"

	"github.com/hack-pad/go-indexeddb/idb"
)

// wrap is deferred once by every method, with the operation it is doing:
// `defer wrap(&err, "put %s", url)`. It says what was being done when *err
// happened ("idbstore: put data/a.json: ..."), turns a JavaScript exception
// that syscall/js raised as a panic into *err, and turns what JavaScript
// threw into the DOMException it is. IndexedDB's DOMExceptions read
// "QuotaExceededError: ...", and stay comparable with
// errors.Is(err, idb.NewDOMException(name)). nil stays nil.
func wrap(err *error, op string, args ...any) {
	rescue(err, recover())
	if *err != nil {
		*err = fmt.Errorf("idbstore: %s: %w", fmt.Sprintf(op, args...), translate(*err))
	}
}

// rescue sets *err to p, what recover returned, unless p is nil.
// syscall/js raises a JavaScript exception as a panic.
func rescue(err *error, p any) {
	if p == nil {
		return
	}
	perr, ok := p.(error)
	if !ok {
		perr = fmt.Errorf("%v", p)
	}
	*err = perr
}

// translate turns an exception that JavaScript threw into the
// DOMException it is. go-indexeddb v0.3.2 only does so for errors that
// requests report: what a call throws, e.g. IDBDatabase.transaction on a
// closing connection, reaches it wrapped by safejs, which its type switch
// misses, and comes out as "JavaScript error: ...".
func translate(err error) error {
	var jerr js.Error
	if !errors.As(err, &jerr) || jerr.Value.Type() != js.TypeObject {
		return err
	}
	name, msg := jerr.Value.Get("name"), jerr.Value.Get("message")
	if name.Type() != js.TypeString {
		return err
	}
	dom := idb.NewDOMException(name.String())
	if msg.Type() != js.TypeString || msg.String() == "" {
		return dom
	}
	return fmt.Errorf("%w: %s", dom, msg.String())
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// try calls do and returns what it threw, a JavaScript exception that
// syscall/js raised as a panic, as an error. Callbacks that JavaScript
// calls use it: a panic there would end the program.
func try(do func()) (err error) {
	defer func() { rescue(&err, recover()) }()
	do()
	return nil
}
