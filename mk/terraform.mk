# Offline checks of the AWS deployment: Terraform formatting and settings,
# the CloudFront Function, the smoke test against a local gateway, and the
# GitHub Actions workflows. None of them needs AWS credentials or network
# access to a provider registry.

TEST_TARGETS += test-terraform test-cloudfront-function test-smoke-local test-workflows

TF_DIR ?= terraform
TOOLS_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/chatbot
ACTIONLINT_VERSION ?= v1.7.12
ACTIONLINT := $(TOOLS_CACHE)/actionlint-$(ACTIONLINT_VERSION)/actionlint
# The third local smoke run turns API-key auth on, so check (c) runs too;
# SMOKE_LOCAL_AUTH=0 skips it.
SMOKE_LOCAL_AUTH ?= 1

.PHONY: test-terraform test-terraform-fmt test-terraform-go test-terraform-validate \
	test-cloudfront-function test-smoke-local test-workflows tf-provider-args

test-terraform: test-terraform-fmt test-terraform-go test-terraform-validate

test-terraform-fmt:
	@echo "== terraform fmt -check -recursive $(TF_DIR)"
	@if command -v terraform >/dev/null 2>&1; then \
		terraform fmt -check -recursive $(TF_DIR); \
	else \
		echo "notice: terraform CLI not found; skipping terraform fmt (the Go test checks formatting with hclwrite)"; \
	fi

test-terraform-go:
	@echo "== go test ./$(TF_DIR)/... (HCL settings, validations, provider arguments)"
	go test -count=1 ./$(TF_DIR)/...

# terraform validate needs the provider plugins; offline, init fails within a
# second and the check is skipped. A copy keeps .terraform out of the tree.
test-terraform-validate:
	@echo "== terraform validate"
	@if ! command -v terraform >/dev/null 2>&1; then \
		echo "notice: terraform CLI not found; skipping terraform validate"; exit 0; \
	fi; \
	for mod in $(TF_DIR) $(TF_DIR)/github-oidc; do \
		tmp=$$(mktemp -d); \
		cp $$mod/*.tf $$tmp/; rm -f $$tmp/backend_s3.tf; \
		if [ -d $$mod/functions ]; then cp -r $$mod/functions $$tmp/; fi; \
		if timeout 60 terraform -chdir=$$tmp init -backend=false -input=false -no-color >$$tmp/init.log 2>&1; then \
			terraform -chdir=$$tmp validate -no-color || { rm -rf $$tmp; exit 1; }; \
		else \
			echo "notice: provider plugins unavailable ($$(grep -m1 -iE 'error|failed' $$tmp/init.log | cut -c1-100)); skipping terraform validate of $$mod"; \
		fi; \
		rm -rf $$tmp; \
	done

test-cloudfront-function:
	@echo "== node --test $(TF_DIR)/functions"
	node --test $(TF_DIR)/functions/

# Runs scripts/smoke.sh against the local gateway: once as configured for
# development, once with the payload hash required as on Lambda.
test-smoke-local:
	@echo "== smoke test against a local gateway"
	scripts/smoke-local.sh
	scripts/smoke-local.sh --expect-hash -- REQUIRE_CONTENT_SHA256=true
	@if [ "$(SMOKE_LOCAL_AUTH)" = 1 ]; then \
		key="sk-$$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n' | cut -c1-43)"; \
		sum="$$(printf '%s' "$$key" | sha256sum | cut -d' ' -f1)"; \
		CHATBOT_JWT="$$key" scripts/smoke-local.sh --expect-auth --expect-hash -- \
			AUTH_MODE=apikey API_KEY_SHA256S="smoke:$$sum" REQUIRE_CONTENT_SHA256=true; \
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
