/**
 * A request id: a string or a number, or `null` where the caller allows it (JSON-RPC does, MCP
 * does not).
 *
 * @see https://www.jsonrpc.org/specification#request_object
 */
export type JsonRpcId = string | number | null

/** Structured parameters: by position (an array) or by name (an object). */
export type JsonRpcParams = unknown[] | Record<string, unknown>

/** A call that expects a response. @see https://www.jsonrpc.org/specification#request_object */
export interface JsonRpcRequest {
  jsonrpc: '2.0'
  id: string | number | null
  method: string
  params?: JsonRpcParams
}

/** A call without `id`: it never gets a response. @see https://www.jsonrpc.org/specification#notification */
export interface JsonRpcNotification {
  jsonrpc: '2.0'
  method: string
  params?: JsonRpcParams
}

/** The error member of an error response. @see https://www.jsonrpc.org/specification#error_object */
export interface JsonRpcErrorObject {
  code: number
  message: string
  data?: unknown
}

/** A successful response. @see https://www.jsonrpc.org/specification#response_object */
export interface JsonRpcSuccessResponse {
  jsonrpc: '2.0'
  id: string | number | null
  result: unknown
}

/** A failed response; `id` is `null` when the request's id could not be read. */
export interface JsonRpcErrorResponse {
  jsonrpc: '2.0'
  id: string | number | null
  error: JsonRpcErrorObject
}

/** A response of either kind. */
export type JsonRpcResponse = JsonRpcSuccessResponse | JsonRpcErrorResponse

/** Any single JSON-RPC 2.0 message. */
export type JsonRpcMessage = JsonRpcRequest | JsonRpcNotification | JsonRpcResponse

/** One element of a batch, validated on its own. */
export type JsonRpcBatchItem =
  | { ok: true; message: JsonRpcMessage }
  | { ok: false; error: JsonRpcErrorResponse }

/** The outcome of `parseMessage`: a message, a batch, or a ready error response. */
export type ParseResult =
  | { ok: true; batch: false; message: JsonRpcMessage }
  | { ok: true; batch: true; items: JsonRpcBatchItem[] }
  | { ok: false; error: JsonRpcErrorResponse }
