export type { AuthHook, UnauthorizedContext } from './auth.js'
export type { ReconnectOptions } from './backoff.js'
export { reconnectDelay } from './backoff.js'
export type { EraStore, EraVerdict } from './era-cache.js'
export { createMemoryEraStore } from './era-cache.js'
export type { FallbackAttempt, McpHttpErrorInit } from './errors.js'
export {
  ConnectionLostError,
  FallbackError,
  McpHttpError,
  McpRequestError,
  SessionExpiredError,
  UnauthorizedError,
  UnsupportedProtocolVersionError,
} from './errors.js'
export type { HttpTransportOptions } from './http-client-transport.js'
export { HttpClientTransport } from './http-client-transport.js'
export type { HeadersOption, RedirectPolicy, RequestInitOption } from './http-requester.js'
export type { ScopeChallenge } from './insufficient-scope.js'
export { InsufficientScopeError, insufficientScopeChallenge } from './insufficient-scope.js'
export type { ConnectOptions, McpRequestOptions } from './mcp-client.js'
export { connect, McpClient } from './mcp-client.js'
export type { ToolHeaderSchema } from './modern-headers.js'
export {
  encodeHeaderValue,
  mcpParamHeaders,
  standardHeaders,
  validateToolHeaders,
} from './modern-headers.js'
export type { ReissuePolicy } from './reissue-policy.js'
export { mayReissue } from './reissue-policy.js'
export type { RequestHandler, RequestHandlers } from './request-handlers.js'
export type { ResumeStream, ResumeToken } from './session-resume.js'
export type { SseTransportOptions } from './sse-client-transport.js'
export { SseClientTransport } from './sse-client-transport.js'
export { StreamableHttpClientTransport } from './streamable-http-transport.js'
export type { Subscription, SubscriptionFilter } from './subscriptions.js'
export type { Timers } from './timers.js'
export { TransportEvents } from './transport-events.js'
export type {
  InboundErrorResponse,
  InboundMessage,
  InboundMessageHandler,
  InboundNotification,
  InboundRequest,
  InboundResultResponse,
  SessionExpiryRule,
  TransportEventMap,
  TransportMessage,
  TransportOptions,
  TransportSendOptions,
  TransportState,
  TransportStats,
} from './types.js'
