# Whole-gateway benchmarks (cmd/chatbench), the allocation budget and the
# soak test.
#   make bench                       go test -bench, then chatbench (gateway/floor table + bench/results.json)
#   make bench-chatbench CHATBENCH_FLAGS=-quick
#   make test-allocs                 allocations per relayed frame within budget (part of make test)
#   make soak                        SOAK_STREAMS concurrent streams for SOAK: RSS and goroutines over time

BENCH_TARGETS += bench-chatbench
TEST_TARGETS  += test-allocs

CHATBENCH_FLAGS ?=
SOAK ?= 60s
SOAK_STREAMS ?= 500

.PHONY: bench-chatbench soak test-allocs

bench-chatbench:
	$(GO) run ./cmd/chatbench $(CHATBENCH_FLAGS)

# Allocation counts are spoilt by the race detector, which test-go uses:
# the allocation tests skip there and run here without it.
test-allocs:
	$(GO) test -count=1 -run 'Allocs' ./cmd/chatbench ./internal/gateway ./internal/bedrock/invokestream

soak:
	CHATBOT_SOAK=$(SOAK) CHATBOT_SOAK_STREAMS=$(SOAK_STREAMS) $(GO) test -run '^TestSoak$$' -v -count=1 -timeout 15m ./test/resilience/
