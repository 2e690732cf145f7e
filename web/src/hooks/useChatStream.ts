"use client";

// Conversation state for the chat component: the message list, the stream in
// progress and its error. The component only renders what this returns.

import { useCallback, useEffect, useRef, useState } from "react";
import { streamChatbotResponse, type ChatbotError, type ChatMessage, type ChatRequest } from "../api/chatbotApi";
import type { TokenProvider } from "../auth/tokenProvider";

/** A message as shown in the list. */
export interface UIMessage {
  id: number;
  role: "user" | "assistant";
  content: string;
  /** For assistant messages: streaming, done, stopped by the user, or failed. */
  status: "streaming" | "done" | "stopped" | "error";
  /** The model that answered, as reported by the server. */
  model?: string;
}

export interface UseChatStreamOptions {
  endpoint?: string;
  tokenProvider?: TokenProvider;
  /** Sent as the request's model; the gateway's default model when undefined. */
  model?: string;
  /** Prepended to every request as a system message. */
  systemPrompt?: string;
  /** Extra request fields such as max_tokens or temperature. */
  requestOptions?: Omit<ChatRequest, "messages" | "model">;
}

export interface ChatStream {
  messages: UIMessage[];
  /** True while an answer is streaming. */
  streaming: boolean;
  /** The error of the last request, cleared by the next send or retry. */
  error: ChatbotError | null;
  send(text: string): void;
  stop(): void;
  /** Sends the conversation again after a failure, replacing the failed answer. */
  retry(): void;
}

let nextId = 1;

export function useChatStream(options: UseChatStreamOptions = {}): ChatStream {
  const [messages, setMessages] = useState<UIMessage[]>([]);
  const [streaming, setStreaming] = useState(false);
  const [error, setError] = useState<ChatbotError | null>(null);
  const abortRef = useRef<AbortController | null>(null);
  const messagesRef = useRef<UIMessage[]>(messages);
  messagesRef.current = messages;
  const optionsRef = useRef(options);
  optionsRef.current = options;

  useEffect(() => () => abortRef.current?.abort(), []);

  // Streams an answer to `history` into a new assistant message.
  const run = useCallback((history: UIMessage[]) => {
    const opts = optionsRef.current;
    const assistantId = nextId++;
    const update = (patch: (m: UIMessage) => UIMessage) =>
      setMessages((prev) => prev.map((m) => (m.id === assistantId ? patch(m) : m)));

    setMessages([...history, { id: assistantId, role: "assistant", content: "", status: "streaming" }]);
    setError(null);
    setStreaming(true);

    const controller = new AbortController();
    abortRef.current = controller;

    const wire: ChatMessage[] = [];
    if (opts.systemPrompt) {
      wire.push({ role: "system", content: opts.systemPrompt });
    }
    for (const m of history) {
      if (m.status !== "error" && m.content !== "") {
        wire.push({ role: m.role, content: m.content });
      }
    }

    const tokenProvider = opts.tokenProvider;
    void streamChatbotResponse(
      { ...opts.requestOptions, model: opts.model, messages: wire },
      {
        onData: (delta, chunk) => update((m) => ({ ...m, content: m.content + delta, model: chunk.model || m.model })),
        onComplete: (result) =>
          update((m) => ({ ...m, status: result.status === "aborted" ? "stopped" : "done", model: result.model ?? m.model })),
        onError: (err) => {
          update((m) => ({ ...m, status: "error" }));
          setError(err);
        },
      },
      {
        endpoint: opts.endpoint,
        getToken: tokenProvider ? () => tokenProvider.getToken() : undefined,
        signal: controller.signal,
      },
    ).finally(() => {
      if (abortRef.current === controller) {
        abortRef.current = null;
        setStreaming(false);
      }
    });
  }, []);

  const send = useCallback(
    (text: string) => {
      const content = text.trim();
      if (content === "" || abortRef.current) {
        return;
      }
      run([...messagesRef.current, { id: nextId++, role: "user", content, status: "done" }]);
    },
    [run],
  );

  const stop = useCallback(() => abortRef.current?.abort(), []);

  const retry = useCallback(() => {
    if (abortRef.current) {
      return;
    }
    const history = [...messagesRef.current];
    const last = history[history.length - 1];
    if (last?.role === "assistant" && last.status === "error") {
      history.pop();
    }
    if (history.length > 0) {
      run(history);
    }
  }, [run]);

  return { messages, streaming, error, send, stop, retry };
}
