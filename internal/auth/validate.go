package auth

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strings"

	"github.com/chatbot-gateway/chatbot/internal/loopback"
)

// The functions below check the values a Config is built from. The
// configuration reader (internal/app) calls them, so a bad value is refused
// at start-up with the variable's name.

// CognitoIssuer returns the issuer and key set URL of a Cognito user pool
// such as "eu-west-1_AbC123".
func CognitoIssuer(pool string) (issuer, jwksURL string, err error) {
	region, id, ok := strings.Cut(pool, "_")
	if !ok || !isRegion(region) || id == "" || !isAlnum(id) {
		return "", "", fmt.Errorf("want <region>_<id> such as eu-west-1_AbC123, got %q", pool)
	}
	issuer = "https://cognito-idp." + region + ".amazonaws.com/" + pool
	return issuer, issuer + "/.well-known/jwks.json", nil
}

// CheckKeySetURL accepts https URLs, and http only for loopback hosts (tests,
// local issuers), so keys are never fetched in clear text over a network.
// The key-set fetch applies the same scheme and host rule to every redirect.
func CheckKeySetURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("not a URL: %q", raw)
	}
	if u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("want an absolute https URL without credentials, query or fragment, got %q", raw)
	}
	return checkKeySetLocation(u)
}

// checkKeySetLocation is the part of CheckKeySetURL that every redirect hop
// must pass too: an absolute URL without credentials, https, or http to a
// loopback host. A query is allowed on a hop (the issuer chose it, and
// object stores sign their URLs with one); it carries nothing of ours.
func checkKeySetLocation(u *url.URL) error {
	if u.Host == "" || u.User != nil {
		return fmt.Errorf("want an absolute URL without credentials, got %q", u.Redacted())
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if loopback.Host(u.Hostname()) {
			return nil
		}
	}
	return fmt.Errorf("want https (http only for loopback), got %q", u.Redacted())
}

// isRegion accepts AWS region names such as us-east-1 or us-gov-west-1.
func isRegion(s string) bool {
	parts := strings.Split(s, "-")
	if len(parts) < 3 {
		return false
	}
	for _, p := range parts[:len(parts)-1] {
		if p == "" || strings.Trim(p, "abcdefghijklmnopqrstuvwxyz") != "" {
			return false
		}
	}
	last := parts[len(parts)-1]
	return last != "" && strings.Trim(last, "0123456789") == ""
}

func isAlnum(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// isHex reports whether s is hex digits of even length; lower accepts only
// lowercase letters, as in x-amz-content-sha256.
func isHex(s string, lower bool) bool {
	if len(s)%2 != 0 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || !lower && c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// ParseCIDRs reads CIDR prefixes or single addresses, such as
// "203.0.113.0/24" or "2001:db8::7". IPv4-mapped prefixes become IPv4 ones.
func ParseCIDRs(items []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, item := range items {
		if !strings.Contains(item, "/") {
			addr, err := netip.ParseAddr(item)
			if err != nil {
				return nil, fmt.Errorf("want a CIDR such as 203.0.113.0/24 or an address, got %q", item)
			}
			addr = addr.Unmap()
			out = append(out, netip.PrefixFrom(addr, addr.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(item)
		if err != nil {
			return nil, fmt.Errorf("want a CIDR such as 203.0.113.0/24 or an address, got %q", item)
		}
		if p.Addr().Is4In6() {
			if p.Bits() < 96 {
				return nil, fmt.Errorf("IPv4-mapped prefix %q is shorter than /96", item)
			}
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// CheckOriginSecret refuses an origin secret too short to resist guessing.
func CheckOriginSecret(s string) error {
	if s != "" && len(s) < 16 {
		return errors.New("too short, use at least 16 random characters")
	}
	return nil
}
