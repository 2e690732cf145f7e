// @vitest-environment happy-dom

// The page in server-kept conversation mode when the answer's connection is
// cut: the hook resumes the Responses stream, the bubble completes as an
// uncut one would and the next turn goes on in the same conversation; when
// the gateway no longer has the stream, the bubble is marked cut.

import { act, renderHook, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { describeError } from "../src/chat/errorText";
import { useChatStream } from "../src/hooks/useChatStream";
import { fakeStore } from "./responsesHelpers";
import { byteStream } from "./streamHelpers";

const words = (input: string) => ["You", " said", " “", input, "”", " — tell", " me", " more."];

/**
 * fakeStore's gateway, whose first Responses answer is cut inside its
 * cutAfter+1-th event; the gateway finished the answer all the same (it
 * keeps producing without its client), and GET
 * /v1/responses/{id}?stream=true&starting_after=n answers the events after
 * n, or 404 when resumable is false.
 */
function cuttingGateway(cutAfter: number, resumable: boolean) {
  const store = fakeStore(words);
  const resumes: string[] = [];
  let produced: string[] = [];
  let cut = false;
  const fetchImpl = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input));
    if (init?.method === "POST" && url.pathname === "/v1/responses" && !cut) {
      cut = true;
      produced = (await (await store.fetchImpl(input, init)).text()).split(/(?<=\n\n)/);
      const sent = produced.slice(0, cutAfter).join("") + produced[cutAfter]!.slice(0, 20);
      return new Response(byteStream([new TextEncoder().encode(sent)], { errorAtEnd: new TypeError("network error") }), {
        headers: { "Content-Type": "text/event-stream" },
      });
    }
    const m = url.pathname.match(/^\/v1\/responses\/([^/]+)$/);
    if (m && (init?.method ?? "GET") === "GET") {
      resumes.push(url.pathname + url.search);
      if (!resumable) return new Response(JSON.stringify({ error: { message: "no such response", code: "not_found" } }), { status: 404 });
      const after = Number(url.searchParams.get("starting_after"));
      const rest = produced.filter((e) => JSON.parse(e.slice(e.indexOf("data: ") + 6)).sequence_number > after).join("");
      return new Response(byteStream([new TextEncoder().encode(rest)]), { headers: { "Content-Type": "text/event-stream" } });
    }
    return store.fetchImpl(input, init);
  }) as typeof fetch;
  return { store, resumes, fetchImpl };
}

/** The hook on a gateway that cuts the first answer after 5 events, once the message was sent and answered. */
async function sendCut(resumable: boolean) {
  const gw = cuttingGateway(5, resumable);
  const { result } = renderHook(() =>
    useChatStream({ endpoint: "http://gw.test", fetch: gw.fetchImpl, storage: null, serverConversations: true, resumeDelaysMs: [0, 0, 0] }),
  );
  await waitFor(() => expect(result.current.store).toBe("server"));
  act(() => result.current.send("I dream"));
  await waitFor(() => expect(result.current.streaming).toBe(false));
  expect(gw.resumes).toHaveLength(1);
  return { gw, result };
}

const shown = (messages: ReturnType<typeof useChatStream>["messages"]) => messages.map((m) => [m.role, m.content, m.status]);

describe("a cut answer in a conversation kept by the gateway", () => {
  it("resumes: the bubble is the uncut answer, and the next turn continues the conversation", async () => {
    const { gw, result } = await sendCut(true);
    expect(gw.resumes[0]).toMatch(/^\/v1\/responses\/resp_1\?stream=true&starting_after=\d+$/);
    expect(result.current.error).toBeNull();
    expect(shown(result.current.messages)).toEqual([
      ["user", "I dream", "done"],
      ["assistant", words("I dream").join(""), "done"],
    ]);

    act(() => result.current.send("Of the sea"));
    await waitFor(() => expect(result.current.messages).toHaveLength(4));
    await waitFor(() => expect(result.current.streaming).toBe(false));
    expect(shown(result.current.messages).slice(2)).toEqual([
      ["user", "Of the sea", "done"],
      ["assistant", words("Of the sea").join(""), "done"],
    ]);
    // What the page shows is what the gateway holds.
    const stored = [...gw.store.conversations.values()][0]!.items.map((i) => (i.content as Array<{ text: string }>)[0]!.text);
    expect(stored).toEqual(result.current.messages.map((m) => m.content));
  });

  it("when the gateway no longer has the stream (404), the bubble is marked cut", async () => {
    const { gw, result } = await sendCut(false);
    const answer = result.current.messages[1]!;
    expect(answer.status).toBe("error");
    expect(answer.content).not.toBe("");
    expect(words("I dream").join("").startsWith(answer.content)).toBe(true);
    expect(answer.error?.kind).toBe("truncated");
    expect(answer.error?.message).toContain("no such response");
    expect(describeError(answer.error!)).toBe("The answer was cut off before it finished.");
  });
});
