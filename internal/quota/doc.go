// Package quota limits what each caller may ask of the models: requests per
// minute, concurrent streams, tokens per day, and dollars per day and per
// month, with larger (or smaller) limits for chosen Cognito groups and API
// keys. It also records each caller's usage per day and month (tokens by
// kind, spend) for GET /v1/usage.
//
// A Limiter is asked once before every model call (Admit) and told once
// when the answer ends (Grant.Done). Admission takes each limit with one
// atomic, conditional step in a Store, so callers spread over many Lambda
// instances share one count without read-modify-write races. Two stores
// exist: DynamoStore, one conditional UpdateItem per step on a DynamoDB
// table (production), and MemoryStore, for one process (local runs, tests).
//
// How a limit is counted (dollar budgets as tokens per day, in millionths
// of a dollar: AdmitCost reserves the most the answer can cost and Done
// settles to what it cost; a call without a price is refused by a dollar
// budget unless Config.AllowUnpriced):
//   - requests per minute: a fixed window per UTC minute; a request is
//     admitted while the window holds fewer than the limit.
//   - tokens per day: a window per UTC day. An admitted call reserves its
//     max_tokens at once, so parallel calls cannot all slip under the
//     budget, and settles to the usage the gateway passes to Grant.Done
//     when the answer ends, however it ends (the models' own counts as
//     far as they got, or an estimate of the prompt where none said). A call is admitted while the day's count is
//     below the budget; an answer that crosses it still ends normally and
//     the overrun is counted.
//   - concurrent streams: a slot per call, held until the answer ends.
//     A slot carries an expiry that the Limiter renews while the answer
//     runs, so the slot of an instance that died frees itself.
//
// When the store fails or is slower than Config.StoreTimeout, the policy
// decides (OnStoreError): admit the call (the default, counted and logged)
// or refuse it. A store that throttles the caller's own items (ErrThrottled)
// refuses the caller whatever the policy: otherwise a caller could send
// fast enough to be throttled and, under Allow, run without limits.
//
// The package knows nothing of HTTP: the gateway turns a *LimitError into
// 429 and a Grant's windows into x-ratelimit-* headers.
package quota
