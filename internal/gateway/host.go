package gateway

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/chatbot-gateway/chatbot/internal/loopback"
)

var errForeignHost = errors.New("not a loopback name on the port the request arrived on")

// loopbackHost answers 421 (Misdirected Request) unless the request is
// addressed to a loopback name or address (localhost, 127.0.0.0/8, ::1) on
// the port it arrived on. With auth off the gateway serves whoever reaches
// it, which on a loopback address means the machine's own programs; but a
// web page under another name whose DNS answer is 127.0.0.1 (DNS
// rebinding) makes the browser reach it too, with that other name in Host.
// It reports whether it answered the request.
func (h *Handler) loopbackHost(w http.ResponseWriter, r *http.Request, rec *Record) bool {
	if !h.cfg.LoopbackOnly || hostIsLocal(r) {
		return false
	}
	rec.Err = fmt.Errorf("request addressed to %s: %w", Quote(r.Host), errForeignHost)
	fail(w, rec, &Error{Status: http.StatusMisdirectedRequest, Type: typeInvalidRequest, Code: "misdirected_request",
		Message: "this gateway answers only requests addressed to localhost, 127.0.0.1 or [::1] on its own port"})
	return true
}

// hostIsLocal reports whether r's Host names a loopback address on the
// port of the connection it came in on (the default port 80 when Host has
// none). Outside net/http's server, where the connection is unknown, only
// the name is checked.
func hostIsLocal(r *http.Request) bool {
	host, port, err := net.SplitHostPort(r.Host)
	if err != nil {
		// No port (or not host:port at all): the name must stand alone.
		host, port = r.Host, "80"
	}
	if host == "" || !loopback.Host(host) || strings.HasPrefix(host, "[") != strings.HasSuffix(host, "]") {
		return false
	}
	local, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if !ok {
		return true
	}
	tcp, ok := local.(*net.TCPAddr)
	if !ok {
		return false
	}
	p, err := strconv.Atoi(port)
	return err == nil && p == tcp.Port
}
