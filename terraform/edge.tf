# Optional Lambda@Edge origin-request function that sets x-amz-content-sha256
# from the request body (functions/payload_hash.mjs), so that clients which
# cannot add the header (unmodified OpenAI SDKs, LiteLLM) work through OAC.
#
# Lambda@Edge rules that shape this file: the function lives in us-east-1
# (the aws.us_east_1 provider), is referenced by a numbered version
# (publish = true, qualified_arn), runs Node.js on x86_64 without
# environment variables, and its role must trust edgelambda.amazonaws.com.
# CloudFront copies it to edge locations; those replicas are deleted hours
# after the distribution lets go of it, and until then Lambda refuses to
# delete the function. skip_destroy therefore leaves the function to
# `make destroy-edge` (see mk/aws.mk and docs/deploy.md).

locals {
  edge_function_name = "${local.name}-payload-hash"
}

data "aws_iam_policy_document" "edge_assume" {
  count = var.edge_payload_hash ? 1 : 0

  statement {
    sid     = "LambdaAndEdgeAssume"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com", "edgelambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "edge" {
  count = var.edge_payload_hash ? 1 : 0

  name                 = "${local.name}-edge"
  description          = "Execution role of the ${local.name} payload-hash Lambda@Edge function."
  assume_role_policy   = data.aws_iam_policy_document.edge_assume[0].json
  max_session_duration = 3600
  permissions_boundary = var.permissions_boundary_arn == "" ? null : var.permissions_boundary_arn
}

# Replicas log to /aws/lambda/us-east-1.<name> in the region that ran them;
# those groups cannot be created ahead, so the role may create them, and
# only them.
data "aws_iam_policy_document" "edge" {
  count = var.edge_payload_hash ? 1 : 0

  statement {
    sid     = "WriteOwnEdgeLogs"
    effect  = "Allow"
    actions = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
    resources = [
      "arn:${local.partition}:logs:*:${local.account_id}:log-group:/aws/lambda/us-east-1.${local.edge_function_name}",
      "arn:${local.partition}:logs:*:${local.account_id}:log-group:/aws/lambda/us-east-1.${local.edge_function_name}:*",
    ]
  }
}

resource "aws_iam_role_policy" "edge" {
  count = var.edge_payload_hash ? 1 : 0

  name   = "${local.name}-edge"
  role   = aws_iam_role.edge[0].id
  policy = data.aws_iam_policy_document.edge[0].json
}

resource "aws_lambda_function" "edge" {
  count    = var.edge_payload_hash ? 1 : 0
  provider = aws.us_east_1

  function_name = local.edge_function_name
  description   = "Sets x-amz-content-sha256 from the body for ${local.name} (CloudFront origin request)."
  role          = aws_iam_role.edge[0].arn

  filename         = var.edge_zip_path
  source_code_hash = filebase64sha256(var.edge_zip_path)
  package_type     = "Zip"
  runtime          = "nodejs22.x"
  handler          = "index.handler"
  architectures    = ["x86_64"]

  # Hashing at most 1 MB takes milliseconds; origin-request functions may
  # run up to 30 s, but a stuck one should fail fast.
  memory_size = 128
  timeout     = 5
  publish     = true

  skip_destroy = true

  depends_on = [aws_iam_role_policy.edge]
}
