package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/chatbot-gateway/chatbot/internal/auth"
)

// secretTimeout bounds reading API_KEYS_SECRET_ARN at start-up.
const secretTimeout = 5 * time.Second

// addSecretKeys reads the API key secret once and adds its keys, signing
// key and origin secret to c. A key, a signing key or an origin secret
// given both in the environment and in the secret is an error. The origin
// secret lives here rather than in ORIGIN_VERIFY_SECRET on Lambda because
// a function's environment is readable by anyone allowed
// lambda:GetFunctionConfiguration. The secret is where keys come and go (make apikey), so
// one that holds a signing key but no key yet — a new stack, or one whose
// last key was revoked — is not an error: minting is off until a key is
// added, and it reports parked=true.
func addSecretKeys(ctx context.Context, c *auth.Config, arn string, awsOpts []func(*config.LoadOptions) error) (parked bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, secretTimeout)
	defer cancel()
	awsCfg, err := config.LoadDefaultConfig(ctx, awsOpts...)
	if err != nil {
		return false, fmt.Errorf("read API_KEYS_SECRET_ARN: load AWS config: %w", err)
	}
	out, err := secretsmanager.NewFromConfig(awsCfg).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(arn)})
	if err != nil {
		return false, fmt.Errorf("read API_KEYS_SECRET_ARN: %w", err)
	}
	if out.SecretString == nil {
		return false, errors.New("read API_KEYS_SECRET_ARN: the secret has no SecretString")
	}
	keys, signing, err := auth.ParseKeySecret(*out.SecretString)
	if err != nil {
		return false, fmt.Errorf("parse API_KEYS_SECRET_ARN: %w", err)
	}
	if err := addOriginSecret(c, *out.SecretString); err != nil {
		return false, fmt.Errorf("API_KEYS_SECRET_ARN: %w", err)
	}
	if c.APIKeys.Keys, err = auth.MergeKeys(c.APIKeys.Keys, keys); err != nil {
		return false, fmt.Errorf("API_KEYS_SECRET_ARN: %w", err)
	}
	if len(signing) > 0 {
		if c.APIKeys.TokenSigningKey != "" {
			return false, errors.New("API_KEYS_SECRET_ARN: the token signing key is in both TOKEN_SIGNING_KEY and the secret")
		}
		if len(c.APIKeys.Keys) == 0 {
			return true, nil
		}
		c.APIKeys.TokenSigningKey = auth.Secret(signing)
	}
	return false, nil
}

// addOriginSecret takes origin_verify_secret from the secret's JSON form
// into c. Errors never quote the secret.
func addOriginSecret(c *auth.Config, text string) error {
	text = strings.TrimSpace(text)
	if !strings.HasPrefix(text, "{") {
		return nil // the plain key list has no origin secret
	}
	var doc struct {
		OriginVerifySecret *string `json:"origin_verify_secret"`
	}
	if err := json.Unmarshal([]byte(text), &doc); err != nil {
		return errors.New("origin_verify_secret is not a string") // ParseKeySecret accepted the JSON
	}
	if doc.OriginVerifySecret == nil {
		return nil
	}
	v := *doc.OriginVerifySecret
	if v == "" {
		return errors.New("origin_verify_secret is empty")
	}
	if err := auth.CheckOriginSecret(v); err != nil {
		return fmt.Errorf("origin_verify_secret: %w", err)
	}
	if c.OriginVerifySecret != "" {
		return errors.New("the origin secret is in both ORIGIN_VERIFY_SECRET and the secret")
	}
	c.OriginVerifySecret = auth.Secret(v)
	return nil
}
