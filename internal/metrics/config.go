package metrics

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// DefaultNamespace is the CloudWatch namespace used when METRICS_NAMESPACE
// is unset. The Terraform variable metrics_namespace has the same default.
const DefaultNamespace = "Chatbot"

var (
	// ErrInvalidNamespace means a namespace CloudWatch would refuse.
	ErrInvalidNamespace = errors.New("invalid CloudWatch namespace")
	// ErrInvalidEnabled means METRICS_ENABLED is not a boolean.
	ErrInvalidEnabled = errors.New("invalid boolean")
)

// Config says whether to emit metrics and under which namespace.
type Config struct {
	Enabled   bool
	Namespace string
}

// LoadConfig reads METRICS_ENABLED and METRICS_NAMESPACE through getenv
// (os.Getenv in production). The rule:
//
//   - METRICS_ENABLED, when set, decides (true or false);
//   - otherwise metrics are on in Lambda mode, and on locally only when
//     METRICS_NAMESPACE is set, since asking for a namespace is asking for
//     metrics.
//
// METRICS_NAMESPACE defaults to DefaultNamespace and is validated even when
// metrics are off, so a typo is found before it is deployed.
func LoadConfig(getenv func(string) string, lambda bool) (Config, error) {
	ns := strings.TrimSpace(getenv("METRICS_NAMESPACE"))
	cfg := Config{Enabled: lambda || ns != "", Namespace: ns}
	if ns == "" {
		cfg.Namespace = DefaultNamespace
	}
	var errs []error
	if err := ValidateNamespace(cfg.Namespace); err != nil {
		errs = append(errs, fmt.Errorf("METRICS_NAMESPACE: %w", err))
	}
	if v := strings.TrimSpace(getenv("METRICS_ENABLED")); v != "" {
		on, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("METRICS_ENABLED: %w: want true or false, got %q", ErrInvalidEnabled, v))
		}
		cfg.Enabled = on
	}
	if len(errs) > 0 {
		return Config{}, fmt.Errorf("load metrics config: %w", errors.Join(errs...))
	}
	return cfg, nil
}

// ValidateNamespace applies CloudWatch's rules for a custom namespace: 1 to
// 255 characters from A–Z a–z 0–9 . - _ / # : and space, not starting with
// ':' and not in the reserved "AWS/" space.
func ValidateNamespace(ns string) error {
	switch {
	case ns == "":
		return fmt.Errorf("%w: empty", ErrInvalidNamespace)
	case len(ns) > 255:
		return fmt.Errorf("%w: %d characters, at most 255 allowed", ErrInvalidNamespace, len(ns))
	case ns[0] == ':':
		return fmt.Errorf("%w: %q starts with ':'", ErrInvalidNamespace, ns)
	case strings.HasPrefix(ns, "AWS/"):
		return fmt.Errorf("%w: %q: the AWS/ prefix is reserved for AWS services", ErrInvalidNamespace, ns)
	}
	for _, r := range ns {
		if r >= 0x80 || !namespaceChar(byte(r)) {
			return fmt.Errorf("%w: %q: character %q not allowed; use letters, digits and . - _ / # : or space",
				ErrInvalidNamespace, ns, r)
		}
	}
	return nil
}

func namespaceChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte(".-_/#: ", c) >= 0
}
