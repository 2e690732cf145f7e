# OpenTelemetry traces through the AWS Distro for OpenTelemetry (ADOT)
# collector layer. The layer runs the collector as a Lambda extension with an
# OTLP receiver on localhost (4317 gRPC, 4318 HTTP); the gateway exports to
# it over OTLP/HTTP and flushes before each invocation ends, so no span
# waits in a frozen environment. Without a custom configuration the
# collector sends the traces to X-Ray (ADOT "Custom Configuration for ADOT
# Collector on Lambda"), hence the X-Ray grant in iam.tf.

locals {
  adot_enabled = var.adot_layer_arn != ""

  otel_environment = local.adot_enabled ? merge(
    {
      OTEL_EXPORTER_OTLP_ENDPOINT = "http://localhost:4318"
      OTEL_SERVICE_NAME           = local.name
    },
    var.adot_collector_config_uri == "" ? {} : { OPENTELEMETRY_COLLECTOR_CONFIG_URI = var.adot_collector_config_uri },
  ) : {}
}
