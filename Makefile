# Stampede. `make serve` runs the playground; `make test` runs every test.
# Whatever a target needs that a machine with only Go and Node.js lacks
# (Chromium, Firefox ESR, WebKitGTK's WebDriver, Xvfb, wasmbrowsertest, the
# cross-browser suite's npm packages) is installed on first use.

GO       ?= go
PORT     ?= 8000
# BASE: the path the site is served under (default: URL's path, else /).
# URL: the site's public address, for og:url and the canonical link.
BASE     ?=
URL      ?=
DIST     ?= dist
GOBIN    := $(shell $(GO) env GOPATH)/bin
WBT      := $(GOBIN)/wasmbrowsertest
# The jsfetch tests need an HTTP origin a wasm test cannot open itself:
# this wrapper serves one and hands its address to wasmbrowsertest.
TESTORIGIN := $(GOBIN)/stampede-testorigin
WASM_TEST_PKGS := ./wasm/jsfetch ./wasm/idbstore ./wasm/weblock ./wasm/broadcast
CHROMIUM ?= $(shell command -v chromium 2>/dev/null || echo /usr/bin/chromium)
FIREFOX  ?= $(shell command -v firefox-esr 2>/dev/null || echo /usr/bin/firefox-esr)
NPM      ?= npm
# The cross-browser suite (Firefox, WebKit) and its npm packages.
BROWSERS := e2e/browsers
WASMFLAGS := -trimpath -ldflags="-s -w"

.PHONY: serve build wasm test fmt-check vet test-native test-wasm test-e2e screenshots bench clean tools chromium browsers

## serve: build the site and serve it on http://localhost:$(PORT)
serve: build
	$(GO) run ./wasm serve -dir $(DIST) -addr localhost:$(PORT)

## build: write the static site to $(DIST)/, for hosting under $(BASE)
## (make build URL=https://OWNER.github.io/stampede/ for a real address)
build: wasm
	$(GO) run ./wasm build -out $(DIST)$(if $(BASE), -base $(BASE))$(if $(URL), -url $(URL))

wasm:
	GOOS=js GOARCH=wasm $(GO) build $(WASMFLAGS) -o web/app.wasm ./wasm

## test: formatting, vet (native and js/wasm), native tests with -race,
## adapter tests in headless Chromium, and the end-to-end tests in
## Chromium, Firefox ESR and WebKitGTK. It writes nothing into the tree.
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

test-e2e: chromium browsers
	CHROMIUM=$(CHROMIUM) FIREFOX=$(FIREFOX) $(GO) test -count=1 -timeout 45m ./e2e/...

## screenshots: rewrite the screenshots under docs/ that the README shows
## (make test takes and checks the same ones in a temporary folder)
screenshots: chromium
	STAMPEDE_SHOTS=$(CURDIR)/docs CHROMIUM=$(CHROMIUM) $(GO) test -count=1 -timeout 45m \
		-run '^(TestPlayground|TestTimeline|TestCompare|TestCache|TestShell|TestExpiry|TestLessons)$$' ./e2e/

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

## browsers: what the cross-browser suite needs: Debian's firefox-esr,
## webkit2gtk-driver (WebKitWebDriver) and xvfb, and its npm packages
## exactly as $(BROWSERS)/package-lock.json pins them
browsers: $(BROWSERS)/node_modules/.package-lock.json
	@missing=""; \
	[ -x "$(FIREFOX)" ] || command -v firefox-esr >/dev/null 2>&1 || missing="$$missing firefox-esr"; \
	command -v WebKitWebDriver >/dev/null 2>&1 || missing="$$missing webkit2gtk-driver"; \
	command -v xvfb-run >/dev/null 2>&1 || missing="$$missing xvfb"; \
	command -v xauth >/dev/null 2>&1 || missing="$$missing xauth"; \
	if [ -n "$$missing" ]; then \
		echo "installing Debian's$$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

# npm ci writes node_modules/.package-lock.json: newer than the lockfile
# once the packages it pins are in place.
$(BROWSERS)/node_modules/.package-lock.json: $(BROWSERS)/package.json $(BROWSERS)/package-lock.json
	@command -v node >/dev/null 2>&1 && command -v $(NPM) >/dev/null 2>&1 || { \
		echo "the cross-browser suite needs Node.js 20 or newer and npm"; exit 1; }
	cd $(BROWSERS) && $(NPM) ci --no-audit --no-fund

clean:
	rm -rf $(DIST) web/app.wasm web/app.wasm.br web/app.wasm.gz $(BROWSERS)/node_modules
