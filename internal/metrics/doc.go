// Package metrics turns the gateway's per-request records into CloudWatch
// metrics by writing CloudWatch Embedded Metric Format (EMF) lines: one JSON
// line per request, carrying an "_aws" object that tells CloudWatch Logs
// which members are metrics. On Lambda the lines go to standard output, the
// function's log group extracts the metrics, and no CloudWatch API is called
// (no SDK client, no IAM permission, no latency on the request path).
//
// It is for the handful of operational series the alarms and the dashboard
// in terraform/monitoring.tf read. It is not a general metrics library, not a
// request log (the gateway writes that line itself; join the two on
// request_id), and not for per-user or per-request-id metrics: dimensions
// are kept to Model and Route, and an unknown path is reported as the Route
// "other", so a scanner cannot create a metric per URL.
//
// # Metrics
//
// Each line publishes its metrics under three dimension sets: none (the
// totals the alarms read), Model, and Route. Model is the model that
// answered ("none" when no model ran, e.g. a refused request) and Route the
// path. Namespace: METRICS_NAMESPACE (default "Chatbot").
//
//   - Requests (Count): 1 per request.
//   - Errors5xx (Count): 0 or 1. 1 when the status is 5xx, the handler
//     panicked, or a stream that began with 200 ended with an in-band error
//     frame. Read by the alarm <name>-error-rate (5xx share of Requests above
//     alarm_error_rate_percent, at least 5 requests, 2 of 3 five-minute
//     periods). When it fires: search the log group for level "ERROR" and the
//     error_code of recent lines; after a deployment, redeploy the previous
//     commit; for model_error or upstream codes, check Bedrock model access,
//     quotas and the AWS Health Dashboard.
//   - Errors4xx (Count): 0 or 1; 1 for a 4xx answer. No alarm: clients cause
//     these. A sudden rise usually means a broken client release or probing;
//     read error_code and auth_refusal in the lines.
//   - TimeToFirstToken (Milliseconds): request start to the first content
//     token sent; only when a token was sent. Read by <name>-ttft-p99 (p99
//     above alarm_ttft_p99_ms). When it fires: compare with Duration and the
//     Lambda Init duration (cold starts), look at Bedrock latency per Model,
//     raise lambda_memory_mb or pick a faster model or inference profile.
//   - Duration (Milliseconds): the whole request, stream included.
//     Dashboard only. Streams close to lambda_timeout_seconds are cut short by
//     DEADLINE_MARGIN; lower CHATBOT_MAX_TOKENS or raise the timeout.
//   - OutputTokens (Count): completion tokens sent; only when a model ran.
//     Dashboard only; the cost driver.
//   - Fallbacks (Count): 1 when the built-in model answered because the
//     configured model failed before its first token; absent otherwise. The
//     line's fallback_reason says why. Read by <name>-fallback-rate (share of
//     Requests above alarm_fallback_rate_percent). When it fires: group the
//     lines by fallback_reason. throttled: Bedrock quotas (request an
//     increase or use a cross-region inference profile); access_denied or
//     model_not_found: model access in the Bedrock console, the model id, or
//     the IAM policy; no_credentials: the execution role; connection_failed,
//     unavailable: the region's Bedrock health; first_token_timeout: a slow
//     model (raise BEDROCK_FIRST_TOKEN_TIMEOUT or pick a faster model).
//   - StreamErrors (Count): 1 when a stream that began with 200 ended with an
//     error frame and no [DONE]; absent otherwise. Also counted in Errors5xx.
//     Dashboard only; read error_code.
//   - AuthRefusals (Count): 1 when authentication or authorization refused
//     the request; absent otherwise. The line's auth_refusal is the code
//     (missing_token, bad_signature, ...). Dashboard only. A rise from one
//     code points at a client or a key rotation (unknown_kid); a broad rise
//     with throttles points at abuse: tighten ALLOWED_CIDRS or
//     reserved_concurrency.
//
// Besides metrics, each line carries request_id, status and outcome, and when
// set fallback_reason, auth_refusal and error_code, for CloudWatch Logs
// Insights. Subjects and credentials never appear.
//
// # Configuration
//
// The gateway's configuration (internal/app) reads METRICS_NAMESPACE and
// METRICS_ENABLED into a [Config]: metrics are on in
// Lambda mode and off locally, unless METRICS_ENABLED says otherwise or
// METRICS_NAMESPACE is set (which turns them on locally).
package metrics
