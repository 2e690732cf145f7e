# The user's commands on AWS: make deploy, make smoke, make outputs,
# make destroy (and make destroy-edge after a stack with the Lambda@Edge
# function). They need AWS credentials and the terraform CLI.
#
# S3 state: make deploy TF_BACKEND_CONFIG=path/to/backend.hcl, where the file
# holds bucket, key, region (and use_lockfile = true). Every later command
# needs the same setting.

TF_DIR ?= terraform
TF_VARS_FILE ?=
TF_BACKEND_CONFIG ?=
TF_APPLY_FLAGS ?=
LITELLM_CONFIG ?= litellm_config.yaml
WEB_ENV_FILE ?= web/.env.local

tf_var_args = $(if $(TF_VARS_FILE),-var-file=$(abspath $(TF_VARS_FILE)))

# The Lambda@Edge package (terraform/edge.tf): handler index.handler.
EDGE_ZIP := dist/payload-hash.zip
# Edge functions terraform destroy had to leave (scripts/destroy-edge.sh).
EDGE_LEFTOVERS := .local/leftover-edge-functions

.PHONY: deploy destroy destroy-edge smoke outputs aws-preflight tf-init edge-zip

aws-preflight:
	@command -v terraform >/dev/null 2>&1 || { echo "error: terraform is not installed (https://developer.hashicorp.com/terraform/install)"; exit 1; }
	@command -v aws >/dev/null 2>&1 || { echo "error: the aws CLI is not installed (https://aws.amazon.com/cli/)"; exit 1; }
	@echo "== checking AWS credentials (aws sts get-caller-identity)"
	@aws sts get-caller-identity --query Arn --output text || { echo "error: no usable AWS credentials; configure a profile (aws configure / aws sso login) or set AWS_* variables"; exit 1; }

tf-init: aws-preflight
	@echo "== terraform init ($(if $(TF_BACKEND_CONFIG),S3 backend from $(TF_BACKEND_CONFIG),local state in $(TF_DIR)))"
ifneq ($(TF_BACKEND_CONFIG),)
	@printf 'terraform {\n  backend "s3" {}\n}\n' > $(TF_DIR)/backend_s3.tf
	terraform -chdir=$(TF_DIR) init -input=false -reconfigure -backend-config=$(abspath $(TF_BACKEND_CONFIG))
else
	@rm -f $(TF_DIR)/backend_s3.tf
	terraform -chdir=$(TF_DIR) init -input=false
endif

edge-zip: $(EDGE_ZIP)

$(EDGE_ZIP): $(TF_DIR)/functions/payload_hash.mjs
	@mkdir -p dist
	$(GO) run ./internal/tools/mkzip $@ index.mjs=$(TF_DIR)/functions/payload_hash.mjs

# An apply that turns edge_payload_hash off leaves the function too
# (skip_destroy); its name is kept for make destroy-edge.
deploy: aws-preflight
	@echo "== building the Lambda packages (make lambda edge-zip)"
	$(MAKE) lambda edge-zip
	@$(MAKE) --no-print-directory tf-init
	@if [ -s $(EDGE_LEFTOVERS) ]; then scripts/destroy-edge.sh || true; fi
	@echo "== terraform apply"
	@edge_before="$$(terraform -chdir=$(TF_DIR) output -raw edge_function_name 2>/dev/null || true)"; \
	terraform -chdir=$(TF_DIR) apply -input=false $(tf_var_args) $(TF_APPLY_FLAGS) || exit $$?; \
	edge_after="$$(terraform -chdir=$(TF_DIR) output -raw edge_function_name 2>/dev/null || true)"; \
	if [ -n "$$edge_before" ] && [ "$$edge_before" != "$$edge_after" ]; then \
		mkdir -p $(dir $(EDGE_LEFTOVERS)); echo "$$edge_before" >> $(EDGE_LEFTOVERS); \
		echo "note: the Lambda@Edge function $$edge_before is detached; run 'make destroy-edge' in a few hours to delete it"; \
	fi
	@$(MAKE) --no-print-directory write-client-config

.PHONY: write-client-config
write-client-config:
	@echo "== writing $(LITELLM_CONFIG) and $(WEB_ENV_FILE)"
	@api="$$(terraform -chdir=$(TF_DIR) output -raw api_base_url)"; \
	base="$$(terraform -chdir=$(TF_DIR) output -raw cloudfront_url)"; \
	pool="$$(terraform -chdir=$(TF_DIR) output -raw cognito_user_pool_id)"; \
	client="$$(terraform -chdir=$(TF_DIR) output -raw cognito_client_id)"; \
	region="$$(terraform -chdir=$(TF_DIR) output -raw region)"; \
	{ \
	  echo "# Written by make deploy. LiteLLM proxy entry for the deployed gateway."; \
	  if [ "$$(terraform -chdir=$(TF_DIR) output -raw edge_payload_hash)" = true ]; then \
	    echo "# The Lambda@Edge function adds x-amz-content-sha256: LiteLLM works unmodified."; \
	  else \
	    echo "# POSTs need x-amz-content-sha256 (CloudFront OAC), which LiteLLM cannot add:"; \
	    echo "# deploy with edge_payload_hash = true (docs/deploy.md, docs/clients.md#behind-cloudfront-the-payload-hash)."; \
	  fi; \
	  echo "model_list:"; \
	  echo "  - model_name: chatbot"; \
	  echo "    litellm_params:"; \
	  echo "      model: openai/eliza"; \
	  echo "      api_base: $$api"; \
	  echo "      api_key: os.environ/CHATBOT_API_KEY  # make apikey NAME=litellm"; \
	} > $(LITELLM_CONFIG); \
	mkdir -p $(dir $(WEB_ENV_FILE)); \
	{ \
	  echo "# Written by make deploy."; \
	  echo "NEXT_PUBLIC_CHATBOT_API_ENDPOINT=$$base"; \
	  echo "NEXT_PUBLIC_COGNITO_REGION=$$region"; \
	  echo "NEXT_PUBLIC_COGNITO_USER_POOL_ID=$$pool"; \
	  echo "NEXT_PUBLIC_COGNITO_CLIENT_ID=$$client"; \
	} > $(WEB_ENV_FILE); \
	echo "API: $$api"

smoke: aws-preflight
	@echo "== smoke test of the deployed gateway (scripts/smoke.sh)"
	TF_DIR=$(TF_DIR) scripts/smoke.sh

outputs:
	@command -v terraform >/dev/null 2>&1 || { echo "error: terraform is not installed"; exit 1; }
	@echo "== terraform output"
	terraform -chdir=$(TF_DIR) output

# The configuration hashes the zips even when destroying; build them if
# missing. A Lambda@Edge function cannot be deleted until CloudFront has
# removed its replicas (hours): terraform forgets it (skip_destroy), and its
# name is recorded for make destroy-edge, which is tried once right away.
destroy: tf-init
	@test -f dist/chatbot.zip || $(MAKE) lambda
	@test -f $(EDGE_ZIP) || $(MAKE) edge-zip
	@echo "== terraform destroy (deletes the function, distribution, user pool, key secret and alarms)"
	@edge="$$(terraform -chdir=$(TF_DIR) output -raw edge_function_name 2>/dev/null || true)"; \
	terraform -chdir=$(TF_DIR) destroy -input=false $(tf_var_args) $(TF_APPLY_FLAGS) || exit $$?; \
	if [ -n "$$edge" ]; then \
		mkdir -p $(dir $(EDGE_LEFTOVERS)); echo "$$edge" >> $(EDGE_LEFTOVERS); \
		echo "== the Lambda@Edge function $$edge (us-east-1) is left for now"; \
		echo "   CloudFront deletes its copies at the edge locations over a few hours; until then Lambda"; \
		echo "   refuses to delete it. It costs nothing meanwhile. Trying once now:"; \
		scripts/destroy-edge.sh "$$edge" || true; \
	fi
	@rm -f $(LITELLM_CONFIG) $(WEB_ENV_FILE)

# make destroy-edge [WAIT=minutes] deletes the edge functions make destroy
# had to leave, retrying for WAIT minutes.
destroy-edge:
	@scripts/destroy-edge.sh --wait $(or $(WAIT),0)
