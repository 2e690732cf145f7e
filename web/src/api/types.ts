// The parts of the OpenAI Chat Completions wire format the client uses.

export type ChatRole = "system" | "user" | "assistant";

export interface ChatMessage {
  role: ChatRole;
  content: string;
}

/** A chat completion request. `stream` is always sent as true by the client. */
export interface ChatRequest {
  messages: ChatMessage[];
  model?: string;
  max_tokens?: number;
  max_completion_tokens?: number;
  temperature?: number;
  top_p?: number;
  stop?: string | string[];
  seed?: number;
  user?: string;
  stream_options?: { include_usage?: boolean };
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export type FinishReason = "stop" | "length" | "content_filter" | (string & {});

export interface ChunkChoice {
  index: number;
  delta: { role?: ChatRole; content?: string | null };
  finish_reason: FinishReason | null;
}

/** One `chat.completion.chunk` frame. */
export interface ChatCompletionChunk {
  id: string;
  object: "chat.completion.chunk";
  created: number;
  model: string;
  choices: ChunkChoice[];
  usage?: Usage | null;
}
