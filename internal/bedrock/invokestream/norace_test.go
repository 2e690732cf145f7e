//go:build !race

package invokestream_test

const raceEnabled = false
