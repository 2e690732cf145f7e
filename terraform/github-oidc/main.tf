# An IAM role that GitHub Actions assumes through OIDC to run `make deploy`
# and `make smoke`. Only workflows of one repository, on one branch, can
# assume it. What it may manage is in policy.tf; the most any role it creates
# may ever do is in boundary.tf.

locals {
  oidc_url  = "https://token.actions.githubusercontent.com"
  oidc_host = "token.actions.githubusercontent.com"

  provider_arn = var.create_oidc_provider ? aws_iam_openid_connect_provider.github[0].arn : "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:oidc-provider/${local.oidc_host}"

  # The subject GitHub puts in tokens of jobs that run on a branch and use no
  # deployment environment.
  subject = "repo:${var.github_repository}:ref:refs/heads/${var.branch}"

  arn_prefix = "arn:${data.aws_partition.current.partition}"
  account    = data.aws_caller_identity.current.account_id

  # The roles the main configuration creates, by exact name: the execution
  # role of the gateway and of the payload-hash edge function, for each
  # environment. The deploy role's own name can never be one of them.
  project_role_arns = flatten([
    for env in var.environments : [
      "${local.arn_prefix}:iam::${local.account}:role/${var.project}-${env}-lambda",
      "${local.arn_prefix}:iam::${local.account}:role/${var.project}-${env}-edge",
    ]
  ])

  # Functions: the gateway in var.region, the edge function in us-east-1,
  # each with its versions.
  project_function_arns = flatten([
    for env in var.environments : [
      "${local.arn_prefix}:lambda:${var.region}:${local.account}:function:${var.project}-${env}",
      "${local.arn_prefix}:lambda:${var.region}:${local.account}:function:${var.project}-${env}:*",
      "${local.arn_prefix}:lambda:us-east-1:${local.account}:function:${var.project}-${env}-payload-hash",
      "${local.arn_prefix}:lambda:us-east-1:${local.account}:function:${var.project}-${env}-payload-hash:*",
    ]
  ])

  # The key secret of each environment: name_prefix "<name>-api-keys-" in
  # the main configuration, then Terraform's unique suffix and the six
  # characters Secrets Manager appends.
  project_secret_arns = [
    for env in var.environments :
    "${local.arn_prefix}:secretsmanager:${var.region}:${local.account}:secret:${var.project}-${env}-api-keys-*"
  ]

  # DynamoDB tables of each environment (the rate limit table is
  # <name>-quota; later tables follow the same <name>-* naming).
  project_table_arns = [
    for env in var.environments :
    "${local.arn_prefix}:dynamodb:${var.region}:${local.account}:table/${var.project}-${env}-*"
  ]

  # The gateway function of each environment, as the boundary's
  # lambda:SourceFunctionArn condition names it (with any qualifier too).
  project_gateway_source_arns = flatten([
    for env in var.environments : [
      "${local.arn_prefix}:lambda:${var.region}:${local.account}:function:${var.project}-${env}",
      "${local.arn_prefix}:lambda:${var.region}:${local.account}:function:${var.project}-${env}:*",
    ]
  ])

  boundary_arn = aws_iam_policy.boundary.arn
  xray_policy  = "${local.arn_prefix}:iam::aws:policy/AWSXRayDaemonWriteAccess"
}

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

resource "aws_iam_openid_connect_provider" "github" {
  count = var.create_oidc_provider ? 1 : 0

  url            = local.oidc_url
  client_id_list = ["sts.amazonaws.com"]
}

data "aws_iam_policy_document" "trust" {
  statement {
    sid     = "GitHubActionsOneRepoOneBranch"
    effect  = "Allow"
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [local.provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.oidc_host}:aud"
      values   = ["sts.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.oidc_host}:sub"
      values   = [local.subject]
    }
  }
}

resource "aws_iam_role" "deploy" {
  name                 = var.role_name
  description          = "Deploys ${var.project} from ${var.github_repository}@${var.branch}."
  assume_role_policy   = data.aws_iam_policy_document.trust.json
  max_session_duration = 3600
}
