package pipenet

import (
	"context"
	"net"
	"net/http"
)

// Server is an http.Server serving a handler on a Listener of its own, as
// the in-repo fakes run inside a synctest bubble. Create it, and the
// client that dials it, inside the bubble, and Close it there.
type Server struct {
	// URL is the base URL to configure, http://<name>. Its host is never
	// resolved: every connection Dial opens reaches the server.
	URL string

	ln     *Listener
	srv    *http.Server
	served chan struct{}
}

// Serve starts serving h on a listener named name. Call Close when done.
func Serve(name string, h http.Handler) *Server {
	s := &Server{URL: "http://" + name, ln: Listen(name), srv: &http.Server{Handler: h}, served: make(chan struct{})}
	go func() {
		defer close(s.served)
		_ = s.srv.Serve(s.ln)
	}()
	return s
}

// Dial opens a connection to the server, whatever network and address
// say: it is the DialContext of the client's http.Transport.
func (s *Server) Dial(ctx context.Context, network, addr string) (net.Conn, error) {
	return s.ln.Dial(ctx, network, addr)
}

// Close stops the server and closes every connection, which cuts any
// answer still streaming and ends the clients' idle connections too.
func (s *Server) Close() {
	_ = s.srv.Close()
	<-s.served
}
