/**
 * JSON-RPC 2.0 error codes, and the codes the MCP transports use.
 *
 * `SessionNotFound` is -32001, as the official MCP TypeScript SDK's Streamable HTTP server answers
 * an unknown session. -32020 to -32022 are reserved by the MCP 2026-07-28 revision.
 *
 * @example
 * ```ts
 * throw new JsonRpcError(ErrorCode.InvalidParams, 'Invalid params')
 * ```
 * @see https://www.jsonrpc.org/specification#error_object
 */
export const ErrorCode: {
  readonly ParseError: -32700
  readonly InvalidRequest: -32600
  readonly MethodNotFound: -32601
  readonly InvalidParams: -32602
  readonly InternalError: -32603
  readonly ConnectionClosed: -32000
  readonly SessionNotFound: -32001
  readonly RequestTimeout: -32001
  readonly HeaderMismatch: -32020
  readonly MissingRequiredClientCapability: -32021
  readonly UnsupportedProtocolVersion: -32022
} = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  ConnectionClosed: -32000,
  SessionNotFound: -32001,
  RequestTimeout: -32001,
  HeaderMismatch: -32020,
  MissingRequiredClientCapability: -32021,
  UnsupportedProtocolVersion: -32022,
}

/** Lowest code of the implementation-defined server error range. */
export const SERVER_ERROR_MIN = -32099
/** Highest code of the implementation-defined server error range. */
export const SERVER_ERROR_MAX = -32000

/**
 * Whether a code lies in the JSON-RPC server error range, -32099 to -32000.
 *
 * @param code An error code.
 * @returns `true` inside the range.
 * @example
 * ```ts
 * isServerErrorCode(-32001) // true
 * ```
 * @see https://www.jsonrpc.org/specification#error_object
 */
export function isServerErrorCode(code: number): boolean {
  return Number.isInteger(code) && code >= SERVER_ERROR_MIN && code <= SERVER_ERROR_MAX
}
