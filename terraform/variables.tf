variable "region" {
  type        = string
  description = "AWS region for the Lambda function, Cognito and Bedrock calls (CloudFront is global)."
  default     = "us-east-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9]$", var.region))
    error_message = "region must look like an AWS region code, e.g. us-east-1."
  }
}

variable "project" {
  type        = string
  description = "Short project name; prefixes every resource name."
  default     = "chatbot"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}$", var.project))
    error_message = "project must be 2-21 characters: lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "environment" {
  type        = string
  description = "Deployment environment name (dev, staging, prod, ...); part of every resource name."
  default     = "dev"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,11}$", var.environment))
    error_message = "environment must be 1-12 characters: lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "tags" {
  type        = map(string)
  description = "Extra tags applied to every resource."
  default     = {}

  validation {
    condition     = alltrue([for k, v in var.tags : length(k) <= 128 && length(v) <= 256])
    error_message = "Tag keys must be at most 128 characters and values at most 256."
  }
}

variable "lambda_zip_path" {
  type        = string
  description = "Path to the Lambda deployment package built by `make lambda` (a zip holding the `bootstrap` binary)."
  default     = "../dist/chatbot.zip"

  validation {
    condition     = endswith(var.lambda_zip_path, ".zip")
    error_message = "lambda_zip_path must name a .zip file."
  }
}

variable "lambda_memory_mb" {
  type        = number
  description = "Lambda memory size in MB (CPU scales with it)."
  default     = 256

  validation {
    condition     = var.lambda_memory_mb >= 128 && var.lambda_memory_mb <= 10240 && floor(var.lambda_memory_mb) == var.lambda_memory_mb
    error_message = "lambda_memory_mb must be a whole number between 128 and 10240."
  }
}

variable "lambda_timeout_seconds" {
  type        = number
  description = "Lambda timeout in seconds; bounds the longest streamed answer (the gateway stops DEADLINE_MARGIN before it)."
  default     = 300

  validation {
    condition     = var.lambda_timeout_seconds >= 10 && var.lambda_timeout_seconds <= 900 && floor(var.lambda_timeout_seconds) == var.lambda_timeout_seconds
    error_message = "lambda_timeout_seconds must be a whole number between 10 and 900."
  }
}

variable "reserved_concurrency" {
  type        = number
  description = "Most concurrent executions of the function, and so of open streams (each holds one for its whole length): caps cost and protects the account's other functions. Beyond it Lambda answers 429. -1 removes the cap."
  default     = 10

  validation {
    condition     = var.reserved_concurrency == -1 || (var.reserved_concurrency >= 1 && var.reserved_concurrency <= 1000 && floor(var.reserved_concurrency) == var.reserved_concurrency)
    error_message = "reserved_concurrency must be -1 (unreserved) or a whole number from 1 to 1000 (0 would disable the function)."
  }
}

variable "log_retention_days" {
  type        = number
  description = "Retention of the function's CloudWatch log group, in days."
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a value CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653)."
  }
}

variable "log_level" {
  type        = string
  description = "Gateway log level (LOG_LEVEL)."
  default     = "info"

  validation {
    condition     = contains(["debug", "info", "warn", "error"], var.log_level)
    error_message = "log_level must be one of debug, info, warn, error."
  }
}

variable "max_tokens" {
  type        = number
  description = "Upper bound on completion tokens per request (CHATBOT_MAX_TOKENS); bounds cost per request."
  default     = 1024

  validation {
    condition     = var.max_tokens >= 1 && var.max_tokens <= 65536 && floor(var.max_tokens) == var.max_tokens
    error_message = "max_tokens must be a whole number between 1 and 65536."
  }
}

variable "bedrock_model_id" {
  type        = string
  description = "Default Bedrock model: a foundation-model id (anthropic.claude-...), a cross-region inference profile id (us.anthropic.claude-haiku-4-5-20251001-v1:0) or an ARN (foundation model, inference profile, application inference profile), optionally prefixed invoke: or converse: to choose its API (docs/models.md#two-apis). Empty makes ELIZA the default model."
  default     = ""

  validation {
    condition     = var.bedrock_model_id == "" || can(regex("^((invoke|converse):)?(arn:aws[a-z-]*:bedrock:[a-z0-9-]*:[0-9]*:(foundation-model|inference-profile|application-inference-profile)/[A-Za-z0-9.:_-]+|[a-z0-9-]+\\.[A-Za-z0-9.:_-]+)$", var.bedrock_model_id))
    error_message = "bedrock_model_id must be empty, a model or inference profile id such as us.anthropic.claude-haiku-4-5-20251001-v1:0, or a foundation-model, inference-profile or application-inference-profile ARN, optionally prefixed invoke: or converse:."
  }
}

variable "bedrock_models" {
  type        = list(string)
  description = "Further Bedrock model ids clients may select (BEDROCK_MODELS). The function may invoke exactly these plus bedrock_model_id."
  default     = []

  validation {
    condition     = alltrue([for m in var.bedrock_models : can(regex("^((invoke|converse):)?(arn:aws[a-z-]*:bedrock:[a-z0-9-]*:[0-9]*:(foundation-model|inference-profile|application-inference-profile)/[A-Za-z0-9.:_-]+|[a-z0-9-]+\\.[A-Za-z0-9.:_-]+)$", m))])
    error_message = "Every bedrock_models entry must be a model or inference profile id, or a foundation-model, inference-profile or application-inference-profile ARN, optionally prefixed invoke: or converse:."
  }
}

variable "bedrock_fallback_models" {
  type        = list(string)
  description = "Bedrock models tried in order when the requested one is throttled, unavailable or times out (BEDROCK_FALLBACK_MODELS); the function may invoke them too."
  default     = []

  validation {
    condition     = alltrue([for m in var.bedrock_fallback_models : can(regex("^((invoke|converse):)?(arn:aws[a-z-]*:bedrock:[a-z0-9-]*:[0-9]*:(foundation-model|inference-profile|application-inference-profile)/[A-Za-z0-9.:_-]+|[a-z0-9-]+\\.[A-Za-z0-9.:_-]+)$", m))])
    error_message = "Every bedrock_fallback_models entry must be a model or inference profile id, or a foundation-model, inference-profile or application-inference-profile ARN, optionally prefixed invoke: or converse: (as bedrock_models)."
  }
}

variable "failover" {
  type        = string
  description = "on or off: continue an answer that fails mid-stream on the next model of bedrock_fallback_models (FAILOVER); on needs a chain."
  default     = "on"

  validation {
    condition     = contains(["on", "off"], var.failover)
    error_message = "failover must be on or off."
  }
}

variable "system_prompt" {
  type        = string
  description = "System prompt prepended to every conversation (SYSTEM_PROMPT). Empty for none."
  default     = ""

  validation {
    # Lambda environment variables share a 4 KB budget.
    condition     = length(var.system_prompt) <= 2048
    error_message = "system_prompt must be at most 2048 characters (Lambda environment variables are limited to 4 KB in total)."
  }
}

variable "allowed_origins" {
  type        = list(string)
  description = "Browser origins allowed by CORS (ALLOWED_ORIGINS), e.g. https://chat.example.com. Empty allows no cross-origin browser calls."
  default     = []

  validation {
    condition     = alltrue([for o in var.allowed_origins : can(regex("^(https://[a-z0-9.-]+(:[0-9]+)?|http://(localhost|127\\.0\\.0\\.1)(:[0-9]+)?)$", o))])
    error_message = "allowed_origins entries must be https://host[:port] (or http://localhost[:port] for development), without a path or trailing slash."
  }
}

variable "allowed_cidrs" {
  type        = list(string)
  description = "Client networks allowed to call the API (ALLOWED_CIDRS), matched against CloudFront-Viewer-Address. Empty allows every address."
  default     = []

  validation {
    condition     = alltrue([for c in var.allowed_cidrs : can(cidrhost(c, 0))])
    error_message = "allowed_cidrs entries must be CIDR blocks such as 203.0.113.0/24 or 2001:db8::/32."
  }
}

variable "price_class" {
  type        = string
  description = "CloudFront price class (which edge locations serve the API)."
  default     = "PriceClass_100"

  validation {
    condition     = contains(["PriceClass_100", "PriceClass_200", "PriceClass_All"], var.price_class)
    error_message = "price_class must be PriceClass_100, PriceClass_200 or PriceClass_All."
  }
}

variable "origin_read_timeout" {
  type        = number
  description = "Seconds CloudFront waits for the next bytes from the function; SSE heartbeats (CHATBOT_HEARTBEAT) must arrive well inside it. Above 60 needs a CloudFront quota increase."
  default     = 60

  validation {
    condition     = var.origin_read_timeout >= 60 && var.origin_read_timeout <= 180
    error_message = "origin_read_timeout must be between 60 and 180 seconds: streams pause between tokens."
  }
}

variable "domain_aliases" {
  type        = list(string)
  description = "Optional custom domain names for the distribution; needs acm_certificate_arn."
  default     = []

  validation {
    condition     = alltrue([for d in var.domain_aliases : can(regex("^[a-z0-9*][a-z0-9.-]+[a-z0-9]$", d))])
    error_message = "domain_aliases entries must be lowercase DNS names."
  }
}

variable "acm_certificate_arn" {
  type        = string
  description = "ACM certificate (in us-east-1) for domain_aliases. Null uses the default *.cloudfront.net certificate."
  default     = null

  validation {
    condition     = var.acm_certificate_arn == null || can(regex("^arn:aws[a-z-]*:acm:us-east-1:[0-9]{12}:certificate/.+$", var.acm_certificate_arn))
    error_message = "acm_certificate_arn must be an ACM certificate ARN in us-east-1 (a CloudFront requirement)."
  }
}

variable "create_cognito" {
  type        = bool
  description = "Create a Cognito user pool and public app client. Set false and give cognito_user_pool_id and cognito_client_ids to use an existing pool."
  default     = true
}

variable "cognito_user_pool_id" {
  type        = string
  description = "Existing Cognito user pool id (when create_cognito is false)."
  default     = ""

  validation {
    condition     = var.cognito_user_pool_id == "" || can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]_[0-9A-Za-z]+$", var.cognito_user_pool_id))
    error_message = "cognito_user_pool_id must look like us-east-1_AbCdEf123."
  }
}

variable "cognito_client_ids" {
  type        = list(string)
  description = "Existing app client ids accepted in tokens (with create_cognito, added to the created client)."
  default     = []

  validation {
    condition     = alltrue([for c in var.cognito_client_ids : can(regex("^[0-9a-z]{20,128}$", c))])
    error_message = "cognito_client_ids entries must be Cognito app client ids (lowercase letters and digits)."
  }
}

variable "cognito_token_use" {
  type        = string
  description = "Which Cognito token the gateway accepts (COGNITO_TOKEN_USE)."
  default     = "access"

  validation {
    condition     = contains(["id", "access", "any"], var.cognito_token_use)
    error_message = "cognito_token_use must be id, access or any."
  }
}

variable "cognito_groups" {
  type        = list(string)
  description = "If set, a token must carry one of these cognito:groups (COGNITO_GROUPS)."
  default     = []

  validation {
    condition     = alltrue([for g in var.cognito_groups : length(g) > 0 && length(g) <= 128 && !strcontains(g, ",")])
    error_message = "cognito_groups entries must be 1-128 characters without commas."
  }
}

variable "metrics_namespace" {
  type        = string
  description = "CloudWatch namespace of the gateway's embedded metrics (METRICS_NAMESPACE); alarms and the dashboard read it."
  default     = "Chatbot"

  validation {
    condition     = can(regex("^[A-Za-z0-9._/#-][A-Za-z0-9._/#:-]{0,254}$", var.metrics_namespace)) && !startswith(var.metrics_namespace, "AWS/")
    error_message = "metrics_namespace must be 1-255 characters of letters, digits and . _ / # : - (not starting with :) and must not start with AWS/."
  }
}

variable "enable_xray" {
  type        = bool
  description = "Turn on X-Ray active tracing for the function."
  default     = false
}

variable "alarm_email" {
  type        = string
  description = "E-mail address subscribed to the alarm SNS topic. Empty creates no topic; alarms then only show in the console."
  default     = ""

  validation {
    condition     = var.alarm_email == "" || can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", var.alarm_email))
    error_message = "alarm_email must be empty or an e-mail address."
  }
}

variable "alarm_error_rate_percent" {
  type        = number
  description = "Alarm when more than this percentage of requests end in a 5xx (over 5 minutes, 2 of 3 periods)."
  default     = 5

  validation {
    condition     = var.alarm_error_rate_percent > 0 && var.alarm_error_rate_percent <= 100
    error_message = "alarm_error_rate_percent must be greater than 0 and at most 100."
  }
}

variable "alarm_fallback_rate_percent" {
  type        = number
  description = "Alarm when more than this percentage of requests fall back to ELIZA."
  default     = 20

  validation {
    condition     = var.alarm_fallback_rate_percent > 0 && var.alarm_fallback_rate_percent <= 100
    error_message = "alarm_fallback_rate_percent must be greater than 0 and at most 100."
  }
}

variable "alarm_failover_rate_percent" {
  type        = number
  description = "Alarm when more than this percentage of requests are continued on another model mid-answer (BEDROCK_FALLBACK_MODELS with FAILOVER on)."
  default     = 5

  validation {
    condition     = var.alarm_failover_rate_percent > 0 && var.alarm_failover_rate_percent <= 100
    error_message = "alarm_failover_rate_percent must be greater than 0 and at most 100."
  }
}

variable "alarm_ttft_p99_ms" {
  type        = number
  description = "Alarm when the p99 time to first token exceeds this many milliseconds."
  default     = 8000

  validation {
    condition     = var.alarm_ttft_p99_ms >= 100 && var.alarm_ttft_p99_ms <= 900000
    error_message = "alarm_ttft_p99_ms must be between 100 and 900000."
  }
}

variable "max_body_bytes" {
  type        = number
  description = "Largest request body the gateway reads (CHATBOT_MAX_BODY_BYTES); larger ones get a 413. With edge_payload_hash it must stay within the 1 MiB the edge can hash."
  default     = 262144

  validation {
    condition     = var.max_body_bytes >= 1024 && var.max_body_bytes <= 6291456 && floor(var.max_body_bytes) == var.max_body_bytes
    error_message = "max_body_bytes must be a whole number from 1024 to 6291456 (Lambda's 6 MB request limit)."
  }
}

variable "enable_api_keys" {
  type        = bool
  description = "Accept API keys and browser tokens minted with them. Keys live as SHA-256 hashes in a Secrets Manager secret (created here unless api_keys_secret_arn names one); `make apikey` adds them."
  default     = true
}

variable "api_keys_secret_arn" {
  type        = string
  description = "Existing Secrets Manager secret in var.region holding {\"api_keys\": {name: sha256hex}, \"token_signing_key\": \"...\", \"origin_verify_secret\": \"...\"}: its full ARN (ending in the six-character suffix) or its name, which the module resolves. Empty creates one."
  default     = ""

  validation {
    # A partial ARN (without the suffix Secrets Manager appends) would match
    # nothing in the function's IAM policy.
    condition = (var.api_keys_secret_arn == "" ||
      can(regex("^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$", var.api_keys_secret_arn)) ||
    (!startswith(var.api_keys_secret_arn, "arn:") && can(regex("^[A-Za-z0-9/_+=.@-]{1,512}$", var.api_keys_secret_arn))))
    error_message = "api_keys_secret_arn must be empty, a full Secrets Manager secret ARN (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-AbCdEf, with the six-character suffix) or a secret name."
  }
}

variable "api_keys_kms_key_arn" {
  type        = string
  description = "Customer managed KMS key that encrypts the API key secret. The function may decrypt with it, through Secrets Manager only. Empty uses the aws/secretsmanager key."
  default     = ""

  validation {
    condition     = var.api_keys_kms_key_arn == "" || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[0-9a-f-]+$", var.api_keys_kms_key_arn))
    error_message = "api_keys_kms_key_arn must be empty or a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID); aliases are not accepted in IAM policies."
  }
}

variable "edge_payload_hash" {
  type        = bool
  description = "Attach a Lambda@Edge function (us-east-1) that adds x-amz-content-sha256 to request bodies, so unmodified OpenAI clients work through CloudFront. Off by default: its replicas make destroy slow (see docs/deploy.md)."
  default     = false
}

variable "edge_zip_path" {
  type        = string
  description = "Deployment package of the payload-hash function, built by `make edge-zip` (index.mjs from terraform/functions/payload_hash.mjs)."
  default     = "../dist/payload-hash.zip"

  validation {
    condition     = endswith(var.edge_zip_path, ".zip")
    error_message = "edge_zip_path must name a .zip file."
  }
}

variable "permissions_boundary_arn" {
  type        = string
  description = "Permissions boundary set on the roles created here. The GitHub deploy role (terraform/github-oidc) may only create roles that carry its boundary; use its permissions_boundary_arn output."
  default     = ""

  validation {
    condition     = var.permissions_boundary_arn == "" || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:policy/.+$", var.permissions_boundary_arn))
    error_message = "permissions_boundary_arn must be empty or an IAM policy ARN."
  }
}

# Rate limits and token budgets per caller (docs/limits.md). 0 means no
# limit; with every limit 0 and no overrides, no table is created.

variable "rate_limit_rpm" {
  type        = number
  description = "Requests per minute one caller (a Cognito user or an API key) may make; 0: no limit."
  default     = 0

  validation {
    condition     = var.rate_limit_rpm >= 0 && var.rate_limit_rpm <= 1000000 && floor(var.rate_limit_rpm) == var.rate_limit_rpm
    error_message = "rate_limit_rpm must be a whole number from 0 to 1000000."
  }
}

variable "rate_limit_concurrent" {
  type        = number
  description = "Answers one caller may stream at once; 0: no limit."
  default     = 0

  validation {
    condition     = var.rate_limit_concurrent >= 0 && var.rate_limit_concurrent <= 1000 && floor(var.rate_limit_concurrent) == var.rate_limit_concurrent
    error_message = "rate_limit_concurrent must be a whole number from 0 to 1000."
  }
}

variable "rate_limit_tokens_per_day" {
  type        = number
  description = "Tokens (prompt + completion) one caller may use per UTC day; 0: no limit."
  default     = 0

  validation {
    condition     = var.rate_limit_tokens_per_day >= 0 && var.rate_limit_tokens_per_day <= 1000000000000 && floor(var.rate_limit_tokens_per_day) == var.rate_limit_tokens_per_day
    error_message = "rate_limit_tokens_per_day must be a whole number from 0 to 10^12."
  }
}

variable "rate_limit_overrides" {
  type        = map(map(number))
  description = "Other limits for a Cognito group or an API key, e.g. { \"group:premium\" = { rpm = 120, tokens_per_day = 0 }, \"key:backend\" = { concurrent = 20 } }. Limits not named stay the defaults."
  default     = {}

  validation {
    condition     = alltrue([for who, _ in var.rate_limit_overrides : can(regex("^(group|key):[^\\s,=]+$", who))])
    error_message = "rate_limit_overrides keys must be group:<Cognito group> or key:<API key name>, without spaces, commas or '='."
  }

  validation {
    condition = alltrue(flatten([
      for _, l in var.rate_limit_overrides : [
        for name, n in l : contains(["rpm", "concurrent", "tokens_per_day"], name) && n >= 0 && floor(n) == n && (name != "concurrent" || n <= 1000)
      ]
    ]))
    error_message = "rate_limit_overrides values set rpm, concurrent (at most 1000) or tokens_per_day to whole numbers of at least 0."
  }
}

variable "quota_on_store_error" {
  type        = string
  description = "What a request gets when the rate limit table fails or is slow: allow (counted in QuotaStoreErrors) or deny (503)."
  default     = "allow"

  validation {
    condition     = contains(["allow", "deny"], var.quota_on_store_error)
    error_message = "quota_on_store_error must be allow or deny."
  }
}

variable "quota_point_in_time_recovery" {
  type        = bool
  description = "Turn on point-in-time recovery for the rate limit table (the counts are short-lived; usually not worth it)."
  default     = false
}

variable "alarm_rate_limited_per_5min" {
  type        = number
  description = "Alarm when more than this many requests per 5 minutes are refused by a rate limit (2 of 3 periods)."
  default     = 100

  validation {
    condition     = var.alarm_rate_limited_per_5min >= 1
    error_message = "alarm_rate_limited_per_5min must be at least 1."
  }
}

# Amazon Bedrock Guardrails (docs/limits.md#guardrails).

variable "bedrock_guardrail_id" {
  type        = string
  description = "A Bedrock guardrail (id or ARN) applied to every model call; empty: none. The function may apply this guardrail only."
  default     = ""

  validation {
    condition     = var.bedrock_guardrail_id == "" || can(regex("^([a-z0-9]+|arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:guardrail/[a-z0-9]+)$", var.bedrock_guardrail_id))
    error_message = "bedrock_guardrail_id must be a guardrail id (lowercase letters and digits) or a guardrail ARN."
  }
}

variable "bedrock_guardrail_version" {
  type        = string
  description = "The guardrail's version: a number or DRAFT. Required with bedrock_guardrail_id."
  default     = ""

  validation {
    condition     = var.bedrock_guardrail_version == "" || can(regex("^([1-9][0-9]{0,7}|DRAFT)$", var.bedrock_guardrail_version))
    error_message = "bedrock_guardrail_version must be a version number or DRAFT."
  }
}

variable "bedrock_api" {
  type        = string
  description = "The Bedrock operation models answer through unless their id is prefixed invoke: or converse: (BEDROCK_API): invoke (InvokeModelWithResponseStream) or converse (ConverseStream). Both need the same IAM action."
  default     = "invoke"

  validation {
    condition     = contains(["invoke", "converse"], var.bedrock_api)
    error_message = "bedrock_api must be invoke or converse."
  }
}

variable "fallback_on" {
  type        = string
  description = "Which Bedrock failures ELIZA answers (FALLBACK_ON): outage, or any to hide configuration errors (a retired, missing or forbidden model) behind ELIZA too."
  default     = "outage"

  validation {
    condition     = contains(["outage", "any"], var.fallback_on)
    error_message = "fallback_on must be outage or any."
  }
}

variable "bedrock_guardrail_trace" {
  type        = bool
  description = "Ask Bedrock for the guardrail's trace on every call."
  default     = false
}

variable "adot_layer_arn" {
  type        = string
  description = "ARN of the AWS Distro for OpenTelemetry collector layer for arm64 (aws-otel-collector-arm64-ver-…) in var.region. Set, the function gets the layer, exports its traces to the collector on localhost:4318, and may write to X-Ray (the layer's default configuration exports there). Empty: no traces."
  default     = ""

  validation {
    condition     = var.adot_layer_arn == "" || can(regex("^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:layer:[A-Za-z0-9_-]+:[0-9]+$", var.adot_layer_arn))
    error_message = "adot_layer_arn must be empty or a versioned Lambda layer ARN (arn:aws:lambda:<region>:<account>:layer:<name>:<version>)."
  }
}

variable "adot_collector_config_uri" {
  type        = string
  description = "Where the ADOT collector reads its configuration (OPENTELEMETRY_COLLECTOR_CONFIG_URI), e.g. s3://bucket.s3.eu-west-1.amazonaws.com/collector.yaml. Empty: the layer's default, which sends traces to X-Ray."
  default     = ""

  validation {
    condition     = var.adot_collector_config_uri == "" || can(regex("^(file|env|yaml|http|https|s3):", var.adot_collector_config_uri))
    error_message = "adot_collector_config_uri must be empty or a file:, env:, yaml:, http:, https: or s3: URI."
  }
}

variable "alarm_daily_spend_usd" {
  type        = number
  description = "Alarm when the model spend the gateway priced (metric CostUSD) over the last 24 hours exceeds this many US dollars. 0: no alarm."
  default     = 0

  validation {
    condition     = var.alarm_daily_spend_usd >= 0 && var.alarm_daily_spend_usd <= 1000000
    error_message = "alarm_daily_spend_usd must be from 0 (off) to 1000000."
  }
}

variable "enable_stream_resume" {
  type        = bool
  description = "Keep every streamed answer in a DynamoDB table so that a client can resume it after a dropped connection, from any instance. Costs a few writes per answer (docs/operations.md#stream-table)."
  default     = true
}

variable "stream_ttl_minutes" {
  type        = number
  description = "How long a streamed answer stays resumable, in minutes (STREAM_TTL)."
  default     = 60

  validation {
    condition     = var.stream_ttl_minutes == floor(var.stream_ttl_minutes) && var.stream_ttl_minutes >= 1 && var.stream_ttl_minutes <= 10080
    error_message = "stream_ttl_minutes must be a whole number from 1 to 10080 (7 days)."
  }
}

variable "stream_table_kms_key_arn" {
  type        = string
  description = "A customer managed KMS key to encrypt the stream table with; empty: the AWS owned key."
  default     = ""

  validation {
    condition     = var.stream_table_kms_key_arn == "" || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[0-9a-f-]{36}$", var.stream_table_kms_key_arn))
    error_message = "stream_table_kms_key_arn must be empty or a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)."
  }
}

# Stored responses and conversations (docs/deploy.md#the-conversation-table).

variable "conversation_store" {
  type        = bool
  description = "Keep stored responses and conversations in a DynamoDB table (store: true, previous_response_id, the Conversations API, the page's conversation list across devices). Off: those are refused by name."
  default     = false
}

variable "conversation_ttl_days" {
  type        = number
  description = "Days a stored response, or a conversation with all its items, is kept after it was created."
  default     = 30

  validation {
    condition     = var.conversation_ttl_days >= 1 && var.conversation_ttl_days <= 3650 && floor(var.conversation_ttl_days) == var.conversation_ttl_days
    error_message = "conversation_ttl_days must be a whole number from 1 to 3650."
  }
}

variable "conversation_kms_key_arn" {
  type        = string
  description = "A customer managed KMS key for the conversation table; empty: the AWS owned key."
  default     = ""

  validation {
    condition     = var.conversation_kms_key_arn == "" || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[0-9a-f-]+$", var.conversation_kms_key_arn))
    error_message = "conversation_kms_key_arn must be empty or a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID)."
  }
}

variable "conversation_point_in_time_recovery" {
  type        = bool
  description = "Turn on point-in-time recovery for the conversation table."
  default     = false
}
