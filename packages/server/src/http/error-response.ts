import { errorReply, toResponse } from './reply.js'

/**
 * A JSON-RPC error carried in an HTTP error response, as the MCP transports answer bad requests.
 *
 * The body never contains internal details: callers pass a fixed, client-safe message.
 *
 * @param status HTTP status code (4xx or 5xx).
 * @param code JSON-RPC error code, for example -32600.
 * @param message Short, client-safe message in sentence case.
 * @param headers Extra response headers (for example `Allow` or `Retry-After`).
 * @param id The request id when it is known; `null` otherwise.
 * @example
 * ```ts
 * return errorResponse(406, -32600, 'Not acceptable: Accept must list text/event-stream')
 * ```
 * @see https://www.jsonrpc.org/specification#error_object
 */
export function errorResponse(
  status: number,
  code: number,
  message: string,
  headers?: Record<string, string>,
  id: string | number | null = null,
): Response {
  return toResponse(errorReply(status, code, message, headers, id))
}
