export type { McpHandler } from './create-mcp-handler.js'
export { createMcpHandler } from './create-mcp-handler.js'
export { errorResponse } from './error-response.js'
export type { EventStore, InMemoryEventStoreOptions } from './event-store.js'
export { InMemoryEventStore } from './event-store.js'
export type { McpMessage, RequestId } from './message.js'
export type { McpHandlerStats } from './metrics.js'
export type { AuthInfo, LegacyOptions, McpHandlerOptions } from './options.js'
export {
  DEFAULT_PROTOCOL_VERSION,
  SUPPORTED_PROTOCOL_VERSIONS,
} from './protocol-version.js'
export type { HostOriginOptions } from './security/index.js'
export {
  checkHostAndOrigin,
  createHostOriginCheck,
  isLoopbackHost,
  isLoopbackOrigin,
} from './security/index.js'
export type { TimerHandle, Timers } from './timers.js'
export type {
  MessageExtraInfo,
  RequestInfo,
  TransportSendOptions,
} from './transport.js'
export { McpTransport } from './transport.js'
