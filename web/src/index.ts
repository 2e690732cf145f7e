// Public surface for apps that embed the chat.
export { Chatbot, describeError, type ChatbotProps } from "./components/Chatbot";
export { Markdown, safeUrl, type MarkdownProps } from "./components/Markdown";
export { useChatStream, type ChatStream, type Conversation, type UIMessage, type UseChatStreamOptions } from "./hooks/useChatStream";
export * from "./api/chatbotApi";
export { describeToolCall, mergeToolCalls } from "./api/toolCalls";
export { createSSEParser, parseSSE, type SSEEvent, type SSEParser } from "./api/sse";
export { modelLabel } from "./chat/modelNames";
export { errorView, formatWait, type ErrorView } from "./chat/errorText";
export * from "./auth";
