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
  /** Always `'2.0'`. */
  jsonrpc: '2.0'
  /** Echoed by the response that answers this request. */
  id: string | number | null
  /** The name of the method to call. */
  method: string
  /** The method's parameters, when it takes any. */
  params?: JsonRpcParams
}

/** A call without `id`: it never gets a response. @see https://www.jsonrpc.org/specification#notification */
export interface JsonRpcNotification {
  /** Always `'2.0'`. */
  jsonrpc: '2.0'
  /** The name of the method to call. */
  method: string
  /** The method's parameters, when it takes any. */
  params?: JsonRpcParams
}

/** The error member of an error response. @see https://www.jsonrpc.org/specification#error_object */
export interface JsonRpcErrorObject {
  /** An integer; see {@link ErrorCode} for the predefined ones. */
  code: number
  /** A short, single-sentence description of the error. */
  message: string
  /** Extra information about the error, defined by the server. */
  data?: unknown
}

/** A successful response. @see https://www.jsonrpc.org/specification#response_object */
export interface JsonRpcSuccessResponse {
  /** Always `'2.0'`. */
  jsonrpc: '2.0'
  /** The id of the request this answers. */
  id: string | number | null
  /** What the method returned. */
  result: unknown
}

/** A failed response; `id` is `null` when the request's id could not be read. */
export interface JsonRpcErrorResponse {
  /** Always `'2.0'`. */
  jsonrpc: '2.0'
  /** The id of the request this answers, or `null` when it could not be read. */
  id: string | number | null
  /** What went wrong. */
  error: JsonRpcErrorObject
}

/** A response of either kind. */
export type JsonRpcResponse = JsonRpcSuccessResponse | JsonRpcErrorResponse

/** Any single JSON-RPC 2.0 message. */
export type JsonRpcMessage = JsonRpcRequest | JsonRpcNotification | JsonRpcResponse

/** One element of a batch, validated on its own. */
export type JsonRpcBatchItem =
  | {
      /** The element is a valid message. */
      ok: true
      /** The validated message. */
      message: JsonRpcMessage
    }
  | {
      /** The element is not a valid message. */
      ok: false
      /** The error response to send for it. */
      error: JsonRpcErrorResponse
    }

/** The outcome of `parseMessage`: a message, a batch, or a ready error response. */
export type ParseResult =
  | {
      /** The input is a valid message. */
      ok: true
      /** A single message, not a batch. */
      batch: false
      /** The validated message. */
      message: JsonRpcMessage
    }
  | {
      /** The input is a batch array. */
      ok: true
      /** A batch. */
      batch: true
      /** Each element, validated on its own. */
      items: JsonRpcBatchItem[]
    }
  | {
      /** The input cannot be handled as a whole. */
      ok: false
      /** The error response to send. */
      error: JsonRpcErrorResponse
    }
