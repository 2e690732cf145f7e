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

# The gateway answers as soon as Go has built it: the chat page builds after
# that, in the background (log: dist/web-build.log), and / says so until it is
# ready. Building both at once would slow the Go build down on a small machine.
# CHATBOT_ADDR and CHATBOT_WEB_DIR from the environment win; a web dir other
# than web/out is served as it is. API keys from `make apikey` turn auth on.
run:
	@mkdir -p dist
	@if [ -z "$${API_KEY_SHA256S:-}" ] && [ -s $(APIKEY_FILE) ]; then \
	  API_KEY_SHA256S="$$(grep -v -e '^[[:space:]]*$$' -e '^[[:space:]]*#' $(APIKEY_FILE) | tr -d ' \t\r' | paste -sd, -)"; \
	  export API_KEY_SHA256S; \
	  echo "API keys from $(APIKEY_FILE): auth is on; paste a key into the chat page when it asks"; \
	fi; \
	$(GO) build -o dist/chatbot ./cmd/chatbot || exit 1; \
	web=; \
	if [ "$(CHATBOT_WEB_DIR)" = "$(WEB)/out" ] && ! $(MAKE) -q --no-print-directory $(WEB_BUILD_STAMP) 2>/dev/null; then \
	  $$(command -v setsid) bash -c 'if nice -n 10 $(MAKE) --no-print-directory web-build >dist/web-build.log 2>&1; \
	    then echo "Chat page ready: http://$(CHATBOT_ADDR)/"; \
	    else echo "The chat page did not build (see dist/web-build.log); the API still works"; fi' & web=$$!; \
	  trap '[ -n "$$web" ] && kill -- -$$web 2>/dev/null; true' EXIT; \
	  trap 'exit 130' INT TERM; \
	fi; \
	echo; \
	echo "API: http://$(CHATBOT_ADDR)/v1/chat/completions"; \
	echo "Try:  curl -N http://$(CHATBOT_ADDR)/v1/chat/completions -H 'Content-Type: application/json' \\"; \
	echo "        -d '{\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"I am worried about my mother\"}]}'"; \
	if [ -n "$$web" ]; then echo "Chat page: building in the background; http://$(CHATBOT_ADDR)/ says so until it is ready"; \
	else echo "Chat page: http://$(CHATBOT_ADDR)/ (from $(CHATBOT_WEB_DIR))"; fi; \
	echo; \
	CHATBOT_ADDR=$(CHATBOT_ADDR) CHATBOT_WEB_DIR=$(CHATBOT_WEB_DIR) ELIZA_WORD_DELAY=$${ELIZA_WORD_DELAY:-40ms} ./dist/chatbot

build:
	@mkdir -p dist
	$(GO) build -trimpath -o dist/chatbot ./cmd/chatbot

## Lambda ---------------------------------------------------------------------

lambda:
	@mkdir -p dist
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build -tags lambda.norpc -trimpath -buildvcs=false \
		-ldflags "-s -w -buildid=" -o dist/bootstrap ./cmd/chatbot
	$(GO) run ./internal/tools/mkzip dist/chatbot.zip bootstrap=dist/bootstrap
	@ls -l dist/chatbot.zip | awk '{printf "dist/chatbot.zip: %.2f MB\n", $$5/1048576}'
	@sha256sum dist/chatbot.zip

## Tests ----------------------------------------------------------------------

test: lint test-go $(TEST_TARGETS)
	@echo "all tests passed"

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
