package bedrock_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"go.uber.org/goleak"
)

type awsCredentials = aws.Credentials

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
