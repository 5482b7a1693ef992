# Stampede. `make serve` runs the playground; `make test` runs every test.
# Whatever a target needs that a machine with only Go lacks (Chromium,
# wasmbrowsertest) is installed on first use.

GO       ?= go
PORT     ?= 8000
BASE     ?= /
DIST     ?= dist
GOBIN    := $(shell $(GO) env GOPATH)/bin
WBT      := $(GOBIN)/wasmbrowsertest
# The jsfetch tests need an HTTP origin a wasm test cannot open itself:
# this wrapper serves one and hands its address to wasmbrowsertest.
TESTORIGIN := $(GOBIN)/stampede-testorigin
WASM_TEST_PKGS := ./wasm/jsfetch ./wasm/idbstore ./wasm/weblock ./wasm/broadcast
CHROMIUM ?= $(shell command -v chromium 2>/dev/null || echo /usr/bin/chromium)
WASMFLAGS := -trimpath -ldflags="-s -w"

.PHONY: serve build wasm test fmt-check vet test-native test-wasm test-e2e bench clean tools chromium

## serve: build the site and serve it on http://localhost:$(PORT)
serve: build
	$(GO) run ./wasm serve -dir $(DIST) -addr localhost:$(PORT)

## build: write the static site to $(DIST)/, for hosting under $(BASE)
build: wasm
	$(GO) run ./wasm build -out $(DIST) -base $(BASE)

wasm:
	GOOS=js GOARCH=wasm $(GO) build $(WASMFLAGS) -o web/app.wasm ./wasm

## test: formatting, vet (native and js/wasm), native tests with -race,
## adapter tests in headless Chromium, and the end-to-end test.
test: fmt-check vet test-native test-wasm test-e2e

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt: these files need formatting:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...
	GOOS=js GOARCH=wasm $(GO) vet ./...

test-native:
	$(GO) test -race -short -count=1 ./...

test-wasm: tools chromium
	GOOS= GOARCH= $(GO) build -o $(TESTORIGIN) ./wasm/jsfetch/internal/testorigin
	GOOS=js GOARCH=wasm $(GO) test -count=1 -exec="$(TESTORIGIN) $(WBT)" $(WASM_TEST_PKGS)

test-e2e: chromium
	CHROMIUM=$(CHROMIUM) $(GO) test -count=1 -timeout 20m ./e2e/...

## bench: measure app.wasm, the page and the engine side by side with
## baselines built in the same run; writes BENCHMARKS.md, prints the table
bench: chromium
	CHROMIUM=$(CHROMIUM) $(GO) run ./wasm/internal/bench -out BENCHMARKS.md

tools: $(WBT)

$(WBT):
	$(GO) install github.com/agnivade/wasmbrowsertest@v0.11.0

chromium:
	@[ -x "$(CHROMIUM)" ] || command -v chromium >/dev/null 2>&1 || { \
		echo "installing Debian's chromium package"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; }

clean:
	rm -rf $(DIST) web/app.wasm web/app.wasm.br web/app.wasm.gz
