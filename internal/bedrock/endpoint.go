package bedrock

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
)

// Endpoint returns the URL the model's client sends its calls to, resolved
// by the SDK's own endpoint rules from the region, FIPS and dual-stack
// settings and any override (AWS_ENDPOINT_URL_BEDROCK_RUNTIME), the same way
// each call resolves it. It is for the start-up log: a gateway pointed at a
// fake Bedrock or the wrong region says so before the first request.
func (m *Model) Endpoint(ctx context.Context) (string, error) {
	o := m.client.Options()
	params := bedrockruntime.EndpointParameters{
		Region:       aws.String(o.Region),
		UseDualStack: aws.Bool(o.EndpointOptions.UseDualStackEndpoint == aws.DualStackEndpointStateEnabled),
		UseFIPS:      aws.Bool(o.EndpointOptions.UseFIPSEndpoint == aws.FIPSEndpointStateEnabled),
		Endpoint:     o.BaseEndpoint,
	}
	ep, err := o.EndpointResolverV2.ResolveEndpoint(ctx, params)
	if err != nil {
		return "", err
	}
	return ep.URI.String(), nil
}
