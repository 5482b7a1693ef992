package ui

import (
	"strconv"

	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// The SVG helpers the timeline and the compare table's small timelines
// share.
//
// SVG in go-app v9.8.0: app.Elem creates an element with
// document.createElementNS only when XMLNS is set on that very element
// (go-app#890), so every SVG element is made by svgEl. Its Class does not
// work on SVG elements (it sets className, which SVG elements do not let
// a script replace: go-app#919), so SVG is styled through data-
// attributes (data-kind, data-tab, data-k) instead of classes.

// svgNS is the SVG namespace; go-app creates an element in it when told.
const svgNS = "http://www.w3.org/2000/svg"

func svgEl(tag string) app.HTMLElem { return app.Elem(tag).XMLNS(svgNS) }

// svgRect is a rect from x, y, w wide and h high, its numbers written
// with prec decimals.
func svgRect(x, y, w, h float64, prec int) app.HTMLElem {
	return svgEl("rect").Attr("x", svgNum(x, prec)).Attr("y", svgNum(y, prec)).
		Attr("width", svgNum(w, prec)).Attr("height", svgNum(h, prec))
}

// svgNum writes a number of user units with prec decimals.
func svgNum(v float64, prec int) string { return strconv.FormatFloat(v, 'f', prec, 64) }

// f1 writes the timeline's numbers: a tenth of a unit.
func f1(v float64) string { return svgNum(v, 1) }
