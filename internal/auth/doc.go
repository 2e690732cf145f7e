// Package auth decides whether a request may reach a model.
//
// A Guard runs the checks in a fixed order: the origin secret CloudFront adds
// (X-Origin-Verify), the viewer's address against a CIDR allow-list, the
// x-amz-content-sha256 payload hash against the body, and finally the
// caller's credential: a JWT from Amazon Cognito or another OIDC issuer
// (verified the way aws-jwt-verify does), an API key, or a short-lived token
// the Guard minted itself. The verified Identity travels in the request
// context (NewContext, FromContext). Guard.CORS answers browsers' preflights.
//
// Configuration comes from environment variables (LoadConfig) and fails
// closed: in Lambda mode a configuration without any credential check is an
// error, and locally auth may be off only on a loopback address (CheckLocal).
//
// The package does not write HTTP error responses (except CORS preflight
// refusals): Check returns an *Error whose Kind the HTTP layer maps to a
// status code in one place, and whose Code names the failed check for the
// client. Error texts never contain tokens, keys or secrets.
package auth
