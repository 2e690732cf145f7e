// Package fakedynamo is a stand-in for DynamoDB's JSON protocol, for tests
// of how the rate limit store meets DynamoDB's failures through the real
// AWS SDK client: throttling of one caller's items, and errors of the
// service itself.
//
// It speaks the wire format of the "Error handling with DynamoDB" page of
// the DynamoDB Developer Guide (Programming.Errors): a POST whose
// X-Amz-Target names the operation ("DynamoDB_20120810.UpdateItem"), a
// body and an answer in application/x-amz-json-1.0, and an error as an
// HTTP status (400 for the client-side errors, throttling included; 500
// for InternalServerError) with a body {"__type":
// "com.amazonaws.dynamodb.v20120810#<name>", "message": "..."}.
//
// It is not a database. Requests whose key a test marks fail with that
// test's error; the others get a minimal success: UpdateItem adds its :n
// to a counter per key and refuses (ConditionalCheckFailedException) when
// the request carries a :limit the counter has reached, which is what
// quota.DynamoStore's Take and Add need; every other UpdateItem (the slot
// steps) succeeds, and GetItem finds nothing. Condition and update
// expressions are not parsed: their semantics are tested against dynalite
// (test/dynalite). Unverified against DynamoDB itself: the exact messages,
// which are copied from the SDK's documentation of each exception.
package fakedynamo
