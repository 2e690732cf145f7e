// Public surface for apps that embed the chat.
export { Chatbot, describeError, type ChatbotProps } from "./components/Chatbot";
export { useChatStream, type ChatStream, type UIMessage, type UseChatStreamOptions } from "./hooks/useChatStream";
export * from "./api/chatbotApi";
export { createSSEParser, parseSSE, type SSEEvent, type SSEParser } from "./api/sse";
export * from "./auth";
