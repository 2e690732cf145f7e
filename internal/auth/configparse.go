package auth

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strings"
)

// splitList splits a comma list, trimming blanks and dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// checkURL accepts https URLs, and http only for loopback hosts (tests, local
// issuers), so keys are never fetched in clear text over a network.
func checkURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("not a URL: %q", raw)
	}
	if u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("want an absolute https URL without credentials, query or fragment, got %q", raw)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if isLoopbackHost(u.Hostname()) {
			return nil
		}
	}
	return fmt.Errorf("want https (http only for loopback), got %q", raw)
}

func isLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
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

// parseOrigins reads ALLOWED_ORIGINS: exact origins (scheme://host[:port]),
// or "*" alone.
func parseOrigins(s string) ([]string, error) {
	items := splitList(s)
	var out []string
	for _, o := range items {
		if o == "*" {
			if len(items) > 1 {
				return nil, errors.New(`"*" must be the only origin`)
			}
			return []string{"*"}, nil
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" ||
			u.User != nil || u.Path != "" || u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(o, "?") {
			return nil, fmt.Errorf("want scheme://host[:port] without path or trailing slash, got %q", o)
		}
		out = append(out, strings.ToLower(u.Scheme+"://"+u.Host))
	}
	return out, nil
}

// parseCIDRs reads ALLOWED_CIDRS: CIDR prefixes or single addresses.
func parseCIDRs(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, item := range splitList(s) {
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

// applyAuthMode reads AUTH_MODE (jwt, apikey or jwt,apikey). Unset means every
// configured method; set, it selects methods, each of which must be
// configured, and the settings of the others are ignored.
func applyAuthMode(mode string, cfg *Config) error {
	if mode == "" {
		if cfg.APIKeys.TokenSigningKey != "" && !cfg.APIKeys.Enabled() {
			return errors.New("TOKEN_SIGNING_KEY: tokens are minted with an API key; set API_KEY_SHA256S or API_KEYS_SECRET_ARN too")
		}
		return nil
	}
	var useJWT, useKeys bool
	for _, m := range strings.Split(mode, ",") {
		switch strings.TrimSpace(m) {
		case "jwt":
			useJWT = true
		case "apikey":
			useKeys = true
		default:
			return fmt.Errorf("AUTH_MODE: want jwt, apikey or jwt,apikey, got %q", mode)
		}
	}
	if useJWT && !cfg.JWT.Enabled() {
		return errors.New("AUTH_MODE: jwt selected but neither COGNITO_USER_POOL_ID nor OIDC_ISSUER is set")
	}
	if useKeys && !cfg.APIKeys.Enabled() {
		return errors.New("AUTH_MODE: apikey selected but neither API_KEY_SHA256S nor API_KEYS_SECRET_ARN is set")
	}
	if !useJWT {
		cfg.JWT = JWTConfig{}
	}
	if !useKeys {
		cfg.APIKeys = APIKeyConfig{}
	}
	return nil
}
