import { type JsonRpcErrorResponse, parseMessage } from '@mcpwire/jsonrpc'
import { DEFAULT_MAX_JSON_DEPTH, exceedsJsonDepth } from './json-depth.js'

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
 * Parses a POST body into JSON-RPC messages with `@mcpwire/jsonrpc`, then holds each one to MCP's
 * rules, so that nothing reaches `connect`'s server that it would drop without an answer (see
 * {@link mcpShapeError}). Nesting deeper than `maxDepth` is refused before the text is parsed,
 * and a batch may not repeat a request id.
 *
 * @param text The body text (already capped in size by the caller).
 * @param maxDepth The deepest nesting of arrays and objects accepted. Default: {@link DEFAULT_MAX_JSON_DEPTH}.
 * @returns The messages, or the JSON-RPC error to answer (-32700 or -32600, with the id when readable).
 * @example
 * ```ts
 * parseMessages('{"jsonrpc":"2.0","method":"ping","id":1}') // { ok: true, batch: false, messages: [...] }
 * parseMessages('{"jsonrpc":"2.0","method":"ping","id":1.5}') // { ok: false, code: -32600, ... }
 * ```
 * @see https://modelcontextprotocol.io/specification/2025-11-25/basic#messages
 */
export function parseMessages(
  text: string,
  maxDepth: number = DEFAULT_MAX_JSON_DEPTH,
): ParseResult {
  if (exceedsJsonDepth(text, maxDepth)) {
    return {
      ok: false,
      code: -32600,
      message: `Invalid request: JSON nested deeper than ${maxDepth} levels`,
      id: null,
    }
  }
  const parsed = parseMessage(text, { allowNullId: false, maxBytes: Number.MAX_SAFE_INTEGER })
  if (!parsed.ok) return failure(parsed.error)
  if (!parsed.batch) {
    const message = parsed.message as unknown as McpMessage
    const problem = mcpShapeError(message)
    if (problem !== undefined) return invalid(problem, message)
    return { ok: true, batch: false, messages: [message] }
  }
  const messages: McpMessage[] = []
  const ids = new Set<string>()
  for (const item of parsed.items) {
    if (!item.ok) return failure(item.error)
    const message = item.message as unknown as McpMessage
    const problem = mcpShapeError(message)
    if (problem !== undefined) return invalid(problem, message)
    if (typeof message.method === 'string' && message.id !== undefined) {
      const key = idKey(message.id as RequestId)
      if (ids.has(key)) {
        return {
          ok: false,
          code: -32600,
          message: 'Invalid request: duplicate request id in batch',
          id: null,
        }
      }
      ids.add(key)
    }
    messages.push(message)
  }
  return { ok: true, batch: true, messages }
}

function failure(error: JsonRpcErrorResponse): ParseResult {
  return { ok: false, code: error.error.code, message: error.error.message, id: error.id }
}

function invalid(problem: string, message: McpMessage): ParseResult {
  const id = isId(message.id) ? message.id : null
  return { ok: false, code: -32600, message: `Invalid request: ${problem}`, id }
}

const REQUEST_KEYS = new Set(['jsonrpc', 'id', 'method', 'params'])
const RESULT_KEYS = new Set(['jsonrpc', 'id', 'result'])
const ERROR_KEYS = new Set(['jsonrpc', 'id', 'error'])
const RELATED_TASK_KEY = 'io.modelcontextprotocol/related-task'

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Why `_meta` breaks MCP's rules, if it does: an object, with a well-formed progress token. */
function metaError(holder: Record<string, unknown>): string | undefined {
  if (!Object.hasOwn(holder, '_meta')) return undefined
  const meta = holder._meta
  if (!isPlainObject(meta)) return '_meta must be an object'
  if (meta.progressToken !== undefined && !isId(meta.progressToken)) {
    return 'progressToken must be a string or an integer'
  }
  const task = meta[RELATED_TASK_KEY]
  if (task !== undefined && !(isPlainObject(task) && typeof task.taskId === 'string')) {
    return 'related task must name a taskId'
  }
  return undefined
}

/**
 * Why a JSON-RPC message breaks MCP's rules, or `undefined` when it keeps them: an id is a string
 * or a safe integer, `params` and `result` are objects, `error.code` an integer, `_meta` an
 * object, and no member outside JSON-RPC's own. The SDK's `Protocol` silently drops a message
 * that breaks them, which would leave its POST waiting for an answer that never comes.
 *
 * @param message A message `@mcpwire/jsonrpc` accepted.
 * @returns A short, client-safe reason, or `undefined`.
 * @example
 * ```ts
 * mcpShapeError({ jsonrpc: '2.0', id: 1, method: 'ping', params: [] }) // 'params must be an object'
 * ```
 * @see https://modelcontextprotocol.io/specification/2025-11-25/basic#messages
 */
export function mcpShapeError(message: McpMessage): string | undefined {
  const hasId = Object.hasOwn(message, 'id')
  if (hasId && !isId(message.id)) return 'id must be a string or an integer'
  let allowed: ReadonlySet<string>
  if (typeof message.method === 'string') {
    allowed = REQUEST_KEYS
    if (Object.hasOwn(message, 'params')) {
      if (!isPlainObject(message.params)) return 'params must be an object'
      const problem = metaError(message.params)
      if (problem !== undefined) return problem
    }
  } else if (Object.hasOwn(message, 'result')) {
    allowed = RESULT_KEYS
    if (!hasId) return 'a response needs an id'
    if (!isPlainObject(message.result)) return 'result must be an object'
    const problem = metaError(message.result)
    if (problem !== undefined) return problem
  } else {
    allowed = ERROR_KEYS
    const error = message.error as { code?: unknown } | undefined
    if (!Number.isSafeInteger(error?.code)) return 'error code must be an integer'
  }
  for (const key of Object.keys(message)) {
    if (!allowed.has(key)) return 'unexpected member in message'
  }
  return undefined
}

/** Whether a value is an MCP request id: a string or a safe integer. */
function isId(value: unknown): value is RequestId {
  return typeof value === 'string' || Number.isSafeInteger(value)
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

/** The id of the request a `notifications/cancelled` names, if it names a string or number one. */
export function cancelledRequestId(message: McpMessage): RequestId | undefined {
  const requestId = (message.params as { requestId?: unknown } | undefined)?.requestId
  return typeof requestId === 'string' || typeof requestId === 'number' ? requestId : undefined
}

/** A map key for a request id that keeps `1` and `"1"` apart. */
export function idKey(id: RequestId): string {
  return typeof id === 'number' ? `n${id}` : `s${id}`
}
