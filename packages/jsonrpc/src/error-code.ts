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
  /** Invalid JSON or invalid UTF-8. */
  readonly ParseError: -32700
  /** Valid JSON that is not a valid request. */
  readonly InvalidRequest: -32600
  /** No such method. */
  readonly MethodNotFound: -32601
  /** The method rejected its parameters. */
  readonly InvalidParams: -32602
  /** The method failed; its details stay on the server. */
  readonly InternalError: -32603
  /** The connection closed before a response arrived. */
  readonly ConnectionClosed: -32000
  /** The MCP session is unknown or has ended. */
  readonly SessionNotFound: -32001
  /** No response arrived in time (the same code as `SessionNotFound`). */
  readonly RequestTimeout: -32001
  /** An MCP header disagrees with the body (MCP 2026-07-28). */
  readonly HeaderMismatch: -32020
  /** The client lacks a capability the request needs (MCP 2026-07-28). */
  readonly MissingRequiredClientCapability: -32021
  /** The protocol version is not supported (MCP 2026-07-28). */
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
