# Whole-gateway benchmarks (cmd/chatbench) and the soak test.
#   make bench                       go test -bench, then chatbench (table + bench/results.json)
#   make bench-chatbench CHATBENCH_FLAGS=-quick
#   make soak SOAK=60s               mixed fault load, RSS and goroutines every 5s

BENCH_TARGETS += bench-chatbench

CHATBENCH_FLAGS ?=
SOAK ?= 60s

.PHONY: bench-chatbench soak

bench-chatbench:
	$(GO) run ./cmd/chatbench $(CHATBENCH_FLAGS)

soak:
	CHATBOT_SOAK=$(SOAK) $(GO) test -run '^TestSoak$$' -v -count=1 -timeout 15m ./test/resilience/
