package pipenet

import (
	"context"
	"net"
	"sync"
)

// Listener hands its Accept the far end of each connection Dial opens.
type Listener struct {
	name  string
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

var _ net.Listener = (*Listener)(nil)

// Listen returns a listener whose Addr is name on the network "pipe".
func Listen(name string) *Listener {
	return &Listener{name: name, conns: make(chan net.Conn), done: make(chan struct{})}
}

// Dial opens a connection to the listener, whatever network and address
// say, so it can serve as an http.Transport's DialContext. It waits until
// the listener accepts the connection, is closed, or ctx ends.
func (l *Listener) Dial(ctx context.Context, _, _ string) (_ net.Conn, err error) {
	client, server := net.Pipe()
	select {
	case l.conns <- server:
		return client, nil
	case <-l.done:
		err = net.ErrClosed
	case <-ctx.Done():
		err = ctx.Err()
	}
	_ = client.Close()
	_ = server.Close()
	return nil, err
}

// Accept waits for the next connection Dial opens.
func (l *Listener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

// Close stops Accept and every Dial still waiting; connections already
// handed over stay open.
func (l *Listener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

// Addr is the listener's name on the network "pipe".
func (l *Listener) Addr() net.Addr { return addr(l.name) }

type addr string

func (addr) Network() string  { return "pipe" }
func (a addr) String() string { return string(a) }
