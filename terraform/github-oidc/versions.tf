terraform {
  # terraform test with mock_provider and override_data needs 1.7.0
  # (TestRequiredVersionCoversFeatures checks the floor against what is used).
  required_version = ">= 1.7.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.28"
    }
  }
}

provider "aws" {
  region = var.region

  default_tags {
    tags = merge({ Project = var.project, ManagedBy = "terraform" }, var.tags)
  }
}
