import { ErrorCode } from './error-code.js'
import { errorResponse } from './message-kind.js'
import type {
  JsonRpcBatchItem,
  JsonRpcErrorResponse,
  JsonRpcId,
  JsonRpcMessage,
  ParseResult,
} from './types.js'

/** Options of {@link parseMessage}. */
export interface ParseOptions {
  /** Accept `"id": null` in requests (JSON-RPC allows it, MCP forbids it). Default `true`. */
  allowNullId?: boolean
  /** Accept a batch (an array). MCP 2025-03-26 allows batches; later revisions do not. Default `true`. */
  allowBatch?: boolean
  /** Largest body in UTF-8 bytes. Default 4 MiB. */
  maxBytes?: number
  /** Most elements in one batch. Default 1000. */
  maxBatchLength?: number
}

const DEFAULT_MAX_BYTES = 4 * 1024 * 1024
const DEFAULT_MAX_BATCH_LENGTH = 1000
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

const parseError = (): ParseResult => ({
  ok: false,
  error: errorResponse(null, ErrorCode.ParseError, 'Parse error'),
})
const invalid = (id: JsonRpcId, data?: string): JsonRpcErrorResponse =>
  errorResponse(id, ErrorCode.InvalidRequest, 'Invalid Request', data)

/** UTF-8 length of a string, stopping early once it passes `limit`. */
function utf8LengthOver(text: string, limit: number): boolean {
  if (text.length > limit) return true
  if (text.length * 3 <= limit) return false
  let bytes = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x80) bytes += 1
    else if (c < 0x800) bytes += 2
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1)
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4
        i++
      } else bytes += 3
    } else bytes += 3
    if (bytes > limit) return true
  }
  return false
}

function isId(value: unknown, allowNull: boolean): boolean {
  // A number must be finite: 1e999 parses to Infinity, which would serialize back as null.
  return (
    typeof value === 'string' ||
    (typeof value === 'number' && Number.isFinite(value)) ||
    (allowNull && value === null)
  )
}

/** The id to echo in an error about `value`: its id when that is well-formed, else `null`. */
function readableId(value: object): JsonRpcId {
  const id = (value as { id?: unknown }).id
  return typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id)) ? id : null
}

/**
 * Validates one parsed JSON value as a JSON-RPC message. Returns `undefined` when it is valid,
 * or the error response to answer.
 */
function validate(value: unknown, allowNullId: boolean): JsonRpcErrorResponse | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return invalid(null)
  const m = value as Record<string, unknown>
  if (m.jsonrpc !== '2.0') return invalid(readableId(m))
  const method = m.method
  if (method !== undefined) {
    if (typeof method !== 'string') return invalid(readableId(m))
    const params = m.params
    if (params !== undefined && (typeof params !== 'object' || params === null)) {
      return invalid(readableId(m))
    }
    if (m.id !== undefined && !isId(m.id, allowNullId)) return invalid(null)
    return undefined
  }
  // A response: exactly one of result and error, and an id (null when the request's was unreadable).
  if (!isId(m.id, true)) return invalid(null)
  const hasResult = m.result !== undefined
  const error = m.error
  if (hasResult === (error !== undefined)) return invalid(readableId(m))
  if (error !== undefined) {
    if (typeof error !== 'object' || error === null || Array.isArray(error)) {
      return invalid(readableId(m))
    }
    const { code, message } = error as { code?: unknown; message?: unknown }
    if (!Number.isInteger(code) || typeof message !== 'string') return invalid(readableId(m))
  }
  return undefined
}

/**
 * Decodes, parses and validates one JSON-RPC body. It never throws: bad input becomes a ready
 * error response.
 *
 * - Bytes are decoded as UTF-8; invalid UTF-8 or invalid JSON gives -32700 `Parse error` with
 *   `id: null`.
 * - A JSON value that is not a valid message gives -32600 `Invalid Request`. Its `id` is the
 *   message's own id when that id is a well-formed string or number (so a client waiting on it is
 *   answered instead of hanging), else `null`.
 * - Validation is exact: `jsonrpc` is `"2.0"`, `method` a string, `params` an object or array when
 *   present, `id` a string or number (or `null` with `allowNullId`), a response has exactly one of
 *   `result` and `error`, `error.code` is an integer and `error.message` a string.
 * - A batch is validated element by element; `[]`, a batch when `allowBatch` is off, or a batch
 *   longer than `maxBatchLength` gives a single -32600. A body over `maxBytes` gives -32600 with
 *   `data` saying so.
 * - Deep nesting, huge numbers and `__proto__` keys are harmless: `JSON.parse` creates own
 *   properties and nothing here copies them onto other objects.
 *
 * @param input The body: bytes (UTF-8) or text.
 * @param options Limits and the MCP switches, see {@link ParseOptions}.
 * @returns The classified message or batch, or the error response to send.
 * @example
 * ```ts
 * const parsed = parseMessage('{"jsonrpc":"2.0","id":1,"method":"ping"}', { allowNullId: false })
 * if (parsed.ok && !parsed.batch) console.log(parsed.message)
 * else if (!parsed.ok) console.log(parsed.error.error.code)
 * ```
 * @see https://www.jsonrpc.org/specification
 */
export function parseMessage(input: string | Uint8Array, options: ParseOptions = {}): ParseResult {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES
  let text: string
  if (typeof input === 'string') {
    if (utf8LengthOver(input, maxBytes)) {
      return { ok: false, error: invalid(null, `Message exceeds ${maxBytes} bytes`) }
    }
    text = input
  } else {
    if (input.byteLength > maxBytes) {
      return { ok: false, error: invalid(null, `Message exceeds ${maxBytes} bytes`) }
    }
    try {
      text = utf8.decode(input)
    } catch {
      return parseError()
    }
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return parseError()
  }
  const allowNullId = options.allowNullId ?? true
  if (!Array.isArray(value)) {
    const error = validate(value, allowNullId)
    return error === undefined
      ? { ok: true, batch: false, message: value as JsonRpcMessage }
      : { ok: false, error }
  }
  if (!(options.allowBatch ?? true)) {
    return { ok: false, error: invalid(null, 'Batches are not supported') }
  }
  if (value.length === 0) return { ok: false, error: invalid(null) }
  const maxBatchLength = options.maxBatchLength ?? DEFAULT_MAX_BATCH_LENGTH
  if (value.length > maxBatchLength) {
    return { ok: false, error: invalid(null, `Batch exceeds ${maxBatchLength} messages`) }
  }
  const items: JsonRpcBatchItem[] = new Array(value.length)
  for (let i = 0; i < value.length; i++) {
    const element: unknown = value[i]
    const error = validate(element, allowNullId)
    items[i] =
      error === undefined ? { ok: true, message: element as JsonRpcMessage } : { ok: false, error }
  }
  return { ok: true, batch: true, items }
}
