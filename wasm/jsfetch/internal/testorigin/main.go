//go:build !js

// Command testorigin serves the HTTP origin that jsfetch's browser tests
// fetch from. Used as go test's -exec wrapper it starts the origin, tells
// the tests where it is through the environment, which wasmbrowsertest
// hands on to the wasm test binary, and runs the real runner:
//
//	go build -o /tmp/testorigin ./wasm/jsfetch/internal/testorigin
//	GOOS=js GOARCH=wasm go test -exec="/tmp/testorigin $(go env GOPATH)/bin/wasmbrowsertest" ./wasm/jsfetch
//
// It sets STAMPEDE_TEST_ORIGIN and STAMPEDE_TEST_OTHER_ORIGIN (the same
// handler on a second port, so another origin) and STAMPEDE_TEST_DEAD_ORIGIN
// (a port where nothing listens), then exits with the runner's status.
//
// Without a command it serves until interrupted: testorigin -addr 127.0.0.1:8090
package main

import (
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"strings"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("testorigin: ")
	if len(os.Args) > 1 && !strings.HasPrefix(os.Args[1], "-") {
		os.Exit(wrap(os.Args[1], os.Args[2:]))
	}
	addr := flag.String("addr", "127.0.0.1:8090", "address to serve on")
	flag.Parse()
	log.Printf("serving on http://%s", *addr)
	log.Fatal(http.ListenAndServe(*addr, &origin{}))
}

// wrap serves the origin on two loopback ports while it runs name args...
// and returns the command's exit status.
func wrap(name string, args []string) int {
	h := &origin{}
	var env []string
	for _, v := range []string{"STAMPEDE_TEST_ORIGIN", "STAMPEDE_TEST_OTHER_ORIGIN"} {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			log.Print(err)
			return 2
		}
		go func() { _ = http.Serve(l, h) }()
		env = append(env, v+"=http://"+l.Addr().String())
	}
	dead, err := deadAddr()
	if err != nil {
		log.Print(err)
		return 2
	}
	env = append(env, "STAMPEDE_TEST_DEAD_ORIGIN=http://"+dead)

	// An interrupt reaches the runner too (same process group); wait for
	// it to exit rather than dying first. Notify, unlike Ignore, is not
	// inherited by the child.
	signal.Notify(make(chan os.Signal, 1), os.Interrupt)

	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit):
		if code := exit.ExitCode(); code > 0 {
			return code
		}
		return 1
	default:
		log.Print(err)
		return 2
	}
}

// deadAddr returns a loopback address nothing listens on: one the kernel
// just handed out and that was closed again.
func deadAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("finding a free port: %w", err)
	}
	addr := l.Addr().String()
	return addr, l.Close()
}
