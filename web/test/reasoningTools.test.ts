// Reasoning text and tool calls in OpenAI's streaming shapes:
// choices[0].delta.reasoning_content (a string) and choices[0].delta.tool_calls
// ([{index, id, type: "function", function: {name, arguments}}], the arguments
// arriving in pieces). The stream client must assemble both, at every byte split.

import { describe, expect, it } from "vitest";
import { streamChatbotResponse, type StreamResult, type ToolCall } from "../src/api/chatbotApi";
import { MAX_TOOL_CALLS, describeToolCall, mergeToolCalls } from "../src/api/toolCalls";
import { chunk, fakeFetch, sse } from "./streamHelpers";

const MODEL = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";

const body =
  chunk({ role: "assistant", reasoning_content: "The user wants " }, null, MODEL) +
  chunk({ reasoning_content: "the weather in Paris. " }, null, MODEL) +
  chunk({ reasoning_content: "Call the tool ✓" }, null, MODEL) +
  chunk(
    { tool_calls: [{ index: 0, id: "call_abc", type: "function", function: { name: "get_weather", arguments: "" } }] },
    null,
    MODEL,
  ) +
  chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }, null, MODEL) +
  chunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }, null, MODEL) +
  chunk(
    { tool_calls: [{ index: 1, id: "call_def", type: "function", function: { name: "get_time", arguments: '{"tz":"Europe/Paris"}' } }] },
    null,
    MODEL,
  ) +
  chunk({ content: "Let me check. " }, null, MODEL) +
  chunk({}, "tool_calls", MODEL) +
  "data: [DONE]\n\n";

const wantCalls: ToolCall[] = [
  { index: 0, id: "call_abc", type: "function", name: "get_weather", arguments: '{"city":"Paris"}' },
  { index: 1, id: "call_def", type: "function", name: "get_time", arguments: '{"tz":"Europe/Paris"}' },
];

async function collect(split?: (b: Uint8Array) => Uint8Array[]) {
  const { fetchImpl } = fakeFetch(() => sse(body, {}, split));
  const order: string[] = [];
  const reasoning: string[] = [];
  const snapshots: ToolCall[][] = [];
  let result: StreamResult | undefined;
  await streamChatbotResponse(
    { messages: [{ role: "user", content: "weather?" }] },
    {
      onReasoning: (d) => {
        reasoning.push(d);
        order.push("reasoning");
      },
      onToolCalls: (calls) => {
        snapshots.push(calls);
        order.push("tools");
      },
      onData: () => order.push("text"),
      onComplete: (r) => (result = r),
      onError: (e) => {
        throw e;
      },
    },
    { fetch: fetchImpl },
  );
  return { order, reasoning, snapshots, result };
}

describe("reasoning and tool calls in the stream", () => {
  it("reports reasoning, then tool calls, then text, and assembles them in the result", async () => {
    const got = await collect();
    expect(got.reasoning).toEqual(["The user wants ", "the weather in Paris. ", "Call the tool ✓"]);
    expect(got.order).toEqual(["reasoning", "reasoning", "reasoning", "tools", "tools", "tools", "tools", "text"]);
    expect(got.result?.reasoning).toBe("The user wants the weather in Paris. Call the tool ✓");
    expect(got.result?.toolCalls).toEqual(wantCalls);
    expect(got.result?.text).toBe("Let me check. ");
    expect(got.result?.finishReason).toBe("tool_calls");
    expect(got.result?.model).toBe(MODEL);
    // Each snapshot is a new array: earlier ones (held as UI state) never change afterwards.
    expect(got.snapshots[1]).toEqual([{ ...wantCalls[0], arguments: '{"city":' }]);
    expect(got.snapshots[0]).not.toBe(got.snapshots[1]);
  });

  it("assembles the same result whatever the byte split", async () => {
    const total = new TextEncoder().encode(body).length;
    for (let i = 0; i <= total; i += 7) {
      const got = await collect((b) => [b.slice(0, i), b.slice(i)]);
      expect(got.result?.reasoning, `split at ${i}`).toBe("The user wants the weather in Paris. Call the tool ✓");
      expect(got.result?.toolCalls, `split at ${i}`).toEqual(wantCalls);
    }
  });

  it("ignores null and empty reasoning and tool call fields", async () => {
    const { fetchImpl } = fakeFetch(() =>
      sse(chunk({ content: "hi", reasoning_content: null, tool_calls: null }) + chunk({ reasoning_content: "", tool_calls: [] }) + "data: [DONE]\n\n"),
    );
    const seen: string[] = [];
    const r = await streamChatbotResponse(
      { messages: [{ role: "user", content: "x" }] },
      { onReasoning: () => seen.push("reasoning"), onToolCalls: () => seen.push("tools") },
      { fetch: fetchImpl },
    );
    expect(seen).toEqual([]);
    expect(r).toMatchObject({ text: "hi", reasoning: "", toolCalls: [] });
  });
});

describe("mergeToolCalls", () => {
  it("skips malformed fragments and keeps at most MAX_TOOL_CALLS calls", () => {
    const merged = mergeToolCalls([], [null, "x", { index: -1 }, { index: 1.5 }, { function: { name: "f" } }, { index: 0, function: { name: "ok" } }]);
    expect(merged).toEqual([{ index: 0, id: "", type: "function", name: "ok", arguments: "" }]);
    const many = mergeToolCalls([], Array.from({ length: MAX_TOOL_CALLS + 5 }, (_, index) => ({ index })));
    expect(many).toHaveLength(MAX_TOOL_CALLS);
  });

  it("does not change its input", () => {
    const before: ToolCall[] = [{ index: 0, id: "a", type: "function", name: "f", arguments: "{" }];
    const after = mergeToolCalls(before, [{ index: 0, function: { arguments: "}" } }]);
    expect(before[0]!.arguments).toBe("{");
    expect(after[0]!.arguments).toBe("{}");
  });
});

describe("describeToolCall", () => {
  it("shows a call on one line, arguments as name: value", () => {
    expect(describeToolCall(wantCalls[0]!)).toBe('get_weather(city: "Paris")');
  });

  it("shows unfinished arguments as written and shortens long ones", () => {
    expect(describeToolCall({ ...wantCalls[0]!, arguments: '{"city": "Pa' })).toBe('get_weather({"city": "Pa)');
    const long = describeToolCall({ ...wantCalls[0]!, arguments: JSON.stringify({ q: "x".repeat(200) }) }, 40);
    expect(long).toHaveLength(40);
    expect(long.endsWith("…")).toBe(true);
  });
});
