# Starling: `make run` sets up and starts the app; `make test` sets up and runs
# every test; `make dist` builds the release artifacts into dist/.
SHELL := /bin/bash
export PATH := $(PATH):/usr/local/go/bin:$(HOME)/go/bin
GO ?= go
BIN := bin/starling
FUZZTIME ?= 50000x

.PHONY: setup build run test unit fuzz e2e smoke dist clean

setup:
	bash scripts/setup-debian.sh
	$(GO) mod download

build:
	$(GO) build -o $(BIN) .

run: setup build
	./$(BIN) $(ARGS)

test: setup
	$(GO) vet ./...
	$(MAKE) unit
	$(MAKE) fuzz
	$(MAKE) smoke
	$(MAKE) dist

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

# The release artifacts (fyne bundle and .deb) into dist/, then their checks.
dist: setup
	bash packaging/build.sh
	bash packaging/check.sh

clean:
	rm -rf bin dist
