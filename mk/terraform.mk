# Offline checks of the AWS deployment: Terraform formatting and settings,
# the CloudFront Function, the smoke test against a local gateway, and the
# GitHub Actions workflows. None of them needs AWS credentials or network
# access to a provider registry.

TEST_TARGETS += test-terraform test-cloudfront-function test-apikey test-scripts test-smoke-local test-workflows

TF_DIR ?= terraform
TERRAFORM ?= terraform
TOOLS_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/chatbot
ACTIONLINT_VERSION ?= v1.7.12
ACTIONLINT := $(TOOLS_CACHE)/actionlint-$(ACTIONLINT_VERSION)/actionlint
# The third local smoke run turns API-key auth on, so check (c) runs too;
# SMOKE_LOCAL_AUTH=0 skips it.
SMOKE_LOCAL_AUTH ?= 1

.PHONY: test-terraform test-terraform-fmt test-terraform-go test-terraform-validate \
	test-cloudfront-function test-apikey test-scripts test-smoke-local test-workflows tf-provider-args

test-terraform: test-terraform-fmt test-terraform-go test-terraform-validate

test-terraform-fmt:
	@echo "== terraform fmt -check -recursive $(TF_DIR)"
	@if command -v $(TERRAFORM) >/dev/null 2>&1; then \
		$(TERRAFORM) fmt -check -recursive $(TF_DIR); \
	else \
		echo "SKIPPED: terraform fmt: terraform CLI not found (the Go test checks formatting with hclwrite)" | tee -a "$$CHATBOT_SKIPPED"; \
	fi

test-terraform-go:
	@echo "== go test ./$(TF_DIR)/... (HCL settings, validations, provider arguments)"
	go test -count=1 ./$(TF_DIR)/...

# terraform validate and terraform test (tests/*.tftest.hcl, mocked
# providers) need the provider plugins from the registry. Where it cannot be
# reached, init fails within seconds and both are skipped with a SKIPPED
# line; CI (.github/workflows/ci.yml) always runs them. A copy keeps
# .terraform out of the tree; a committed .terraform.lock.hcl is honoured.
test-terraform-validate:
	@echo "== terraform validate and terraform test (mocked providers)"
	@if ! command -v $(TERRAFORM) >/dev/null 2>&1; then \
		echo "SKIPPED: terraform validate and terraform test: terraform CLI not found (CI runs them)" | tee -a "$$CHATBOT_SKIPPED"; exit 0; \
	fi; \
	for mod in $(TF_DIR) $(TF_DIR)/github-oidc; do \
		tmp=$$(mktemp -d); \
		cp $$mod/*.tf $$tmp/; rm -f $$tmp/backend_s3.tf; \
		for d in functions tests; do if [ -d $$mod/$$d ]; then cp -r $$mod/$$d $$tmp/; fi; done; \
		lock=; if [ -f $$mod/.terraform.lock.hcl ]; then cp $$mod/.terraform.lock.hcl $$tmp/; lock=-lockfile=readonly; fi; \
		if timeout 120 $(TERRAFORM) -chdir=$$tmp init -backend=false -input=false -no-color $$lock >$$tmp/init.log 2>&1; then \
			$(TERRAFORM) -chdir=$$tmp validate -no-color && $(TERRAFORM) -chdir=$$tmp test -no-color || { rm -rf $$tmp; exit 1; }; \
		else \
			echo "SKIPPED: terraform validate and terraform test of $$mod: provider plugins unavailable ($$(grep -m1 -iE 'error|failed' $$tmp/init.log | cut -c1-100 | tr -d :))" | tee -a "$$CHATBOT_SKIPPED"; \
		fi; \
		rm -rf $$tmp; \
	done

# The CloudFront viewer function and the Lambda@Edge payload-hash function,
# unit tests and the end-to-end test through a local CloudFront stand-in.
test-cloudfront-function:
	@echo "== node --test $(TF_DIR)/functions"
	node --test --test-concurrency=1 $(TF_DIR)/functions/

# make apikey: secret edits, the local key file, keys accepted by the gateway.
test-apikey:
	@echo "== node --test scripts (make apikey)"
	node --test --test-concurrency=1 scripts/

# shellcheck comes from Debian (apt-get), as chromium does for the web tests;
# where it cannot be installed the step says SKIPPED.
test-scripts:
	@echo "== bash -n scripts/*.sh; shellcheck"
	@for f in scripts/*.sh; do bash -n $$f || exit 1; done
	@command -v shellcheck >/dev/null 2>&1 || { apt-get update && apt-get install -y shellcheck; } >/dev/null 2>&1 || true
	@if command -v shellcheck >/dev/null 2>&1; then shellcheck -S warning scripts/*.sh; \
	else echo "SKIPPED: shellcheck: not installed and apt-get could not install it; bash -n passed" | tee -a "$$CHATBOT_SKIPPED"; fi

# Runs scripts/smoke.sh against the local gateway: once as configured for
# development, once with the payload hash required as on Lambda.
# The first run also drives the unmodified openai SDK (check g); the third
# turns API keys and minted tokens on (checks c, e, f).
test-smoke-local: $(SDK_NPM_STAMP)
	@echo "== smoke test against a local gateway"
	scripts/smoke-local.sh --sdk
	scripts/smoke-local.sh --expect-hash -- REQUIRE_CONTENT_SHA256=true
	@if [ "$(SMOKE_LOCAL_AUTH)" = 1 ]; then \
		key="sk-$$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n' | cut -c1-43)"; \
		sum="$$(printf '%s' "$$key" | sha256sum | cut -d' ' -f1)"; \
		signing="$$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"; \
		CHATBOT_JWT="$$key" scripts/smoke-local.sh --expect-auth --expect-hash --api-key "$$key" -- \
			AUTH_MODE=apikey API_KEY_SHA256S="smoke:$$sum" TOKEN_SIGNING_KEY="$$signing" REQUIRE_CONTENT_SHA256=true; \
	fi

$(ACTIONLINT):
	@echo "== installing actionlint $(ACTIONLINT_VERSION)"
	GOBIN=$(dir $@) go install github.com/rhysd/actionlint/cmd/actionlint@$(ACTIONLINT_VERSION)

# actionlint, plus the rule that every action is pinned by a full commit SHA.
test-workflows: $(ACTIONLINT)
	@echo "== actionlint .github/workflows"
	$(ACTIONLINT) .github/workflows/*.yml
	@unpinned=$$(grep -nE '^\s*-?\s*uses:' .github/workflows/*.yml | grep -vE 'uses:\s*[^@[:space:]]+@[0-9a-f]{40}(\s|$$)' || true); \
	if [ -n "$$unpinned" ]; then echo "actions not pinned by commit SHA:"; echo "$$unpinned"; exit 1; fi

# Regenerates terraform/testdata/provider-arguments.txt (needs npm; large download).
tf-provider-args:
	scripts/provider-args.sh
