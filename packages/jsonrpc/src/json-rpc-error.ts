/**
 * An error with a JSON-RPC code. A method that throws it answers with its code, message and data;
 * the request tracker rejects with it when the peer answers an error.
 *
 * @example
 * ```ts
 * throw new JsonRpcError(ErrorCode.InvalidParams, 'Invalid params', { field: 'name' })
 * ```
 * @see https://www.jsonrpc.org/specification#error_object
 */
export class JsonRpcError extends Error {
  /** The JSON-RPC error code, an integer. */
  readonly code: number
  /** Optional extra information, sent as the error's `data`. */
  readonly data: unknown

  /**
   * @param code An integer error code.
   * @param message A short, client-safe message.
   * @param data Optional extra information.
   */
  constructor(code: number, message: string, data?: unknown) {
    if (!Number.isInteger(code)) throw new TypeError('JSON-RPC error code must be an integer')
    super(message)
    this.name = 'JsonRpcError'
    this.code = code
    this.data = data
  }
}
