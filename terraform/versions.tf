terraform {
  # terraform test with mock_provider and override_data needs 1.7.0
  # (TestRequiredVersionCoversFeatures checks the floor against what is used).
  required_version = ">= 1.7.0"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # 6.28.0 added invoked_via_function_url to aws_lambda_permission, which
      # the second CloudFront invoke permission needs (see permissions.tf).
      version = "~> 6.28"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.6"
    }
  }

  # State is local by default. For a shared S3 backend, `make deploy` writes a
  # backend "s3" block (backend_s3.tf, not committed) and passes the bucket,
  # key and region with -backend-config; see docs/deploy.md#state.
}
