# Web chat (web/): Next.js static export, unit tests, browser end-to-end tests.
#
#   make web-build   static export in web/out, rebuilt only when sources change
#   make test-web    typecheck, vitest, next build, Chromium end-to-end and
#                    the bundle budget (e2e/bundle.test.mjs)

TEST_TARGETS += test-web

WEB := web
WEB_NPM_STAMP := $(WEB)/node_modules/.npm-ci-stamp
WEB_BUILD_STAMP := $(WEB)/out/.build-stamp
WEB_SOURCES := $(shell find $(WEB)/src $(WEB)/public -type f 2>/dev/null) \
	$(wildcard $(WEB)/next.config.* $(WEB)/tsconfig.json) $(WEB)/package.json $(WEB)/package-lock.json
CHROMIUM ?= /usr/bin/chromium

export NEXT_TELEMETRY_DISABLED := 1

.PHONY: web-build web-deps test-web web-unit web-e2e web-chromium web-dev

web-deps: $(WEB_NPM_STAMP)

$(WEB_NPM_STAMP): $(WEB)/package.json $(WEB)/package-lock.json
	cd $(WEB) && npm ci --no-audit --no-fund
	touch $@

web-build: $(WEB_BUILD_STAMP)

# next build empties out/ first, so the stamp only exists after a good build.
$(WEB_BUILD_STAMP): $(WEB_NPM_STAMP) $(WEB_SOURCES)
	cd $(WEB) && npx next build
	touch $@

web-chromium:
	@test -x $(CHROMIUM) || { apt-get update && apt-get install -y chromium; }

web-unit: $(WEB_NPM_STAMP)
	cd $(WEB) && npx tsc --noEmit
	cd $(WEB) && npx vitest run

# One file at a time: each builds the gateway and drives its own Chromium;
# screenshots land in web/test-results/. run.test.mjs runs `make run` itself.
web-e2e: $(WEB_BUILD_STAMP) web-chromium
	cd $(WEB) && CHROMIUM_PATH=$(CHROMIUM) node --test --test-concurrency=1 e2e/*.test.mjs

test-web: web-unit web-e2e

# Development server with hot reload; /v1/* is proxied to a gateway at
# CHATBOT_DEV_PROXY (default http://127.0.0.1:8080).
web-dev: $(WEB_NPM_STAMP)
	cd $(WEB) && npx next dev --hostname 127.0.0.1
