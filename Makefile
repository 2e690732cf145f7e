# The chatbot gateway. `make run` starts it locally with ELIZA and the chat
# page; `make test` runs every test. Both install what they need.

SHELL := /bin/bash
.DEFAULT_GOAL := help

GO          ?= go
GOBIN       := $(shell $(GO) env GOPATH)/bin
STATICCHECK := $(GOBIN)/staticcheck
STATICCHECK_VERSION := v0.8.2
ADDR        ?= 127.0.0.1:8080
CHATBOT_ADDR    ?= $(ADDR)
CHATBOT_WEB_DIR ?= web/out
# name:sha256 lines written by `make apikey` (scripts/apikey.sh); make run
# turns API-key auth on with them.
APIKEY_FILE     ?= .local/api-key-sha256s
# Stamped into the binary (chatbot version) by make run, build and lambda.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo unknown)

# Fragments in mk/ add their targets to these lists.
TEST_TARGETS  :=
BENCH_TARGETS :=
include $(sort $(wildcard mk/*.mk))

.PHONY: help run test test-go lint vet staticcheck build lambda bench bench-go fuzz clean apikey apikey-revoke

help:
	@echo "make run      start the gateway locally (ELIZA, chat page) on http://$(CHATBOT_ADDR)"
	@echo "make test     run every test (Go, web, SDK, Terraform checks)"
	@echo "make lambda   build dist/bootstrap and dist/chatbot.zip for AWS Lambda (arm64)"
	@echo "make bench    run the benchmarks"
	@echo "make deploy | smoke | destroy   the AWS stack (see docs/deploy.md)"

## Local server ---------------------------------------------------------------

# scripts/run.sh: the address is checked first, the gateway is built and
# answers, then the banner; the chat page builds after that, in the
# background (log: dist/web-build.log), and / says so until it is ready.
# Building both at once would slow the Go build down on a small machine.
# CHATBOT_ADDR and CHATBOT_WEB_DIR from the environment win; a web dir other
# than web/out is served as it is. API keys from `make apikey` turn auth on.
run:
	@GO="$(GO)" MAKE="$(MAKE)" CHATBOT_ADDR="$(CHATBOT_ADDR)" CHATBOT_WEB_DIR="$(CHATBOT_WEB_DIR)" \
	  WEB_DIR="$(WEB)" WEB_BUILD_STAMP="$(WEB_BUILD_STAMP)" APIKEY_FILE="$(APIKEY_FILE)" VERSION="$(VERSION)" \
	  scripts/run.sh

build:
	@mkdir -p dist
	$(GO) build -tags lambda.norpc -trimpath -ldflags "-X main.version=$(VERSION)" -o dist/chatbot ./cmd/chatbot

## Lambda ---------------------------------------------------------------------

lambda:
	@mkdir -p dist
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build -tags lambda.norpc -trimpath -buildvcs=false \
		-ldflags "-s -w -buildid= -X main.version=$(VERSION)" -o dist/bootstrap ./cmd/chatbot
	$(GO) run ./internal/tools/mkzip dist/chatbot.zip bootstrap=dist/bootstrap
	@ls -l dist/chatbot.zip | awk '{printf "dist/chatbot.zip: %.2f MB\n", $$5/1048576}'
	@sha256sum dist/chatbot.zip

## Tests ----------------------------------------------------------------------

# Steps that cannot run on this machine print "SKIPPED: <step>: <why>" and
# append it to $(CHATBOT_SKIPPED); make test's last line counts and names them.
CHATBOT_SKIPPED ?= /dev/null
export CHATBOT_SKIPPED
SKIPPED_FILE := $(CURDIR)/dist/skipped-steps

.PHONY: test-steps
test:
	@mkdir -p dist; : > $(SKIPPED_FILE)
	@$(MAKE) --no-print-directory test-steps CHATBOT_SKIPPED=$(SKIPPED_FILE)
	@scripts/test-summary.sh $(SKIPPED_FILE)

test-steps: lint test-go $(TEST_TARGETS)

test-go:
	$(GO) test -race -count=1 ./...

lint: vet staticcheck
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './web/*')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

$(STATICCHECK):
	$(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

staticcheck: $(STATICCHECK)
	$(STATICCHECK) ./...

bench: bench-go $(BENCH_TARGETS)

bench-go:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 2s ./...

FUZZTIME ?= 30s
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

# make apikey NAME=backend — a new API key, printed once. Its SHA-256 goes to
# the deployed stack's key secret, or with no stack to .local/api-key-sha256s
# (read by make run); APIKEY_TARGET=local|aws chooses. See scripts/apikey.sh.
apikey:
	@TF_DIR=$(TF_DIR) scripts/apikey.sh add $(or $(NAME),default)

apikey-revoke:
	@test -n "$(NAME)" || { echo "usage: make apikey-revoke NAME=<key name>"; exit 2; }
	@TF_DIR=$(TF_DIR) scripts/apikey.sh revoke $(NAME)

clean:
	rm -rf dist bench/results.json
