//go:build race

package gateway_test

// raceEnabled reports a build with the race detector, which allocates on
// its own and so spoils allocation counts.
const raceEnabled = true
