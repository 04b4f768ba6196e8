export type { Dispatcher, DispatcherOptions, JsonRpcMethod, MethodContext } from './dispatcher.js'
export { createDispatcher } from './dispatcher.js'
export { ErrorCode, isServerErrorCode, SERVER_ERROR_MAX, SERVER_ERROR_MIN } from './error-code.js'
export { JsonRpcError } from './json-rpc-error.js'
export {
  errorResponse,
  isErrorResponse,
  isNotification,
  isRequest,
  isResponse,
} from './message-kind.js'
export type { ParseOptions } from './parse-message.js'
export { parseMessage } from './parse-message.js'
export type {
  RequestTracker,
  RequestTrackerOptions,
  TrackedRequest,
  TrackOptions,
} from './request-tracker.js'
export { createRequestTracker } from './request-tracker.js'
export { serialize } from './serialize.js'
export type {
  JsonRpcBatchItem,
  JsonRpcErrorObject,
  JsonRpcErrorResponse,
  JsonRpcId,
  JsonRpcMessage,
  JsonRpcNotification,
  JsonRpcParams,
  JsonRpcRequest,
  JsonRpcResponse,
  JsonRpcSuccessResponse,
  ParseResult,
} from './types.js'
