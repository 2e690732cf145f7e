package metrics

import (
	"errors"
	"fmt"
	"strings"
)

// DefaultNamespace is the CloudWatch namespace used when METRICS_NAMESPACE
// is unset. The Terraform variable metrics_namespace has the same default.
const DefaultNamespace = "Chatbot"

var (
	// ErrInvalidNamespace means a namespace CloudWatch would refuse.
	ErrInvalidNamespace = errors.New("invalid CloudWatch namespace")
)

// Config says whether to emit metrics and under which namespace
// (METRICS_ENABLED, METRICS_NAMESPACE).
type Config struct {
	Enabled   bool
	Namespace string
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
