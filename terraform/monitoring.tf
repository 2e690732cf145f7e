# Alarms and dashboard over the gateway's embedded metrics (EMF, namespace
# var.metrics_namespace) and the function's AWS/Lambda metrics. The gateway
# publishes every metric with no dimensions as well as per Model and per
# Route; the alarms read the dimensionless totals.

locals {
  alarm_actions = var.alarm_email == "" ? [] : [aws_sns_topic.alarms[0].arn]

  # Below this many requests in a period a rate alarm stays quiet: one failure
  # out of two requests is not an outage.
  alarm_min_requests = 5
}

resource "aws_sns_topic" "alarms" {
  count = var.alarm_email == "" ? 0 : 1

  name = "${local.name}-alarms"
}

resource "aws_sns_topic_subscription" "alarm_email" {
  count = var.alarm_email == "" ? 0 : 1

  topic_arn = aws_sns_topic.alarms[0].arn
  protocol  = "email"
  endpoint  = var.alarm_email
}

resource "aws_cloudwatch_metric_alarm" "error_rate" {
  alarm_name          = "${local.name}-error-rate"
  alarm_description   = "More than ${var.alarm_error_rate_percent}% of requests ended in a 5xx. See docs/operations.md#error-rate"
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.alarm_error_rate_percent
  evaluation_periods  = 3
  datapoints_to_alarm = 2
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  metric_query {
    id          = "rate"
    label       = "5xx error rate (%)"
    expression  = "IF(requests >= ${local.alarm_min_requests}, 100 * FILL(errors, 0) / requests, 0)"
    return_data = true
  }

  metric_query {
    id = "requests"
    metric {
      namespace   = var.metrics_namespace
      metric_name = "Requests"
      period      = 300
      stat        = "Sum"
    }
  }

  metric_query {
    id = "errors"
    metric {
      namespace   = var.metrics_namespace
      metric_name = "Errors5xx"
      period      = 300
      stat        = "Sum"
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "fallback_rate" {
  alarm_name          = "${local.name}-fallback-rate"
  alarm_description   = "More than ${var.alarm_fallback_rate_percent}% of requests fell back to ELIZA. See docs/operations.md#fallback-rate"
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.alarm_fallback_rate_percent
  evaluation_periods  = 3
  datapoints_to_alarm = 2
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  metric_query {
    id          = "rate"
    label       = "Fallback rate (%)"
    expression  = "IF(requests >= ${local.alarm_min_requests}, 100 * FILL(fallbacks, 0) / requests, 0)"
    return_data = true
  }

  metric_query {
    id = "requests"
    metric {
      namespace   = var.metrics_namespace
      metric_name = "Requests"
      period      = 300
      stat        = "Sum"
    }
  }

  metric_query {
    id = "fallbacks"
    metric {
      namespace   = var.metrics_namespace
      metric_name = "Fallbacks"
      period      = 300
      stat        = "Sum"
    }
  }
}

# A failover is an answer that did complete, on the next model of the chain:
# clients saw nothing wrong, so a few are noise, but many mean the first
# model fails mid-answer and the chain is carrying the load.
resource "aws_cloudwatch_metric_alarm" "failover_rate" {
  alarm_name          = "${local.name}-failover-rate"
  alarm_description   = "More than ${var.alarm_failover_rate_percent}% of requests were continued on another model mid-answer. See docs/operations.md#failover-rate"
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.alarm_failover_rate_percent
  evaluation_periods  = 3
  datapoints_to_alarm = 2
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  metric_query {
    id          = "rate"
    label       = "Failover rate (%)"
    expression  = "IF(requests >= ${local.alarm_min_requests}, 100 * FILL(failovers, 0) / requests, 0)"
    return_data = true
  }

  metric_query {
    id = "requests"
    metric {
      namespace   = var.metrics_namespace
      metric_name = "Requests"
      period      = 300
      stat        = "Sum"
    }
  }

  metric_query {
    id = "failovers"
    metric {
      namespace   = var.metrics_namespace
      metric_name = "Failovers"
      period      = 300
      stat        = "Sum"
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "ttft_p99" {
  alarm_name          = "${local.name}-ttft-p99"
  alarm_description   = "p99 time to first token above ${var.alarm_ttft_p99_ms} ms. See docs/operations.md#time-to-first-token"
  namespace           = var.metrics_namespace
  metric_name         = "TimeToFirstToken"
  extended_statistic  = "p99"
  unit                = "Milliseconds"
  period              = 300
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.alarm_ttft_p99_ms
  evaluation_periods  = 3
  datapoints_to_alarm = 2
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

# One configuration error is enough: a retired, missing or forbidden model
# fails every request to it the same way until an operator acts.
resource "aws_cloudwatch_metric_alarm" "model_config_errors" {
  alarm_name          = "${local.name}-model-config-errors"
  alarm_description   = "A Bedrock model could not answer as configured (retired, not found or not allowed). See docs/operations.md#model-configuration-errors"
  namespace           = var.metrics_namespace
  metric_name         = "ModelConfigErrors"
  statistic           = "Sum"
  period              = 300
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  evaluation_periods  = 1
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "throttles" {
  alarm_name          = "${local.name}-throttles"
  alarm_description   = "Lambda throttled invocations: reserved or account concurrency is exhausted. See docs/operations.md#throttles"
  namespace           = "AWS/Lambda"
  metric_name         = "Throttles"
  dimensions          = { FunctionName = aws_lambda_function.gateway.function_name }
  statistic           = "Sum"
  period              = 60
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  evaluation_periods  = 5
  datapoints_to_alarm = 2
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "function_errors" {
  alarm_name          = "${local.name}-function-errors"
  alarm_description   = "The function itself failed (crash, timeout, out of memory). See docs/operations.md#function-errors"
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = aws_lambda_function.gateway.function_name }
  statistic           = "Sum"
  period              = 300
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  evaluation_periods  = 1
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

# Spend is what the gateway priced from each answer's usage (CostUSD, docs/costs.md);
# a model without a price adds nothing, and the log line says "price unknown".
resource "aws_cloudwatch_metric_alarm" "daily_spend" {
  count = var.alarm_daily_spend_usd > 0 ? 1 : 0

  alarm_name          = "${local.name}-daily-spend"
  alarm_description   = "Model spend over the last 24 hours exceeded $${var.alarm_daily_spend_usd}. See docs/operations.md#daily-spend"
  namespace           = var.metrics_namespace
  metric_name         = "CostUSD"
  statistic           = "Sum"
  period              = 86400
  evaluation_periods  = 1
  threshold           = var.alarm_daily_spend_usd
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

resource "aws_cloudwatch_dashboard" "gateway" {
  dashboard_name = local.name

  dashboard_body = jsonencode({
    widgets = [
      {
        type = "metric", x = 0, y = 0, width = 12, height = 6
        properties = {
          title = "Requests and errors", region = var.region, stat = "Sum", period = 60, view = "timeSeries"
          metrics = [
            [var.metrics_namespace, "Requests"],
            [var.metrics_namespace, "Errors5xx"],
            [var.metrics_namespace, "Errors4xx"],
            [var.metrics_namespace, "StreamErrors"],
          ]
        }
      },
      {
        type = "metric", x = 12, y = 0, width = 12, height = 6
        properties = {
          title = "Error, fallback and failover rate (%)", region = var.region, period = 300, view = "timeSeries"
          metrics = [
            [{ expression = "100 * FILL(m2, 0) / m1", label = "5xx rate", id = "e1" }],
            [{ expression = "100 * FILL(m3, 0) / m1", label = "Fallback rate", id = "e2" }],
            [{ expression = "100 * FILL(m4, 0) / m1", label = "Failover rate", id = "e3" }],
            [var.metrics_namespace, "Requests", { id = "m1", stat = "Sum", visible = false }],
            [var.metrics_namespace, "Errors5xx", { id = "m2", stat = "Sum", visible = false }],
            [var.metrics_namespace, "Fallbacks", { id = "m3", stat = "Sum", visible = false }],
            [var.metrics_namespace, "Failovers", { id = "m4", stat = "Sum", visible = false }],
          ]
          annotations = {
            horizontal = [
              { label = "error alarm", value = var.alarm_error_rate_percent },
              { label = "fallback alarm", value = var.alarm_fallback_rate_percent },
              { label = "failover alarm", value = var.alarm_failover_rate_percent },
            ]
          }
        }
      },
      {
        type = "metric", x = 0, y = 6, width = 12, height = 6
        properties = {
          title = "Time to first token (ms)", region = var.region, period = 300, view = "timeSeries"
          metrics = [
            [var.metrics_namespace, "TimeToFirstToken", { stat = "p50" }],
            [var.metrics_namespace, "TimeToFirstToken", { stat = "p90" }],
            [var.metrics_namespace, "TimeToFirstToken", { stat = "p99" }],
          ]
          annotations = { horizontal = [{ label = "p99 alarm", value = var.alarm_ttft_p99_ms }] }
        }
      },
      {
        type = "metric", x = 12, y = 6, width = 12, height = 6
        properties = {
          title = "Duration (ms) and output tokens", region = var.region, period = 300, view = "timeSeries"
          metrics = [
            [var.metrics_namespace, "Duration", { stat = "p50" }],
            [var.metrics_namespace, "Duration", { stat = "p99" }],
            [var.metrics_namespace, "OutputTokens", { stat = "Sum", yAxis = "right" }],
          ]
        }
      },
      {
        type = "metric", x = 0, y = 12, width = 12, height = 6
        properties = {
          title = "Fallbacks and auth refusals", region = var.region, stat = "Sum", period = 300, view = "timeSeries"
          metrics = [
            [var.metrics_namespace, "Fallbacks"],
            [var.metrics_namespace, "AuthRefusals"],
          ]
        }
      },
      {
        type = "metric", x = 12, y = 12, width = 12, height = 6
        properties = {
          title = "Lambda", region = var.region, period = 60, view = "timeSeries"
          metrics = [
            ["AWS/Lambda", "ConcurrentExecutions", "FunctionName", aws_lambda_function.gateway.function_name, { stat = "Maximum" }],
            ["AWS/Lambda", "Throttles", "FunctionName", aws_lambda_function.gateway.function_name, { stat = "Sum" }],
            ["AWS/Lambda", "Errors", "FunctionName", aws_lambda_function.gateway.function_name, { stat = "Sum" }],
          ]
        }
      },
      {
        type = "metric", x = 0, y = 18, width = 12, height = 6
        properties = {
          title = "Rate limits and guardrail (docs/limits.md)", region = var.region, stat = "Sum", period = 300, view = "timeSeries"
          metrics = [
            [var.metrics_namespace, "RateLimited"],
            [var.metrics_namespace, "QuotaStoreErrors"],
            [var.metrics_namespace, "ContentFiltered"],
          ]
        }
      },
      {
        type = "metric", x = 12, y = 18, width = 12, height = 6
        properties = {
          title = "Spend (USD per hour, docs/costs.md)", region = var.region, period = 3600, view = "timeSeries", stat = "Sum"
          metrics = [
            [var.metrics_namespace, "CostUSD", { label = "all models" }],
            [{ expression = "SEARCH('{${var.metrics_namespace},Model} MetricName=\"CostUSD\"', 'Sum', 3600)", id = "by_model", label = "" }],
          ]
          annotations = { horizontal = var.alarm_daily_spend_usd > 0 ? [{ label = "daily alarm / 24", value = var.alarm_daily_spend_usd / 24 }] : [] }
        }
      },
    ]
  })
}
