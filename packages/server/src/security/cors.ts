import type { HeaderReader } from '../http/incoming.js'
import type { Answer, Reply } from '../http/reply.js'
import { canonicalOrigin, isLoopbackOrigin } from './host-origin.js'

/**
 * Cross-origin access for browser pages (CORS), the `cors` option of `createMcpHandler`.
 *
 * Which origins: by default every origin the handler's `Origin` check accepts (`allowedOrigins`,
 * loopback only unless set). `origins` narrows that list; an entry the `Origin` check would
 * refuse is a start-up error, since its requests would get 403 whatever CORS says.
 *
 * Credentials: off by default. A bearer token sent in `Authorization` needs no credentials mode
 * (it is an ordinary request header, allowed by the preflight); turn `credentials` on only when
 * a page must send cookies or HTTP authentication with `credentials: 'include'` (or an
 * `EventSource` with `withCredentials`). The allowed origin is always echoed, never `*`.
 *
 * @see https://fetch.spec.whatwg.org/#http-cors-protocol
 */
export interface CorsOptions {
  /**
   * Origins (`scheme://host[:port]`) whose pages may read responses. Default: every origin the
   * handler's `allowedOrigins` accepts.
   */
  readonly origins?: readonly string[]
  /** Send `Access-Control-Allow-Credentials: true` (cookies, HTTP auth). Default: `false`. */
  readonly credentials?: boolean
  /** How long, in seconds, a browser may cache a preflight answer. Default: 600. */
  readonly maxAge?: number
  /** Request headers to allow besides the MCP ones (compared case-insensitively). Default: none. */
  readonly allowHeaders?: readonly string[]
  /** Response headers to expose besides `Mcp-Session-Id` and `WWW-Authenticate`. Default: none. */
  readonly exposeHeaders?: readonly string[]
}

/** The request headers an MCP client sends, across every era (names in lowercase). */
const MCP_REQUEST_HEADERS: readonly string[] = [
  'accept',
  'authorization',
  'content-type',
  'last-event-id',
  'mcp-method',
  'mcp-name',
  'mcp-protocol-version',
  'mcp-session-id',
]
/** `Mcp-Param-{Name}` headers mirror tool arguments (2026-07-28), so they are matched by prefix. */
const MCP_PARAM_PREFIX = 'mcp-param-'
const EXPOSED_HEADERS: readonly string[] = ['mcp-session-id', 'www-authenticate']
// A header name as RFC 9110 defines a token.
const TOKEN = /^[!#$%&'*+.^_`|~0-9a-z-]+$/

/** What CORS needs of a request: its method and headers. */
export interface CorsRequest {
  readonly method: string
  readonly headers: HeaderReader
}

/** The compiled `cors` option: answers preflights and adds headers to every answer. */
export interface Cors {
  /** Whether the request is a CORS preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`). */
  isPreflight(request: CorsRequest): boolean
  /** The answer to a preflight for a route that takes `methods`. */
  preflight(request: CorsRequest, methods: string): Reply
  /** The answer with `Vary: Origin` and, for an allowed origin, the CORS response headers. */
  decorate(request: CorsRequest, answer: Answer): Answer
}

function listHeader(names: Iterable<string>): string {
  return [...names].join(', ')
}

function lowerCaseNames(option: string, names: readonly string[] | undefined): string[] {
  return (names ?? []).map((name) => {
    const lower = name.trim().toLowerCase()
    if (!TOKEN.test(lower)) throw new TypeError(`Invalid ${option} entry: ${JSON.stringify(name)}`)
    return lower
  })
}

function addVary(headers: Record<string, string | string[]>, names: string): void {
  const current = headers.vary
  headers.vary = current === undefined || current === '' ? names : `${current}, ${names}`
}

/**
 * Compiles the `cors` option.
 *
 * @param options The option as given.
 * @param allowedOrigins The handler's `allowedOrigins` (`undefined`: loopback only).
 * @returns The compiled policy.
 * @throws {TypeError} When an origin or header name is malformed, or an origin would be refused
 *   by the `Origin` check.
 * @throws {RangeError} When `maxAge` is not a whole number of seconds of at least 0.
 */
export function compileCors(
  options: CorsOptions | true,
  allowedOrigins: readonly string[] | undefined,
): Cors {
  const settings: CorsOptions = options === true ? {} : options
  const accepted =
    allowedOrigins === undefined
      ? undefined
      : new Set(allowedOrigins.map((origin) => canonicalOrigin(origin)))
  /** Whether the handler's Origin check accepts a canonical origin. */
  const passesOriginCheck = (canonical: string): boolean =>
    accepted === undefined ? isLoopbackOrigin(canonical) : accepted.has(canonical)
  let origins: Set<string> | undefined
  if (settings.origins !== undefined) {
    origins = new Set()
    for (const entry of settings.origins) {
      const canonical = canonicalOrigin(entry)
      if (canonical === undefined) {
        throw new TypeError(`Invalid cors.origins entry: ${JSON.stringify(entry)}`)
      }
      if (!passesOriginCheck(canonical)) {
        throw new TypeError(
          `cors.origins entry ${JSON.stringify(entry)} is not in allowedOrigins: its requests would be refused`,
        )
      }
      origins.add(canonical)
    }
  }
  const maxAge = settings.maxAge ?? 600
  if (!Number.isSafeInteger(maxAge) || maxAge < 0) {
    throw new RangeError(`cors.maxAge must be a whole number of at least 0, got ${maxAge}`)
  }
  const allowed = new Set([
    ...MCP_REQUEST_HEADERS,
    ...lowerCaseNames('cors.allowHeaders', settings.allowHeaders),
  ])
  const exposed = listHeader(
    new Set([...EXPOSED_HEADERS, ...lowerCaseNames('cors.exposeHeaders', settings.exposeHeaders)]),
  )
  const credentials = settings.credentials === true

  /** The `Origin` value to echo, or `undefined` when the request gets no CORS headers. */
  const allowedOrigin = (request: CorsRequest): string | undefined => {
    const origin = request.headers.get('origin')
    if (origin === null) return undefined
    const canonical = canonicalOrigin(origin)
    if (canonical === undefined) return undefined
    const allowed = origins === undefined ? passesOriginCheck(canonical) : origins.has(canonical)
    return allowed ? origin : undefined
  }

  /** The requested headers that are allowed, as the preflight names them (a pattern cannot be sent). */
  const grantedHeaders = (request: CorsRequest): string[] => {
    const requested = request.headers.get('access-control-request-headers') ?? ''
    const granted = new Set<string>()
    for (const part of requested.split(',')) {
      const name = part.trim().toLowerCase()
      if (name === '' || !TOKEN.test(name)) continue
      if (allowed.has(name) || name.startsWith(MCP_PARAM_PREFIX)) granted.add(name)
    }
    return [...granted]
  }

  const corsHeaders = (origin: string): Record<string, string> => {
    const headers: Record<string, string> = {
      'access-control-allow-origin': origin,
      'access-control-expose-headers': exposed,
    }
    if (credentials) headers['access-control-allow-credentials'] = 'true'
    return headers
  }

  return {
    isPreflight(request) {
      return (
        request.method === 'OPTIONS' &&
        request.headers.has('origin') &&
        request.headers.has('access-control-request-method')
      )
    },

    preflight(request, methods) {
      const headers: Record<string, string> = {
        vary: 'Access-Control-Request-Method, Access-Control-Request-Headers',
      }
      const origin = allowedOrigin(request)
      if (origin !== undefined) {
        const granted = grantedHeaders(request)
        headers['access-control-allow-methods'] = methods
        if (granted.length > 0) headers['access-control-allow-headers'] = listHeader(granted)
        headers['access-control-max-age'] = String(maxAge)
      }
      return { status: 204, headers, body: null }
    },

    decorate(request, answer) {
      const origin = allowedOrigin(request)
      if (answer instanceof Response) {
        const headers = new Headers(answer.headers)
        headers.append('vary', 'Origin')
        if (origin !== undefined) {
          for (const [name, value] of Object.entries(corsHeaders(origin))) headers.set(name, value)
        }
        return new Response(answer.body, {
          status: answer.status,
          statusText: answer.statusText,
          headers,
        })
      }
      const headers: Record<string, string | string[]> = { ...answer.headers }
      addVary(headers, 'Origin')
      if (origin !== undefined) Object.assign(headers, corsHeaders(origin))
      return { status: answer.status, headers, body: answer.body }
    },
  }
}
