# CloudFront in front of the function URL. Origin Access Control signs every
# origin request, so the function URL (AWS_IAM) accepts nothing else.

locals {
  # Managed cache policy "CachingDisabled": every request goes to the origin,
  # nothing is stored, which is what a per-user token stream needs.
  caching_disabled_policy_id = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"

  # Function URL host, e.g. abc123.lambda-url.us-east-1.on.aws.
  function_url_host = trimsuffix(trimprefix(aws_lambda_function_url.gateway.function_url, "https://"), "/")

  origin_id          = "lambda-function-url"
  origin_verify_name = "X-Origin-Verify"

  # Viewer headers that reach the function: exactly those the gateway
  # reads, and never Host (forwarding it breaks the SigV4 signature). The
  # managed AllViewerExceptHostHeader policy cannot be narrowed and does not
  # include CloudFront-Viewer-Address, the client address ALLOWED_CIDRS is
  # checked against. Origin and the two Access-Control-Request-* headers
  # let the gateway answer a cross-origin preflight: it allows the request
  # headers the browser asks for (without them, only the headers the API
  # reads). Not forwarded because nothing reads them: Accept (the answer's
  # format follows "stream" in the body), X-Request-Id (the gateway makes
  # its own and returns it). Authorization never arrives: OAC replaces it
  # and the viewer function moves it to X-Authorization. X-Origin-Verify is
  # an origin custom header and does not count here.
  #
  # CloudFront allows 10 headers per origin request policy by default; keep
  # at least one free so a new header needs no quota increase (the Go test
  # TestOriginRequestPolicy fails at 10).
  forwarded_headers = [
    "Content-Type",
    "Origin",
    "Access-Control-Request-Method",
    "Access-Control-Request-Headers",
    "X-Authorization",
    "X-Api-Key",
    "X-Amz-Content-Sha256",
    "CloudFront-Viewer-Address",
  ]
}

resource "random_password" "origin_verify" {
  length  = 48
  special = false
}

resource "aws_cloudfront_origin_access_control" "lambda" {
  name                              = "${local.name}-lambda"
  description                       = "Signs requests from CloudFront to the ${local.name} function URL."
  origin_access_control_origin_type = "lambda"
  signing_behavior                  = "always"
  signing_protocol                  = "sigv4"
}

resource "aws_cloudfront_origin_request_policy" "gateway" {
  name    = "${local.name}-gateway"
  comment = "Headers the chat gateway needs, plus the viewer address; never Host."

  headers_config {
    header_behavior = "whitelist"
    headers {
      items = local.forwarded_headers
    }
  }

  cookies_config {
    cookie_behavior = "none"
  }

  query_strings_config {
    query_string_behavior = "none"
  }
}

resource "aws_cloudfront_function" "viewer_request" {
  name    = "${local.name}-viewer-request"
  comment = "Copies Authorization to X-Authorization; OAC replaces Authorization."
  runtime = "cloudfront-js-2.0"
  publish = true
  code    = file("${path.module}/functions/viewer_request.js")
}

resource "aws_cloudfront_distribution" "gateway" {
  enabled         = true
  comment         = "${local.name} chat gateway"
  is_ipv6_enabled = true
  http_version    = "http2and3"
  price_class     = var.price_class
  aliases         = var.domain_aliases

  origin {
    origin_id                = local.origin_id
    domain_name              = local.function_url_host
    origin_access_control_id = aws_cloudfront_origin_access_control.lambda.id

    custom_origin_config {
      http_port              = 80
      https_port             = 443
      origin_protocol_policy = "https-only"
      origin_ssl_protocols   = ["TLSv1.2"]
      # Applies between packets too: the stream's heartbeats keep it alive.
      origin_read_timeout      = var.origin_read_timeout
      origin_keepalive_timeout = 5
    }

    # Proves to the function that a request came through this distribution;
    # the function compares it with origin_verify_secret in its secret.
    custom_header {
      name  = local.origin_verify_name
      value = local.origin_verify_secret
    }
  }

  default_cache_behavior {
    target_origin_id       = local.origin_id
    viewer_protocol_policy = "https-only"
    allowed_methods        = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]
    cached_methods         = ["GET", "HEAD"]

    cache_policy_id          = local.caching_disabled_policy_id
    origin_request_policy_id = aws_cloudfront_origin_request_policy.gateway.id

    # Compression buffers the body and would hold back streamed tokens.
    compress = false

    function_association {
      event_type   = "viewer-request"
      function_arn = aws_cloudfront_function.viewer_request.arn
    }

    # Adds x-amz-content-sha256 for clients that cannot (edge.tf). OAC signs
    # the request after this trigger has run.
    dynamic "lambda_function_association" {
      for_each = var.edge_payload_hash ? [1] : []

      content {
        event_type   = "origin-request"
        lambda_arn   = aws_lambda_function.edge[0].qualified_arn
        include_body = true
      }
    }
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    cloudfront_default_certificate = var.acm_certificate_arn == null
    acm_certificate_arn            = var.acm_certificate_arn
    ssl_support_method             = var.acm_certificate_arn == null ? null : "sni-only"
    # With the default *.cloudfront.net certificate CloudFront only accepts
    # "TLSv1"; a custom certificate gets the TLS 1.2 floor.
    minimum_protocol_version = var.acm_certificate_arn == null ? "TLSv1" : "TLSv1.2_2021"
  }
}
