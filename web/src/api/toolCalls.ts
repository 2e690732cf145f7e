// Assembling streamed tool calls. OpenAI sends each call in fragments keyed by
// `index`: the first names the function, the rest append to its arguments.

import type { ToolCall, ToolCallDelta } from "./types";

/** At most this many calls are kept per answer; more are ignored. */
export const MAX_TOOL_CALLS = 32;
/** Arguments longer than this are cut: they are shown, never executed. */
export const MAX_TOOL_ARGUMENTS = 16_384;

/**
 * Returns calls with the fragments in deltas applied, in index order. The
 * input array is not changed, so it can be React state. Malformed fragments
 * (no numeric index) are skipped rather than failing the answer.
 */
export function mergeToolCalls(calls: readonly ToolCall[], deltas: readonly unknown[]): ToolCall[] {
  const out = calls.map((c) => ({ ...c }));
  for (const raw of deltas) {
    const d = raw as ToolCallDelta;
    if (typeof d !== "object" || d === null || !Number.isInteger(d.index) || d.index < 0) {
      continue;
    }
    let call = out.find((c) => c.index === d.index);
    if (!call) {
      if (out.length >= MAX_TOOL_CALLS) {
        continue;
      }
      call = { index: d.index, id: "", type: "function", name: "", arguments: "" };
      out.push(call);
    }
    if (typeof d.id === "string" && d.id !== "") {
      call.id = d.id;
    }
    const fn = d.function;
    if (typeof fn === "object" && fn !== null) {
      if (typeof fn.name === "string" && fn.name !== "") {
        call.name = fn.name;
      }
      if (typeof fn.arguments === "string") {
        call.arguments = (call.arguments + fn.arguments).slice(0, MAX_TOOL_ARGUMENTS);
      }
    }
  }
  return out.sort((a, b) => a.index - b.index);
}

/** A one-line summary such as `get_weather(city: "Paris")`, at most max characters. */
export function describeToolCall(call: ToolCall, max = 80): string {
  const name = call.name || "tool";
  let args = call.arguments.trim();
  try {
    const parsed: unknown = JSON.parse(args);
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) {
      args = Object.entries(parsed)
        .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
        .join(", ");
    }
  } catch {
    // Unfinished or non-JSON arguments are shown as written.
  }
  const line = `${name}(${args.replace(/\s+/g, " ")})`;
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
