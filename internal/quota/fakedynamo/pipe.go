package fakedynamo

import (
	"net/http"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"

	"github.com/chatbot-gateway/chatbot/internal/pipenet"
)

// Pipe serves a Server over in-memory connections (net.Pipe) rather than a
// socket, for tests inside a testing/synctest bubble, where a goroutine
// blocked on a real socket would keep the fake clock still. Create it, and
// the client that uses it, inside the bubble, and Close it there. Its URL
// is the endpoint to configure.
type Pipe struct{ *pipenet.Server }

// NewPipe starts serving s. Call Close when done.
func NewPipe(s *Server) *Pipe { return &Pipe{pipenet.Serve("dynamodb.pipe", s)} }

// Client is the SDK's default HTTP client, except that its every
// connection reaches the server.
func (p *Pipe) Client() *awshttp.BuildableClient {
	return awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
		tr.DialContext = p.Dial
	})
}
