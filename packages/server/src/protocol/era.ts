/**
 * The first revision of the modern, stateless era. Revisions are ISO dates, so a string
 * comparison orders them: any value `>=` this one (including junk such as `v999.0.0`) counts as
 * modern and is left to the modern leg to refuse.
 *
 * @example
 * ```ts
 * const modern = version >= FIRST_MODERN_PROTOCOL_VERSION
 * ```
 * @see https://modelcontextprotocol.io/specification/2026-07-28/basic/versioning
 */
export const FIRST_MODERN_PROTOCOL_VERSION = '2026-07-28'

/** The `params._meta` key whose presence claims the per-request envelope of 2026-07-28. */
export const PROTOCOL_VERSION_META_KEY = 'io.modelcontextprotocol/protocolVersion'
const CLIENT_CAPABILITIES_META_KEY = 'io.modelcontextprotocol/clientCapabilities'
const CLIENT_INFO_META_KEY = 'io.modelcontextprotocol/clientInfo'
const LOG_LEVEL_META_KEY = 'io.modelcontextprotocol/logLevel'
const LOG_LEVELS: ReadonlySet<string> = new Set([
  'debug',
  'info',
  'notice',
  'warning',
  'error',
  'critical',
  'alert',
  'emergency',
])

/**
 * The era of one request on a dual-era endpoint, from {@link classifyEra}:
 *
 * - `legacy`: 2024-11-05 to 2025-11-25 (an `initialize`, a session operation, envelope-less traffic);
 * - `modern`: 2026-07-28 and later, served statelessly. Also every request the modern leg must
 *   refuse itself (a malformed envelope, a header that disagrees with the body, a revision it
 *   does not serve), so that only a modern leg ever answers with a modern error code;
 * - `invalid`: refused at the edge whatever is configured: `code` -32600 for a batch holding a
 *   modern message (or an empty batch, or a body that is no JSON-RPC message), -32020 for an
 *   `initialize` sent with a modern `MCP-Protocol-Version` header.
 *
 * @example
 * ```ts
 * const result = classifyEra('POST', request.headers, body)
 * if (result.era === 'invalid') return errorResponse(400, result.code, result.message)
 * ```
 */
export type EraClassification =
  | {
      /** A request of the revisions 2024-11-05 to 2025-11-25. */
      readonly era: 'legacy'
    }
  | {
      /** A request of 2026-07-28 or later, served statelessly. */
      readonly era: 'modern'
    }
  | {
      /** A request refused at the edge with `code` and `message`. */
      readonly era: 'invalid'
      /** The JSON-RPC error code to answer with. */
      readonly code: -32600 | -32020
      /** The client-safe error message to answer with. */
      readonly message: string
    }

/**
 * What {@link classifyEra} reads of the headers: a Fetch `Headers` object has it.
 *
 * @example
 * ```ts
 * const headers: EraHeaders = new Headers({ 'mcp-protocol-version': '2026-07-28' })
 * ```
 */
export interface EraHeaders {
  /** The value of a header, or `null` when it is absent. */
  get(name: string): string | null
}

const LEGACY: EraClassification = { era: 'legacy' }
const MODERN: EraClassification = { era: 'modern' }

function invalid(code: -32600 | -32020, message: string): EraClassification {
  return { era: 'invalid', code, message }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function isId(value: unknown): boolean {
  return typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value))
}

/** Strips RFC 9110 optional whitespace (spaces and tabs) around a header value. */
function headerValue(headers: EraHeaders, name: string): string | undefined {
  const value = headers.get(name)
  if (value === null) return undefined
  return value.replace(/^[ \t]+|[ \t]+$/g, '')
}

function metaOf(params: unknown): Record<string, unknown> | undefined {
  if (!isPlainObject(params)) return undefined
  const meta = params._meta
  return isPlainObject(meta) ? meta : undefined
}

/** Whether `params._meta` holds the protocol-version key: the claim, valid or not. */
function hasEnvelopeClaim(params: unknown): boolean {
  const meta = metaOf(params)
  return meta !== undefined && Object.hasOwn(meta, PROTOCOL_VERSION_META_KEY)
}

/** Whether a revision string belongs to the modern era (string order, as revisions are dates). */
export function isModernRevision(version: string): boolean {
  return version >= FIRST_MODERN_PROTOCOL_VERSION
}

/**
 * Whether the claim is a well-formed envelope naming a modern revision: only such a claim turns
 * an `initialize` into a modern request. Checks the shape of every reserved key the envelope
 * defines (not the inside of the capabilities object, which is the modern leg's business).
 */
function hasValidModernClaim(params: unknown): boolean {
  const meta = metaOf(params)
  if (meta === undefined) return false
  const version = meta[PROTOCOL_VERSION_META_KEY]
  if (typeof version !== 'string' || !isModernRevision(version)) return false
  if (!isPlainObject(meta[CLIENT_CAPABILITIES_META_KEY])) return false
  if (Object.hasOwn(meta, CLIENT_INFO_META_KEY)) {
    const info = meta[CLIENT_INFO_META_KEY]
    if (!isPlainObject(info) || typeof info.name !== 'string' || typeof info.version !== 'string') {
      return false
    }
  }
  if (Object.hasOwn(meta, LOG_LEVEL_META_KEY)) {
    const level = meta[LOG_LEVEL_META_KEY]
    if (typeof level !== 'string' || !LOG_LEVELS.has(level)) return false
  }
  if (meta.progressToken !== undefined && !isId(meta.progressToken)) return false
  return true
}

function isMessage(value: unknown): value is Record<string, unknown> {
  if (!isPlainObject(value) || value.jsonrpc !== '2.0') return false
  if (typeof value.method === 'string') {
    return (
      (value.params === undefined || isPlainObject(value.params)) &&
      (!Object.hasOwn(value, 'id') || isId(value.id))
    )
  }
  return isId(value.id) && (Object.hasOwn(value, 'result') || Object.hasOwn(value, 'error'))
}

/**
 * Tells which protocol era one HTTP request on the MCP endpoint belongs to, from its HTTP method,
 * its headers and its parsed JSON body, with the body-primary rules of MCP 2026-07-28 (the same
 * decisions as the official SDK's `classifyInboundRequest`):
 *
 * 1. Not a POST (GET, DELETE) → legacy: a session operation.
 * 2. A batch → legacy, unless it is empty, holds a modern message or a non-message (invalid -32600).
 * 3. A posted response → legacy.
 * 4. A request: an `initialize` without a valid modern envelope → legacy (invalid -32020 when the
 *    `MCP-Protocol-Version` header names a modern revision); an envelope claim
 *    (`params._meta["io.modelcontextprotocol/protocolVersion"]`) → modern, even a malformed one
 *    or one naming a 2025 revision; no claim but a modern header → modern; otherwise legacy.
 * 5. A notification: a claim or a modern header → modern; otherwise legacy.
 *
 * The headers never change an era decided from the body; the modern leg cross-checks them.
 * `Mcp-Session-Id` plays no part. The function is pure and reads nothing else.
 *
 * @param httpMethod The request method, such as `POST`.
 * @param headers The request headers (`MCP-Protocol-Version` is read).
 * @param body The parsed JSON body (`undefined` for a body-less method).
 * @returns The era, or why the request is refused whatever the endpoint serves.
 * @example
 * ```ts
 * const body = await request.json()
 * const { era } = classifyEra(request.method, request.headers, body)
 * if (era === 'modern') return modern.fetch(request, { parsedBody: body })
 * ```
 * @see https://modelcontextprotocol.io/specification/2026-07-28/basic/versioning
 */
export function classifyEra(
  httpMethod: string,
  headers: EraHeaders,
  body: unknown,
): EraClassification {
  if (httpMethod.toUpperCase() !== 'POST') return LEGACY
  if (Array.isArray(body)) {
    if (body.length === 0) return invalid(-32600, 'Invalid request: empty batch')
    for (const element of body) {
      if (isPlainObject(element) && hasEnvelopeClaim(element.params)) {
        return invalid(
          -32600,
          'Invalid request: a batch may not hold requests of MCP 2026-07-28 or later',
        )
      }
      if (!isMessage(element)) return invalid(-32600, 'Invalid request: invalid message in batch')
    }
    return LEGACY
  }
  if (!isMessage(body)) return invalid(-32600, 'Invalid request: not a JSON-RPC message')
  if (typeof body.method !== 'string') return LEGACY // a response
  const header = headerValue(headers, 'mcp-protocol-version')
  const headerIsModern = header !== undefined && isModernRevision(header)
  const params = body.params
  if (Object.hasOwn(body, 'id')) {
    if (body.method === 'initialize' && !hasValidModernClaim(params)) {
      return headerIsModern
        ? invalid(
            -32020,
            'Header mismatch: initialize opens a legacy session but MCP-Protocol-Version names a modern revision',
          )
        : LEGACY
    }
  }
  return hasEnvelopeClaim(params) || headerIsModern ? MODERN : LEGACY
}
