import type {
  JsonRpcErrorResponse,
  JsonRpcId,
  JsonRpcMessage,
  JsonRpcNotification,
  JsonRpcRequest,
  JsonRpcResponse,
} from './types.js'

/**
 * Whether a message is a request (it has a `method` and an `id`).
 *
 * @example
 * ```ts
 * isRequest({ jsonrpc: '2.0', id: 1, method: 'ping' }) // true
 * ```
 * @see https://www.jsonrpc.org/specification#request_object
 */
export function isRequest(message: JsonRpcMessage): message is JsonRpcRequest {
  return 'method' in message && 'id' in message
}

/**
 * Whether a message is a notification (a `method` without `id`).
 *
 * @example
 * ```ts
 * isNotification({ jsonrpc: '2.0', method: 'notifications/initialized' }) // true
 * ```
 * @see https://www.jsonrpc.org/specification#notification
 */
export function isNotification(message: JsonRpcMessage): message is JsonRpcNotification {
  return 'method' in message && !('id' in message)
}

/**
 * Whether a message is a response, successful or not.
 *
 * @example
 * ```ts
 * isResponse({ jsonrpc: '2.0', id: 1, result: {} }) // true
 * ```
 * @see https://www.jsonrpc.org/specification#response_object
 */
export function isResponse(message: JsonRpcMessage): message is JsonRpcResponse {
  return !('method' in message)
}

/**
 * Whether a message is an error response.
 *
 * @example
 * ```ts
 * isErrorResponse({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } }) // true
 * ```
 * @see https://www.jsonrpc.org/specification#error_object
 */
export function isErrorResponse(message: JsonRpcMessage): message is JsonRpcErrorResponse {
  return 'error' in message && !('method' in message)
}

/**
 * Builds an error response.
 *
 * @param id The request id, or `null` when it could not be read.
 * @param code An integer error code.
 * @param message A short, client-safe message.
 * @param data Optional extra information; left out when `undefined`.
 * @returns The error response object.
 * @example
 * ```ts
 * errorResponse(1, -32601, 'Method not found')
 * // { jsonrpc: '2.0', id: 1, error: { code: -32601, message: 'Method not found' } }
 * ```
 * @see https://www.jsonrpc.org/specification#response_object
 */
export function errorResponse(
  id: JsonRpcId,
  code: number,
  message: string,
  data?: unknown,
): JsonRpcErrorResponse {
  return {
    jsonrpc: '2.0',
    id,
    error: data === undefined ? { code, message } : { code, message, data },
  }
}
