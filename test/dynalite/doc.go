// Package dynalite runs the npm package dynalite, an in-memory server that
// speaks the DynamoDB protocol, for tests that use the real AWS SDK client
// against a real DynamoDB wire protocol. No Java or Docker is needed: only
// Node and this directory's node_modules (npm ci here; make test does it).
//
// One server is started per test binary, on 127.0.0.1 at a free port. It
// exits when the test binary's pipe to it closes, so it never outlives the
// tests, even a killed test binary. Each test gets a table of its own.
package dynalite
