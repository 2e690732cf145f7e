# OpenAI SDK compatibility (test/sdk/): the official openai npm package
# against the real gateway binary, which the test builds and starts itself,
# directly and through the local CloudFront stand-in of terraform/functions.

TEST_TARGETS += test-sdk

SDK := test/sdk
SDK_NPM_STAMP := $(SDK)/node_modules/.npm-ci-stamp

.PHONY: test-sdk

$(SDK_NPM_STAMP): $(SDK)/package.json $(SDK)/package-lock.json
	cd $(SDK) && npm ci --no-audit --no-fund
	touch $@

test-sdk: $(SDK_NPM_STAMP)
	cd $(SDK) && node --test --test-concurrency=1 sdk.test.mjs cloudfront.test.mjs
