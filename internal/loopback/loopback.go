// Package loopback tells loopback names from others: the local server
// binds to them, and only they may go without a credential check.
package loopback

import (
	"net/netip"
	"strings"
)

// Host reports whether host (no port; an IPv6 address may be in brackets)
// is "localhost" or a loopback address.
func Host(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"))
	return err == nil && ip.IsLoopback()
}
