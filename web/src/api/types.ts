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

export type FinishReason = "stop" | "length" | "content_filter" | "tool_calls" | (string & {});

/**
 * One fragment of a tool call as OpenAI streams it: the first fragment of a
 * call carries its id, type and function name; later ones with the same
 * index append to function.arguments.
 */
export interface ToolCallDelta {
  index: number;
  id?: string;
  type?: "function";
  function?: { name?: string; arguments?: string };
}

/** A tool call assembled from its fragments. */
export interface ToolCall {
  index: number;
  id: string;
  type: "function";
  name: string;
  /** The arguments as the model wrote them: JSON text, possibly unfinished. */
  arguments: string;
}

export interface ChunkDelta {
  role?: ChatRole;
  content?: string | null;
  /** Reasoning text, streamed before the answer by reasoning models. */
  reasoning_content?: string | null;
  tool_calls?: ToolCallDelta[] | null;
}

export interface ChunkChoice {
  index: number;
  delta: ChunkDelta;
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

/** One entry of `GET /v1/models`. */
export interface ModelInfo {
  id: string;
  object: "model";
  owned_by?: string;
}
