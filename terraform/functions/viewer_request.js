// CloudFront viewer-request function (runtime cloudfront-js-2.0).
//
// Origin Access Control signs every origin request with SigV4 and so replaces
// the viewer's Authorization header. The gateway therefore reads the caller's
// bearer token from X-Authorization. Standard clients (OpenAI SDKs, curl -H
// "Authorization: Bearer ...") only send Authorization, so this function
// copies it across.
//
// When both headers are present, X-Authorization wins and is left untouched:
// it is the header the gateway reads, and a client that sets it explicitly
// meant it. Authorization is always removed so a viewer credential never
// reaches the origin, whatever the signing behaviour.
//
// Header values are never logged: they carry credentials.
function handler(event) {
  var request = event.request;
  var headers = request.headers;

  var viewerAuth = headers['authorization'];
  if (viewerAuth && !headers['x-authorization']) {
    headers['x-authorization'] = { value: viewerAuth.value };
  }
  delete headers['authorization'];

  return request;
}
