export type { ClusterBus } from './cluster/cluster-bus.js'
export type {
  ClusterEvent,
  ClusterEventPage,
  ClusterEventStore,
  StreamInfo,
  StreamOpening,
  TouchedOpen,
} from './cluster/cluster-event-store.js'
export {
  readPosition,
  replayClusterEvents,
  StreamEndedError,
  streamOfClusterEvent,
} from './cluster/cluster-event-store.js'
export {
  answeredKey,
  clusterEventId,
  clusterStreamId,
  parseClusterEventId,
  requestKey,
  sessionOfStream,
  standaloneStreamId,
} from './cluster/cluster-ids.js'
export type { ClusterOptions } from './cluster/cluster-node.js'
export { ClusterUnavailableError } from './cluster/cluster-node.js'
export { INTERRUPTED_MESSAGE } from './cluster/cluster-stream-relay.js'
export type { ClusterBackend, MemoryClusterOptions } from './cluster/memory-cluster.js'
export { createMemoryCluster } from './cluster/memory-cluster.js'
export type {
  LeaseMode,
  LeaseResult,
  ReplayState,
  RequestClaim,
  SessionRecord,
  SessionStore,
} from './cluster/session-store.js'
export {
  checkTtlMs,
  MAX_STORED_ANSWER_BYTES,
  MAX_STORED_ANSWERS,
  replayStateText,
  sessionRecordText,
} from './cluster/session-store.js'
export type { McpHandler } from './create-mcp-handler.js'
export { createMcpHandler } from './create-mcp-handler.js'
export { errorResponse } from './http/error-response.js'
export type {
  McpLogEventName,
  McpLogFields,
  McpLogger,
  ObjectFirstLogger,
} from './logger.js'
export { objectFirstLogger } from './logger.js'
export type { McpHandlerStats } from './metrics.js'
export type { ModernFetchOptions, ModernHandler } from './modern/modern-handler.js'
export type { AuthInfo, LegacyOptions, McpHandlerOptions } from './options.js'
export type { EraClassification, EraHeaders } from './protocol/era.js'
export { classifyEra, FIRST_MODERN_PROTOCOL_VERSION } from './protocol/era.js'
export type { McpMessage, RequestId } from './protocol/message.js'
export {
  DEFAULT_PROTOCOL_VERSION,
  SUPPORTED_PROTOCOL_VERSIONS,
} from './protocol/protocol-version.js'
export type {
  BearerAuth,
  BearerAuthOptions,
  McpCall,
  VerifiedToken,
} from './security/bearer.js'
export { bearerAuth } from './security/bearer.js'
export type { CorsOptions } from './security/cors.js'
export type { HostOriginOptions } from './security/index.js'
export {
  checkHostAndOrigin,
  createHostOriginCheck,
  isLoopbackHost,
  isLoopbackOrigin,
} from './security/index.js'
export type { ProtectedResourceMetadata } from './security/protected-resource.js'
export {
  protectedResourceMetadataPath,
  protectedResourceMetadataResponse,
  protectedResourceMetadataUrl,
} from './security/protected-resource.js'
export type { EventStore, InMemoryEventStoreOptions } from './session/event-store.js'
export { InMemoryEventStore } from './session/event-store.js'
export type {
  MessageExtraInfo,
  RequestInfo,
  TransportSendOptions,
} from './session/transport.js'
export { McpTransport } from './session/transport.js'
export type { TimerHandle, Timers } from './timers.js'
export { globalTimers } from './timers.js'
