variable "region" {
  type        = string
  description = "AWS region of the deployment the role manages."
  default     = "us-east-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9]$", var.region))
    error_message = "region must look like an AWS region code, e.g. us-east-1."
  }
}

variable "project" {
  type        = string
  description = "Project name used by the main configuration; the role may only manage resources named after it."
  default     = "chatbot"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}$", var.project))
    error_message = "project must be 2-21 characters: lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "github_repository" {
  type        = string
  description = "GitHub repository allowed to assume the role, as owner/name."

  validation {
    condition     = can(regex("^[A-Za-z0-9-]+/[A-Za-z0-9._-]+$", var.github_repository))
    error_message = "github_repository must be owner/name."
  }
}

variable "branch" {
  type        = string
  description = "The only branch whose workflows may assume the role."
  default     = "main"

  validation {
    condition     = can(regex("^[A-Za-z0-9._/-]+$", var.branch)) && !strcontains(var.branch, "*")
    error_message = "branch must be a plain branch name without wildcards."
  }
}

variable "role_name" {
  type        = string
  description = "Name of the deploy role."
  default     = "chatbot-github-deploy"

  validation {
    condition     = can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", var.role_name)) && !endswith(var.role_name, "-lambda") && !endswith(var.role_name, "-edge")
    error_message = "role_name must be a valid IAM role name (1-64 characters) not ending in -lambda or -edge (those are the function roles it manages)."
  }
}

variable "create_oidc_provider" {
  type        = bool
  description = "Create the account's GitHub OIDC provider. Set false when the account already has one (there can be only one per URL)."
  default     = true
}

variable "state_bucket" {
  type        = string
  description = "S3 bucket holding the Terraform state of the main configuration (empty when state is not in S3)."
  default     = ""

  validation {
    condition     = var.state_bucket == "" || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.state_bucket))
    error_message = "state_bucket must be empty or an S3 bucket name."
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

variable "environments" {
  type        = list(string)
  description = "Environments (var.environment of the main configuration) the role may deploy; the function roles it may create are named <project>-<environment>-lambda and -edge."
  default     = ["dev"]

  validation {
    condition     = length(var.environments) > 0 && alltrue([for e in var.environments : can(regex("^[a-z][a-z0-9-]{0,11}$", e))])
    error_message = "environments must list 1 or more names of 1-12 lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "api_keys_secret_arns" {
  type        = list(string)
  description = "Existing API key secrets (api_keys_secret_arn of the main configuration) not named <project>-*; the role and the function boundary may use them."
  default     = []

  validation {
    # A full ARN ends in "-" and the six characters Secrets Manager adds;
    # a partial one would match no secret in a policy.
    condition     = alltrue([for a in var.api_keys_secret_arns : can(regex("^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$", a))])
    error_message = "api_keys_secret_arns entries must be full Secrets Manager secret ARNs, ending in the six-character suffix (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-AbCdEf)."
  }
}

variable "kms_key_arns" {
  type        = list(string)
  description = "Customer managed KMS keys of the main configuration (api_keys_kms_key_arn, usable only through Secrets Manager; conversation_kms_key_arn and stream_table_kms_key_arn, only through DynamoDB)."
  default     = []

  validation {
    condition     = alltrue([for k in var.kms_key_arns : can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[0-9a-f-]+$", k))])
    error_message = "kms_key_arns entries must be KMS key ARNs (arn:aws:kms:REGION:ACCOUNT:key/ID)."
  }
}

variable "origin_access_control_ids" {
  type        = list(string)
  description = "Ids of the main configuration's origin access controls (its output origin_access_control_id, one per environment): the only ones the role may update or delete. Empty until the first deploy has created them."
  default     = []

  validation {
    condition     = alltrue([for id in var.origin_access_control_ids : can(regex("^E[A-Z0-9]{5,20}$", id))])
    error_message = "origin_access_control_ids entries must be CloudFront origin access control ids (E followed by capital letters and digits)."
  }
}

variable "origin_request_policy_ids" {
  type        = list(string)
  description = "Ids of the main configuration's origin request policies (its output origin_request_policy_id, one per environment): the only ones the role may update or delete. Empty until the first deploy has created them."
  default     = []

  validation {
    condition     = alltrue([for id in var.origin_request_policy_ids : can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", id))])
    error_message = "origin_request_policy_ids entries must be origin request policy ids (UUIDs)."
  }
}
