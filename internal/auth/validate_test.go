package auth_test

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/chatbot-gateway/chatbot/internal/auth"
)

// TestValidate: each rule of a configuration is checked in one place.
func TestValidate(t *testing.T) {
	t.Parallel()
	key, err := auth.ParseAPIKeys([]string{"ci:" + strings.Repeat("ab", 32)})
	if err != nil {
		t.Fatal(err)
	}
	cidrs := []netip.Prefix{netip.MustParsePrefix("203.0.113.0/24")}
	signing := auth.Secret(strings.Repeat("k", 32))
	for _, tt := range []struct {
		name string
		cfg  auth.Config
		want []error
	}{
		{name: "auth off locally", cfg: auth.Config{}},
		{name: "auth off where a credential is required", cfg: auth.Config{RequireCredential: true}, want: []error{auth.ErrNoCredentialCheck}},
		{name: "API keys where a credential is required", cfg: auth.Config{RequireCredential: true, APIKeys: auth.APIKeyConfig{Keys: key}}},
		{name: "signing key without API keys", cfg: auth.Config{APIKeys: auth.APIKeyConfig{TokenSigningKey: signing}},
			want: []error{auth.ErrSigningKeyWithoutAPIKeys}},
		{name: "signing key with API keys", cfg: auth.Config{APIKeys: auth.APIKeyConfig{Keys: key, TokenSigningKey: signing}}},
		{name: "CIDRs behind CloudFront without an origin secret",
			cfg: auth.Config{BehindCloudFront: true, AllowedCIDRs: cidrs, APIKeys: auth.APIKeyConfig{Keys: key}}, want: []error{auth.ErrCIDRsNeedOriginSecret}},
		{name: "CIDRs behind CloudFront with an origin secret",
			cfg: auth.Config{BehindCloudFront: true, AllowedCIDRs: cidrs, OriginVerifySecret: auth.Secret(strings.Repeat("o", 32)), APIKeys: auth.APIKeyConfig{Keys: key}}},
		{name: "CIDRs locally", cfg: auth.Config{AllowedCIDRs: cidrs}},
		{name: "every rule", cfg: auth.Config{RequireCredential: true, BehindCloudFront: true, AllowedCIDRs: cidrs,
			APIKeys: auth.APIKeyConfig{TokenSigningKey: signing}},
			want: []error{auth.ErrSigningKeyWithoutAPIKeys, auth.ErrCIDRsNeedOriginSecret, auth.ErrNoCredentialCheck}},
	} {
		err := tt.cfg.Validate()
		if (err == nil) != (len(tt.want) == 0) {
			t.Errorf("%s: Validate = %v, want %v", tt.name, err, tt.want)
			continue
		}
		for _, w := range tt.want {
			if !errors.Is(err, w) {
				t.Errorf("%s: Validate = %v, want %v among its errors", tt.name, err, w)
			}
		}
	}
}
