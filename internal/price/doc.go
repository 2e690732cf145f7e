// Package price knows what a model's tokens cost and prices an answer from
// the model's own usage.
//
// The table is one JSON file (prices.json) compiled into the binary; an
// operator replaces or extends it with PRICES_FILE, in the same shape. Each
// row prices one model for one kind of call — in-Region, through a
// geographic cross-Region profile (us., eu., apac., jp., au., ca., us-gov.)
// or through the global. profile — optionally for some Region groups only,
// in US dollars per million tokens of each kind: input, output, cache read
// and cache write. Each row names its source and the date it was read.
//
// A model, or a kind of token, the table does not price has no price: Cost
// reports ok false and callers say "price unknown". Nothing is ever priced
// at $0 by default. The package does not read the environment, count
// spend, or enforce budgets (internal/quota does).
package price
