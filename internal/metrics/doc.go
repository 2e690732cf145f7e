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
// The metrics it writes, their dimensions, the alarms that read them and
// what to do when one fires are described once, in docs/operations.md.
//
// # Configuration
//
// The gateway's configuration (internal/app) reads METRICS_NAMESPACE and
// METRICS_ENABLED into a [Config]: metrics are on in
// Lambda mode and off locally, unless METRICS_ENABLED says otherwise or
// METRICS_NAMESPACE is set (which turns them on locally).
package metrics
