# `terraform test` for the GitHub deploy role, with a mocked AWS provider.
# The policy documents themselves are checked offline by oidc_test.go; here
# the module must plan with its defaults, apply with every option, and refuse
# a role name that would make the deploy role one of the roles it manages.

mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = {
      account_id = "123456789012"
    }
  }
  mock_data "aws_partition" {
    defaults = {
      partition = "aws"
    }
  }
  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
    }
  }
  mock_resource "aws_iam_policy" {
    defaults = {
      arn = "arn:aws:iam::123456789012:policy/chatbot-function-boundary"
    }
  }
  mock_resource "aws_iam_openid_connect_provider" {
    defaults = {
      arn = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
    }
  }
}

variables {
  github_repository = "example/chatbot"
}

run "plan_with_defaults" {
  command = plan

  assert {
    condition     = aws_iam_policy.boundary.name == "chatbot-function-boundary"
    error_message = "The boundary policy is named after the project."
  }
  assert {
    condition     = aws_iam_role.deploy.name == "chatbot-github-deploy"
    error_message = "Default role name."
  }
}

run "apply_with_every_option" {
  command = apply

  variables {
    region                    = "eu-west-1"
    project                   = "chat"
    branch                    = "release"
    role_name                 = "chat-deployer"
    create_oidc_provider      = false
    state_bucket              = "chat-terraform-state"
    tags                      = { Owner = "platform" }
    environments              = ["dev", "prod"]
    api_keys_secret_arns      = ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:shared/chat-keys-AbCdEf"]
    kms_key_arns              = ["arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"]
    origin_access_control_ids = ["E2QWRUHAPOMQZL"]
    origin_request_policy_ids = ["216adef6-5c7f-47e4-b989-5492eafa07d3"]
  }

  assert {
    condition     = output.permissions_boundary_arn == aws_iam_policy.boundary.arn
    error_message = "The boundary ARN is an output for the main configuration."
  }
  assert {
    condition     = output.subject == "repo:example/chatbot:ref:refs/heads/release"
    error_message = "The role trusts one branch of one repository."
  }
  assert {
    condition     = length(aws_iam_openid_connect_provider.github) == 0
    error_message = "An existing OIDC provider is reused."
  }
}

run "role_name_must_not_be_a_managed_role" {
  command = plan

  variables {
    role_name = "chatbot-dev-edge"
  }

  expect_failures = [var.role_name]
}
