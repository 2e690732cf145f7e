# The user's commands on AWS: make deploy, make smoke, make outputs,
# make destroy. They need AWS credentials and the terraform CLI.
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

.PHONY: deploy destroy smoke outputs aws-preflight tf-init

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

deploy: aws-preflight
	@echo "== building the Lambda package (make lambda)"
	$(MAKE) lambda
	@$(MAKE) --no-print-directory tf-init
	@echo "== terraform apply"
	terraform -chdir=$(TF_DIR) apply -input=false $(tf_var_args) $(TF_APPLY_FLAGS)
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
	  echo "# The gateway needs x-amz-content-sha256 on POSTs (CloudFront OAC); see docs/clients.md#behind-cloudfront-the-payload-hash."; \
	  echo "model_list:"; \
	  echo "  - model_name: chatbot"; \
	  echo "    litellm_params:"; \
	  echo "      model: openai/eliza"; \
	  echo "      api_base: $$api"; \
	  echo "      api_key: os.environ/CHATBOT_JWT"; \
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

# The configuration hashes the zip even when destroying; build it if missing.
destroy: tf-init
	@test -f dist/chatbot.zip || $(MAKE) lambda
	@echo "== terraform destroy (deletes the function, distribution, user pool and alarms)"
	terraform -chdir=$(TF_DIR) destroy -input=false $(tf_var_args) $(TF_APPLY_FLAGS)
	@rm -f $(LITELLM_CONFIG) $(WEB_ENV_FILE)
