# dynalite (test/dynalite/): an in-memory DynamoDB protocol server that the
# Go tests of the rate limits start themselves on 127.0.0.1. The Go tests
# skip without it, so make test installs it before they run.

DYNALITE := test/dynalite
DYNALITE_NPM_STAMP := $(DYNALITE)/node_modules/.npm-ci-stamp

.PHONY: test-dynalite-deps

test-dynalite-deps: $(DYNALITE_NPM_STAMP)

$(DYNALITE_NPM_STAMP): $(DYNALITE)/package.json $(DYNALITE)/package-lock.json
	cd $(DYNALITE) && npm ci --no-audit --no-fund
	touch $@

test-go bench-go: $(DYNALITE_NPM_STAMP)
