# Starling: `make run` sets up and starts the app; `make test` sets up and runs
# every test; `make dist` builds the release artifacts into dist/.
SHELL := /bin/bash
export PATH := $(PATH):/usr/local/go/bin:$(HOME)/go/bin
GO ?= go
BIN := bin/starling
FUZZTIME ?= 50000x

.PHONY: setup build run test unit fuzz e2e smoke dist wine-check vet-cross clean

setup:
	bash scripts/setup-debian.sh
	$(GO) mod download

build:
	$(GO) build -o $(BIN) .

run: setup build
	./$(BIN) $(ARGS)

test: setup
	$(GO) vet ./...
	$(MAKE) vet-cross
	$(MAKE) unit
	$(MAKE) fuzz
	$(MAKE) smoke
	$(MAKE) dist
	$(MAKE) wine-check

# Every package but these must vet for macOS and Windows without cgo, so that
# cgo stays where it is needed: the desktop app (main) and ui need Fyne's
# OpenGL driver, which is cgo on every system. (libxml2 is cgo too, but only
# in one build-tagged file of netcore/voevent.)
CGO_ONLY := github.com/starling-broker/starling github.com/starling-broker/starling/ui
vet-cross:
	@pkgs=$$($(GO) list ./... | grep -vxF $(addprefix -e ,$(CGO_ONLY))); \
	for target in darwin/arm64 darwin/amd64 windows/amd64; do \
	  echo "vet $$target, CGO_ENABLED=0: $$(echo $$pkgs | wc -w) packages (all but $(CGO_ONLY))"; \
	  GOOS=$${target%/*} GOARCH=$${target#*/} CGO_ENABLED=0 $(GO) vet $$pkgs || exit 1; \
	done

# The real window under Xvfb; the screenshot is kept in artifacts/.
smoke: build
	bash scripts/smoke-gui.sh $(BIN)

unit:
	$(GO) test -race -count=1 ./...

# A short run of every fuzz target (50,000 inputs each); FUZZTIME=2000000x
# make fuzz for a longer one. The budget is a count, not a duration: Go 1.26's
# fuzzer can fail a duration run at its deadline with no failing input
# (golang/go#75804), which a count never reaches.
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
	  for target in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "fuzz $$pkg $$target ($(FUZZTIME))"; \
	    $(GO) test -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 1x $$pkg >/tmp/starling-fuzz.log 2>&1 || { cat /tmp/starling-fuzz.log; exit 1; }; \
	  done; \
	done; echo "fuzz: all targets ran clean"

# The release artifacts (fyne bundle, .deb, Windows zip) into dist/, then
# their checks. The Windows build's libxml2 is kept in build/windows/.
dist: setup
	bash packaging/build.sh
	bash packaging/windows.sh
	bash packaging/check.sh

# The Windows zip under Wine: the Comet tutorial both ways, libxml2's schema
# refusal, the window under Xvfb (screenshot in artifacts/).
wine-check: build
	bash packaging/wine-check.sh

clean:
	rm -rf bin dist
