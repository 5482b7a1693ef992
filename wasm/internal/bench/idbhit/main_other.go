//go:build !(js && wasm)

// Command idbhit is the cache-hit benchmark page of `make bench`; it only
// does something built for js/wasm (main_js.go).
package main

func main() {}
