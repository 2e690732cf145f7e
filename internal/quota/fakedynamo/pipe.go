package fakedynamo

import (
	"context"
	"net"
	"net/http"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"

	"github.com/chatbot-gateway/chatbot/internal/pipenet"
)

// Pipe serves a Server over in-memory connections (net.Pipe) rather than a
// socket, for tests inside a testing/synctest bubble, where a goroutine
// blocked on a real socket would keep the fake clock still. Create it, and
// the client that uses it, inside the bubble, and Close it there.
type Pipe struct {
	// URL is the endpoint to configure; its host is never resolved.
	URL string

	ln     *pipenet.Listener
	srv    *http.Server
	served chan struct{}
}

// NewPipe starts serving s. Call Close when done.
func NewPipe(s *Server) *Pipe {
	p := &Pipe{URL: "http://dynamodb.pipe", ln: pipenet.Listen("dynamodb.pipe"), srv: &http.Server{Handler: s},
		served: make(chan struct{})}
	go func() {
		defer close(p.served)
		_ = p.srv.Serve(p.ln)
	}()
	return p
}

// Client is the SDK's default HTTP client, except that its every
// connection reaches the server.
func (p *Pipe) Client() *awshttp.BuildableClient {
	return awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
		tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			return p.ln.Dial(ctx, network, addr)
		}
	})
}

// Close stops the server and closes every connection, the clients' idle
// ones too.
func (p *Pipe) Close() {
	_ = p.srv.Close()
	<-p.served
}
