// @vitest-environment happy-dom

// The controls shown when the gateway keeps the conversations: Delete and
// "Delete all my conversations" act only once confirmed; Rename sends the
// typed name; a failure on the gateway is an alert.

import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { HttpError } from "../src/api/errors";
import { ConversationActions, type ConversationActionsProps } from "../src/components/ConversationActions";

afterEach(cleanup);

function setup(answer: boolean, overrides: Partial<ConversationActionsProps["stream"]> = {}) {
  const calls: string[] = [];
  const questions: string[] = [];
  const stream: ConversationActionsProps["stream"] = {
    conversations: [{ id: "c1", remoteId: "conv_1", title: "Family", updatedAt: 1, messages: [] }],
    currentId: "c1",
    streaming: false,
    storeError: null,
    renameConversation: (id, title) => calls.push(`rename ${id} ${title}`),
    deleteConversation: (id) => calls.push(`delete ${id}`),
    deleteAllConversations: () => calls.push("delete all"),
    ...overrides,
  };
  render(<ConversationActions stream={stream} confirm={(q) => (questions.push(q), answer)} />);
  return { calls, questions };
}

describe("ConversationActions", () => {
  const cases = [
    { name: "Delete, confirmed", button: "Delete", answer: true, want: ["delete c1"] },
    { name: "Delete, declined", button: "Delete", answer: false, want: [] },
    { name: "Delete all, confirmed", button: "Delete all my conversations", answer: true, want: ["delete all"] },
    { name: "Delete all, declined", button: "Delete all my conversations", answer: false, want: [] },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const { calls, questions } = setup(tc.answer);
      fireEvent.click(screen.getByRole("button", { name: tc.button }));
      expect(questions).toHaveLength(1);
      expect(calls).toEqual(tc.want);
    });
  }

  it("Rename starts from the current name and sends the new one", () => {
    const { calls } = setup(true);
    fireEvent.click(screen.getByRole("button", { name: "Rename" }));
    const field = screen.getByRole("textbox", { name: "Conversation name" }) as HTMLInputElement;
    expect(field.value).toBe("Family");
    fireEvent.change(field, { target: { value: "Holidays" } });
    fireEvent.click(screen.getByRole("button", { name: "Save name" }));
    expect(calls).toEqual(["rename c1 Holidays"]);
    expect(screen.queryByRole("textbox", { name: "Conversation name" })).toBeNull();
  });

  it("a new, unsaved conversation offers only Delete all; a gateway failure is an alert", () => {
    setup(true, { currentId: "new", storeError: new HttpError(500, "The store is unavailable.") });
    expect(screen.queryByRole("button", { name: "Rename" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Delete" })).toBeNull();
    expect(screen.getByRole("button", { name: "Delete all my conversations" })).toBeTruthy();
    expect(screen.getByRole("alert").textContent).toMatch(/store is unavailable/);
  });
});
