# OpenAI SDK compatibility (test/sdk/): the official openai npm package
# against the real gateway binary, which the tests build and start
# themselves: from node (sdk.test.mjs), from a page on another origin in
# headless Chromium (browser.test.mjs, through the gateway's CORS), through
# the local CloudFront stand-in of terraform/functions (cloudfront.test.mjs),
# and on POST /v1/responses with the openai SDK and the Vercel AI SDK's
# default provider, against ELIZA and cmd/fakebedrock (responses.test.mjs).

TEST_TARGETS += test-sdk

SDK := test/sdk
SDK_NPM_STAMP := $(SDK)/node_modules/.npm-ci-stamp

.PHONY: test-sdk

$(SDK_NPM_STAMP): $(SDK)/package.json $(SDK)/package-lock.json
	cd $(SDK) && npm ci --no-audit --no-fund
	touch $@

# web-chromium and CHROMIUM come from mk/web.mk.
test-sdk: $(SDK_NPM_STAMP) web-chromium
	cd $(SDK) && CHROMIUM_PATH=$(CHROMIUM) node --test --test-concurrency=1 sdk.test.mjs responses.test.mjs browser.test.mjs cloudfront.test.mjs
