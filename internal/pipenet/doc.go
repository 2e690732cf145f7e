// Package pipenet is a net.Listener over in-memory connections (net.Pipe),
// for tests that run an http.Server inside a testing/synctest bubble: a
// goroutine blocked on a real socket never counts as waiting, so a server on
// a socket would keep the bubble's clock still, while one on pipes lets it
// move. Serve runs such a server for a handler.
//
// It is not a network: every connection dialled reaches the one listener,
// whatever the address, and nothing outside the process can connect.
package pipenet
