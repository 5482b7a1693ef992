package ui

import (
	"bytes"
	"context"
	"fmt"
	"mime"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/stampede-playground/stampede/app/stampede"
)

// An entry's body, as the cache inspector's view shows it: text, never
// markup, whatever the server sent.

// readBody reads url's body as text for the view, off the UI goroutine.
func readBody(ctx context.Context, s stampede.Store, url string) (text, note string) {
	var (
		r  stampede.Response
		ok bool
	)
	err := guardStore(func() (err error) {
		r, ok, err = s.Get(ctx, url)
		return err
	})
	switch {
	case err != nil:
		return "", "reading the body failed: " + err.Error()
	case !ok:
		return "", "no longer in the cache"
	}
	return bodyText(r)
}

// bodyText is r's body as the view shows it: text (never markup),
// invalid UTF-8 and control characters replaced, at most maxViewBytes,
// with a note saying what it is and what was left out.
func bodyText(r stampede.Response) (text, note string) {
	ct := r.ContentType
	if ct == "" {
		ct = "no content type"
	}
	notes := []string{fmt.Sprintf("HTTP %d, %s, %s", r.Status, ct, byteSize(r.Size()))}
	if !isTextType(r.ContentType) {
		notes = append(notes, "not a text type: shown as text anyway")
	}
	b := r.Body
	if len(b) > maxViewBytes {
		cut := maxViewBytes
		for cut > 0 && !utf8.RuneStart(b[cut]) {
			cut--
		}
		b = b[:cut]
		notes = append(notes, fmt.Sprintf("truncated: the first %s of %s shown", byteSize(cut), byteSize(r.Size())))
	}
	if len(b) == 0 {
		notes = append(notes, "empty body")
	}
	if !utf8.Valid(b) {
		notes = append(notes, "bytes that are not UTF-8 shown as \uFFFD")
		b = bytes.ToValidUTF8(b, []byte("\uFFFD"))
	}
	text = strings.Map(func(r rune) rune {
		if r != '\n' && r != '\t' && r != '\r' && unicode.IsControl(r) {
			return '\uFFFD'
		}
		return r
	}, string(b))
	return text, strings.Join(notes, "; ")
}

// isTextType reports whether a content type is text: text/*, JSON, XML,
// JavaScript and their +json/+xml kin.
func isTextType(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	if strings.HasPrefix(mt, "text/") || strings.HasSuffix(mt, "+json") || strings.HasSuffix(mt, "+xml") {
		return true
	}
	switch mt {
	case "application/json", "application/xml", "application/javascript", "application/ecmascript",
		"application/x-www-form-urlencoded", "application/x-ndjson":
		return true
	}
	return false
}
