package bedrock

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrock"
)

// Application inference profiles (arn:aws:bedrock:<region>:<account>:
// application-inference-profile/<id>) are how AWS users allocate cost per
// team or tenant: the id is opaque, so the model behind it, which decides
// the InvokeModel body and the capabilities, is asked of the Bedrock
// control plane at start (GetInferenceProfile, whose models[].modelArn are
// the foundation models it routes to; AWS_ENDPOINT_URL_BEDROCK points the
// SDK elsewhere). The runtime takes the profile's ARN as the model id.

// ErrProfile: an application inference profile could not be resolved.
var ErrProfile = errors.New("cannot resolve the application inference profile")

// IsApplicationProfile reports whether id is an application inference
// profile's ARN.
func IsApplicationProfile(id string) bool {
	return strings.HasPrefix(id, "arn:") && strings.Contains(id, ":application-inference-profile/")
}

// profileResolver asks the control plane which model a profile routes to.
type profileResolver interface {
	GetInferenceProfile(ctx context.Context, in *bedrock.GetInferenceProfileInput, optFns ...func(*bedrock.Options)) (*bedrock.GetInferenceProfileOutput, error)
}

// resolveProfile returns the foundation model id an application inference
// profile routes to. A profile routes to one model (in one or more
// Regions), so the first model names it.
func resolveProfile(ctx context.Context, c profileResolver, arn string) (string, error) {
	out, err := c.GetInferenceProfile(ctx, &bedrock.GetInferenceProfileInput{InferenceProfileIdentifier: aws.String(arn)})
	if err != nil {
		return "", fmt.Errorf("%w %s: %w", ErrProfile, arn, err)
	}
	for _, m := range out.Models {
		if base := BaseModelID(aws.ToString(m.ModelArn)); base != "" && !strings.HasPrefix(base, "arn:") {
			return base, nil
		}
	}
	return "", fmt.Errorf("%w %s: GetInferenceProfile names no foundation model", ErrProfile, arn)
}
