package fakebedrock

import (
	"context"
	"net"

	"github.com/chatbot-gateway/chatbot/internal/pipenet"
)

// Pipe is the fake served over in-memory connections (net.Pipe) instead of
// a socket: net/http's own server and transport speak HTTP/1.1 to each
// other and the eventstream frames are the same bytes, but no file
// descriptor is involved.
//
// It is for tests inside a testing/synctest bubble, where time is fake and
// moves only when every goroutine waits: a goroutine blocked on a real
// socket never counts as waiting, so a socket-backed fake would keep the
// clock still. Create the Pipe, and the SDK client that uses it, inside the
// bubble, and Close it there.
type Pipe struct {
	*Handler
	// URL is the base URL to configure. Its host is never resolved: every
	// connection made with DialContext reaches the fake whatever the address.
	URL string

	srv *pipenet.Server
}

// NewPipe starts the fake on in-memory connections. Call Close when done.
func NewPipe(opts ...Option) *Pipe {
	h := NewHandler(opts...)
	srv := pipenet.Serve("bedrock.pipe", h)
	return &Pipe{Handler: h, URL: srv.URL, srv: srv}
}

// DialContext opens a new connection to the fake, whatever the address;
// it is the DialContext of the client's http.Transport.
func (p *Pipe) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	return p.srv.Dial(ctx, network, addr)
}

// Close stops the server and closes every connection, which cuts any
// stream still open and ends the client's idle connections too.
func (p *Pipe) Close() { p.srv.Close() }
