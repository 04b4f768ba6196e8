import { type JsonRpcErrorResponse, parseMessage } from '@mcpwire/jsonrpc'

/** A JSON-RPC request id: a string or an integer, never null. */
export type RequestId = string | number

/**
 * A JSON-RPC 2.0 message as exchanged with `connect`'s server: request, notification, result or error.
 *
 * Structurally compatible with the SDK's `JSONRPCMessage`.
 *
 * @see https://www.jsonrpc.org/specification
 */
export type McpMessage = {
  /** Always `'2.0'`. */
  readonly jsonrpc: '2.0'
  readonly [key: string]: unknown
}

/** The outcome of {@link parseMessages}. */
export type ParseResult =
  | { readonly ok: true; readonly batch: boolean; readonly messages: readonly McpMessage[] }
  | {
      readonly ok: false
      readonly code: number
      readonly message: string
      readonly id: RequestId | null
    }

/**
 * Parses a POST body into JSON-RPC messages with `@mcpwire/jsonrpc`, checking each one's shape
 * (a null request id is refused, as MCP requires).
 *
 * @param text The body text (already capped in size by the caller).
 * @returns The messages, or the JSON-RPC error to answer (-32700 or -32600, with the id when readable).
 * @example
 * ```ts
 * parseMessages('{"jsonrpc":"2.0","method":"ping","id":1}') // { ok: true, batch: false, messages: [...] }
 * ```
 */
export function parseMessages(text: string): ParseResult {
  const parsed = parseMessage(text, { allowNullId: false, maxBytes: Number.MAX_SAFE_INTEGER })
  if (!parsed.ok) return failure(parsed.error)
  if (!parsed.batch)
    return { ok: true, batch: false, messages: [parsed.message as unknown as McpMessage] }
  const messages: McpMessage[] = []
  for (const item of parsed.items) {
    if (!item.ok) return failure(item.error)
    messages.push(item.message as unknown as McpMessage)
  }
  return { ok: true, batch: true, messages }
}

function failure(error: JsonRpcErrorResponse): ParseResult {
  return { ok: false, code: error.error.code, message: error.error.message, id: error.id }
}

function isId(value: unknown): value is RequestId {
  return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))
}

/** Whether a message is a request (a method and an id). */
export function isRequest(message: McpMessage): boolean {
  return typeof message.method === 'string' && isId(message.id)
}

/** Whether a message is a response (a result or an error). */
export function isResponse(message: McpMessage): boolean {
  return 'result' in message || 'error' in message
}

/** Whether a message is the `initialize` request. */
export function isInitialize(message: McpMessage): boolean {
  return message.method === 'initialize' && isRequest(message)
}

/** A map key for a request id that keeps `1` and `"1"` apart. */
export function idKey(id: RequestId): string {
  return typeof id === 'number' ? `n${id}` : `s${id}`
}
