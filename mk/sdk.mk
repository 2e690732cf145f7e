# Client compatibility (test/sdk/): real client libraries against the real
# gateway binary, which the tests build and start themselves. The official
# openai package from node (sdk.test.mjs), from a page on another origin in
# headless Chromium (browser.test.mjs, through the gateway's CORS), and through
# the local CloudFront stand-in of terraform/functions (cloudfront.test.mjs);
# tools, images and reasoning with the openai package, the Vercel AI SDK and
# LangChain JS against the fake Bedrock (features.test.mjs); POST /v1/responses
# with the openai package and the AI SDK's default OpenAI provider, against
# ELIZA and the fake Bedrock (responses.test.mjs); stored responses and the
# Conversations API on one process and on two sharing dynalite
# (conversations.test.mjs); the fallback chain and mid-stream failover with
# all three clients (failover.test.mjs); the Node snippets of
# docs/clients.md and the curl commands of docs/api.md, as written, against a
# gateway with auth off (docs.test.mjs). The suites that talk to the fake
# Bedrock run twice: on InvokeModel, then on ConverseStream
# (BEDROCK_API=converse, read by web/e2e/fakebedrock.mjs's bedrockEnv).

TEST_TARGETS += test-sdk

SDK := test/sdk
SDK_NPM_STAMP := $(SDK)/node_modules/.npm-ci-stamp

.PHONY: test-sdk

$(SDK_NPM_STAMP): $(SDK)/package.json $(SDK)/package-lock.json
	cd $(SDK) && npm ci --no-audit --no-fund
	touch $@

# web-chromium and CHROMIUM come from mk/web.mk.
# DYNALITE_NPM_STAMP comes from mk/dynalite.mk.
test-sdk: $(SDK_NPM_STAMP) web-chromium $(DYNALITE_NPM_STAMP)
	cd $(SDK) && CHROMIUM_PATH=$(CHROMIUM) node --test --test-concurrency=1 sdk.test.mjs responses.test.mjs resume.test.mjs conversations.test.mjs browser.test.mjs cloudfront.test.mjs features.test.mjs failover.test.mjs docs.test.mjs
	cd $(SDK) && BEDROCK_API=converse CHROMIUM_PATH=$(CHROMIUM) node --test --test-concurrency=1 sdk.test.mjs responses.test.mjs features.test.mjs failover.test.mjs
