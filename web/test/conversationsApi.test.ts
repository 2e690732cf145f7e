// The Conversations API client: the routes, methods, bodies and headers it
// sends, how it reads lists page by page, and how it tells "no store" from
// other failures.

import { describe, expect, it } from "vitest";
import {
  createConversation,
  deleteAllConversations,
  deleteConversation,
  deleteItem,
  detectStore,
  listConversations,
  listItems,
  MAX_PAGES,
  updateConversation,
} from "../src/api/conversationsApi";
import { AuthError, HttpError, NetworkError } from "../src/api/errors";
import { fakeFetch } from "./streamHelpers";

const json = (value: unknown, status = 200) => new Response(JSON.stringify(value), { status, headers: { "Content-Type": "application/json" } });
const conv = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  object: "conversation",
  created_at: 10,
  updated_at: 20,
  title: `title ${id}`,
  metadata: {},
  ...extra,
});
const opts = (fetchImpl: typeof fetch) => ({ endpoint: "http://gw.test", fetch: fetchImpl, getToken: async () => "tok" });

describe("detectStore", () => {
  const cases: Array<{ name: string; answer: () => Response; want: "list" | "none" | string }> = [
    { name: "a list: the gateway keeps conversations", answer: () => json({ object: "list", data: [conv("conv_1")], has_more: false }), want: "list" },
    {
      name: "404 not_found: no store",
      answer: () => json({ error: { message: "no conversation store", type: "not_found_error", param: null, code: "not_found" } }, 404),
      want: "none",
    },
    { name: "404 from an older gateway's file server: no store", answer: () => new Response("404 page not found", { status: 404 }), want: "none" },
    { name: "401: not known yet", answer: () => json({ error: { message: "no key", code: "invalid_api_key" } }, 401), want: "AuthError" },
    { name: "500: not known", answer: () => json({ error: { message: "boom", code: "internal_error" } }, 500), want: "HttpError" },
    { name: "200 that is not a list: malformed", answer: () => new Response("data: hi\n\n", { status: 200 }), want: "HttpError" },
  ];
  for (const tc of cases) {
    it(tc.name, async () => {
      const { calls, fetchImpl } = fakeFetch(tc.answer);
      const r = await detectStore(opts(fetchImpl));
      expect(calls[0]!.url).toBe("http://gw.test/v1/conversations?limit=100");
      expect(calls[0]!.headers.get("x-authorization")).toBe("Bearer tok");
      if (tc.want === "list") expect(r).toEqual([conv("conv_1")]);
      else if (tc.want === "none") expect(r).toBeNull();
      else expect(r?.constructor.name).toBe(tc.want);
    });
  }

  it("a failed connection is a NetworkError, not 'no store'", async () => {
    const fetchImpl = (async () => {
      throw new TypeError("Failed to fetch");
    }) as typeof fetch;
    expect(await detectStore({ fetch: fetchImpl })).toBeInstanceOf(NetworkError);
  });
});

describe("lists", () => {
  it("reads every page with after=last_id, newest first as sent", async () => {
    const pages: Record<string, unknown> = {
      "": { object: "list", data: [conv("conv_3"), conv("conv_2")], first_id: "conv_3", last_id: "conv_2", has_more: true },
      conv_2: { object: "list", data: [conv("conv_1", { title: undefined, updated_at: undefined })], first_id: "conv_1", last_id: "conv_1", has_more: false },
    };
    const { calls, fetchImpl } = fakeFetch(() => json(pages[new URL(calls.at(-1)!.url).searchParams.get("after") ?? ""]));
    const list = await listConversations(opts(fetchImpl));
    expect(calls.map((c) => c.url)).toEqual(["http://gw.test/v1/conversations?limit=100", "http://gw.test/v1/conversations?limit=100&after=conv_2"]);
    // Missing extension fields are filled in: no title, changed when created.
    expect(list).toEqual([conv("conv_3"), conv("conv_2"), conv("conv_1", { title: "", updated_at: 10 })]);
  });

  it("stops after MAX_PAGES even if has_more never ends", async () => {
    let n = 0;
    const { calls, fetchImpl } = fakeFetch(() => {
      n++;
      return json({ object: "list", data: [conv(`conv_${n}`)], last_id: `conv_${n}`, has_more: true });
    });
    const list = await listConversations({ fetch: fetchImpl });
    expect(calls).toHaveLength(MAX_PAGES);
    expect(Array.isArray(list) && list.length).toBe(MAX_PAGES);
  });

  it("lists a conversation's items oldest first, dropping malformed ones", async () => {
    const items = [
      { type: "message", id: "msg_1", role: "user", status: "completed", content: [{ type: "input_text", text: "hi" }] },
      { nope: true },
      { type: "message", id: "msg_2", role: "assistant", status: "completed", content: [{ type: "output_text", text: "hello", annotations: [] }] },
    ];
    const { calls, fetchImpl } = fakeFetch(() => json({ object: "list", data: items, first_id: "msg_1", last_id: "msg_2", has_more: false }));
    const r = await listItems("conv/1", opts(fetchImpl));
    expect(calls[0]!.url).toBe("http://gw.test/v1/conversations/conv%2F1/items?order=asc&limit=100");
    expect(r).toEqual([items[0], items[2]]);
  });
});

describe("changes", () => {
  const cases = [
    {
      name: "create",
      run: (f: typeof fetch) => createConversation({ title: "Hello" }, opts(f)),
      answer: () => json(conv("conv_9")),
      method: "POST",
      url: "http://gw.test/v1/conversations",
      body: { title: "Hello" },
      want: conv("conv_9"),
    },
    {
      name: "rename",
      run: (f: typeof fetch) => updateConversation("conv_9", { title: "New name" }, opts(f)),
      answer: () => json(conv("conv_9", { title: "New name" })),
      method: "POST",
      url: "http://gw.test/v1/conversations/conv_9",
      body: { title: "New name" },
      want: conv("conv_9", { title: "New name" }),
    },
    {
      name: "delete",
      run: (f: typeof fetch) => deleteConversation("conv_9", opts(f)),
      answer: () => json({ id: "conv_9", object: "conversation.deleted", deleted: true }),
      method: "DELETE",
      url: "http://gw.test/v1/conversations/conv_9",
      want: true,
    },
    {
      name: "delete all",
      run: (f: typeof fetch) => deleteAllConversations(opts(f)),
      answer: () => json({ object: "conversation.deleted_all", deleted: true }),
      method: "DELETE",
      url: "http://gw.test/v1/conversations",
      want: true,
    },
    {
      name: "delete an item",
      run: (f: typeof fetch) => deleteItem("conv_9", "msg_2", opts(f)),
      answer: () => json(conv("conv_9")),
      method: "DELETE",
      url: "http://gw.test/v1/conversations/conv_9/items/msg_2",
      want: conv("conv_9"),
    },
  ];
  for (const tc of cases) {
    it(tc.name, async () => {
      const { calls, fetchImpl } = fakeFetch(tc.answer);
      expect(await tc.run(fetchImpl)).toEqual(tc.want);
      const c = calls[0]!;
      expect([c.init.method, c.url]).toEqual([tc.method, tc.url]);
      expect(c.headers.get("x-authorization")).toBe("Bearer tok");
      if ("body" in tc) {
        const body = String(c.init.body);
        expect(JSON.parse(body)).toEqual(tc.body);
        const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(body));
        expect(c.headers.get("x-amz-content-sha256")).toBe(Buffer.from(digest).toString("hex"));
      } else {
        expect(c.init.body).toBeUndefined();
      }
    });
  }

  it("a refusal is the OpenAI error it carried", async () => {
    const { fetchImpl } = fakeFetch(() => json({ error: { message: "too many conversations", type: "invalid_request_error", param: null, code: "conversation_limit" } }, 400));
    const r = await createConversation({}, { fetch: fetchImpl });
    expect(r).toBeInstanceOf(HttpError);
    expect(r).toMatchObject({ status: 400, code: "conversation_limit", message: "too many conversations" });
  });

  it("a delete that does not say deleted is an error", async () => {
    const { fetchImpl } = fakeFetch(() => json({ id: "conv_1", deleted: false }));
    expect(await deleteConversation("conv_1", { fetch: fetchImpl })).toBeInstanceOf(HttpError);
  });

  it("a token that cannot be had is an AuthError before any request", async () => {
    const { calls, fetchImpl } = fakeFetch(() => json({}));
    const r = await deleteAllConversations({
      fetch: fetchImpl,
      getToken: async () => {
        throw new Error("signed out");
      },
    });
    expect(r).toBeInstanceOf(AuthError);
    expect(calls).toHaveLength(0);
  });
});
