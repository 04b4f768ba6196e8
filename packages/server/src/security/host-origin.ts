import { errorReply, type Reply, toResponse } from '../http/reply.js'

/**
 * Which `Host` and `Origin` values a server accepts (the DNS-rebinding defence).
 *
 * Leaving a list `undefined` keeps its default: loopback only (`localhost`, `127.0.0.0/8`, `[::1]`, any
 * port). A list replaces the default entirely, so a public deployment lists its own names.
 */
export interface HostOriginOptions {
  /**
   * Accepted `Host` values: a hostname (`example.com`, any port) or a hostname with a port
   * (`example.com:8443`, that port only; a `Host` without a port means the scheme's default port).
   * Compared case-insensitively, a single trailing dot ignored, IP literals in canonical form.
   * Default: loopback hosts only.
   */
  readonly allowedHosts?: readonly string[] | undefined
  /**
   * Accepted `Origin` values as exact `scheme://host[:port]` (`https://app.example.com`).
   * Compared after normalisation: lowercase, default ports (80 for http/ws, 443 for https/wss)
   * dropped. A request without `Origin` (a non-browser client) is always accepted.
   * Default: `http` or `https` origins on a loopback host, any port.
   */
  readonly allowedOrigins?: readonly string[] | undefined
}

/** What the check reads of a request: a Fetch `Request` has it. */
export interface RequestHead {
  readonly url: string
  readonly headers: { get(name: string): string | null }
}

/** A `Host` value split into its canonical hostname and its port (`''` when absent). */
interface ParsedHost {
  readonly hostname: string
  readonly port: string
}

/** The compiled form of {@link HostOriginOptions}: `undefined` means the loopback default. */
interface CompiledLists {
  readonly hosts: ReadonlySet<string> | undefined
  readonly hostPorts: ReadonlySet<string> | undefined
  readonly origins: ReadonlySet<string> | undefined
}

// A Host value is a bracketed IPv6 literal or a run of letters, digits, dots and hyphens,
// then an optional port. Anything else (userinfo `@`, paths, spaces, commas from repeated headers,
// percent escapes, zone ids) is malformed and refused before the URL parser could reinterpret it.
const HOST_PATTERN = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::([0-9]{1,5}))?$/i
const ORIGIN_PATTERN = /^([a-z][a-z0-9+.-]*):\/\/(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::([0-9]{1,5}))?$/i
const LOOPBACK_IPV4 = /^127\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}$/
const DEFAULT_PORTS: Readonly<Record<string, string>> = {
  http: '80',
  https: '443',
  ws: '80',
  wss: '443',
}

function canonicalPort(port: string | undefined): string | undefined {
  if (port === undefined) return ''
  const value = Number(port)
  return value <= 65535 ? String(value) : undefined
}

/**
 * Canonical form of a hostname already restricted to HOST_PATTERN's character set: the WHATWG URL
 * host parser lowercases it and canonicalises IP literals (`127.1` is `127.0.0.1`, `[0::1]` is
 * `[::1]`), exactly as browsers do before they send `Host`. One trailing dot is dropped.
 */
function canonicalHostname(hostname: string): string | undefined {
  let canonical: string
  const lower = hostname.toLowerCase()
  if (lower === 'localhost' || lower === '127.0.0.1' || lower === '[::1]') {
    canonical = lower
  } else {
    try {
      canonical = new URL(`http://${hostname}/`).hostname
    } catch {
      return undefined
    }
  }
  if (canonical.endsWith('.')) canonical = canonical.slice(0, -1)
  return canonical === '' ? undefined : canonical
}

function parseHost(value: string): ParsedHost | undefined {
  const match = HOST_PATTERN.exec(value)
  if (match === null) return undefined
  const hostname = canonicalHostname(match[1]!)
  const port = canonicalPort(match[2])
  if (hostname === undefined || port === undefined) return undefined
  return { hostname, port }
}

/** `scheme://host[:port]` in canonical form, or `undefined` when the value is not an origin. */
export function canonicalOrigin(value: string): string | undefined {
  const match = ORIGIN_PATTERN.exec(value)
  if (match === null) return undefined
  const scheme = match[1]!.toLowerCase()
  const hostname = canonicalHostname(match[2]!)
  let port = canonicalPort(match[3])
  if (hostname === undefined || port === undefined) return undefined
  if (port === DEFAULT_PORTS[scheme]) port = ''
  return port === '' ? `${scheme}://${hostname}` : `${scheme}://${hostname}:${port}`
}

function isLoopbackHostname(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || LOOPBACK_IPV4.test(hostname)
}

/**
 * Whether a `Host` header value names a loopback interface: `localhost`, an address in
 * `127.0.0.0/8` or `[::1]`, with or without a port, case-insensitive, one trailing dot tolerated.
 *
 * `0.0.0.0`, IPv4-mapped IPv6 (`[::ffff:127.0.0.1]`), `*.localhost` names and anything malformed
 * (userinfo, paths, several values) are not loopback.
 *
 * @param host A `Host` header value, for example `localhost:3000`.
 * @returns `true` for a well-formed loopback host.
 * @example
 * ```ts
 * isLoopbackHost('127.0.0.1:3000') // true
 * isLoopbackHost('localhost.evil.com') // false
 * ```
 * @see https://modelcontextprotocol.io/specification/2025-11-25/basic/transports#security-warning
 */
export function isLoopbackHost(host: string): boolean {
  const parsed = parseHost(host)
  return parsed !== undefined && isLoopbackHostname(parsed.hostname)
}

/**
 * Whether an `Origin` header value is an `http` or `https` origin on a loopback host.
 *
 * @param origin An `Origin` header value, for example `http://localhost:5173`.
 * @returns `true` for a well-formed loopback origin; `false` for `null` and anything else.
 * @example
 * ```ts
 * isLoopbackOrigin('http://[::1]:8080') // true
 * isLoopbackOrigin('null') // false
 * ```
 * @see https://modelcontextprotocol.io/specification/2025-11-25/basic/transports#security-warning
 */
export function isLoopbackOrigin(origin: string): boolean {
  const canonical = canonicalOrigin(origin)
  if (canonical === undefined) return false
  const rest = canonical.startsWith('http://')
    ? canonical.slice(7)
    : canonical.startsWith('https://')
      ? canonical.slice(8)
      : undefined
  return rest !== undefined && isLoopbackHost(rest)
}

function compile(options: HostOriginOptions): CompiledLists {
  let hosts: Set<string> | undefined
  let hostPorts: Set<string> | undefined
  let origins: Set<string> | undefined
  if (options.allowedHosts !== undefined) {
    hosts = new Set()
    hostPorts = new Set()
    for (const entry of options.allowedHosts) {
      const parsed = parseHost(entry)
      if (parsed === undefined) {
        throw new TypeError(`Invalid allowedHosts entry: ${JSON.stringify(entry)}`)
      }
      if (parsed.port === '') hosts.add(parsed.hostname)
      else hostPorts.add(`${parsed.hostname}:${parsed.port}`)
    }
  }
  if (options.allowedOrigins !== undefined) {
    origins = new Set()
    for (const entry of options.allowedOrigins) {
      const canonical = canonicalOrigin(entry)
      if (canonical === undefined) {
        throw new TypeError(`Invalid allowedOrigins entry: ${JSON.stringify(entry)}`)
      }
      origins.add(canonical)
    }
  }
  return { hosts, hostPorts, origins }
}

function hostAllowed(request: RequestHead, lists: CompiledLists): boolean {
  let value = request.headers.get('host')
  if (value === null) {
    try {
      value = new URL(request.url).host
    } catch {
      return false
    }
  }
  const parsed = parseHost(value)
  if (parsed === undefined) return false
  if (lists.hosts === undefined || lists.hostPorts === undefined) {
    return isLoopbackHostname(parsed.hostname)
  }
  if (lists.hosts.has(parsed.hostname)) return true
  const port = parsed.port !== '' ? parsed.port : request.url.startsWith('https:') ? '443' : '80'
  return lists.hostPorts.has(`${parsed.hostname}:${port}`)
}

function originAllowed(request: RequestHead, lists: CompiledLists): boolean {
  const value = request.headers.get('origin')
  if (value === null) return true
  if (lists.origins === undefined) return isLoopbackOrigin(value)
  const canonical = canonicalOrigin(value)
  return canonical !== undefined && lists.origins.has(canonical)
}

function check(request: RequestHead, lists: CompiledLists): Reply | undefined {
  if (!hostAllowed(request, lists)) {
    return errorReply(403, -32000, 'Forbidden: Host header not allowed')
  }
  if (!originAllowed(request, lists)) {
    return errorReply(403, -32000, 'Forbidden: Origin header not allowed')
  }
  return undefined
}

function toErrorResponse(refusal: Reply | undefined): Response | undefined {
  return refusal === undefined ? undefined : toResponse(refusal)
}

/**
 * The handler's form of {@link createHostOriginCheck}: answers with a {@link Reply}.
 *
 * @param options Allowed hosts and origins; each list defaults to loopback only.
 * @returns A function from a request to a 403 reply, or `undefined` when allowed.
 */
export function hostOriginGate(
  options: HostOriginOptions = {},
): (request: RequestHead) => Reply | undefined {
  const lists = compile(options)
  return (request) => check(request, lists)
}

/**
 * Builds a `Host`/`Origin` check with its lists validated and compiled once.
 *
 * Prefer this over {@link checkHostAndOrigin} in a handler: a bad list entry throws here, at
 * start-up, not on a request.
 *
 * @param options Allowed hosts and origins; each list defaults to loopback only.
 * @returns A pure function from a request to a 403 `Response`, or `undefined` when allowed.
 * @throws {TypeError} When a list entry is not a valid host or origin.
 * @example
 * ```ts
 * const checkRequest = createHostOriginCheck({ allowedHosts: ['mcp.example.com'] })
 * const refusal = checkRequest(request)
 * if (refusal) return refusal
 * ```
 * @see https://modelcontextprotocol.io/specification/2025-11-25/basic/transports#security-warning
 */
export function createHostOriginCheck(
  options: HostOriginOptions = {},
): (request: RequestHead) => Response | undefined {
  const gate = hostOriginGate(options)
  return (request) => toErrorResponse(gate(request))
}

const compiledByOptions = new WeakMap<HostOriginOptions, CompiledLists>()

/**
 * Validates a request's `Host` and `Origin` headers against DNS rebinding.
 *
 * Rules, in order:
 * - `Host` (or, when the header is absent, the host of `request.url`) must be well formed and
 *   allowed, otherwise 403 with JSON-RPC error -32000 `Forbidden: Host header not allowed`.
 *   A malformed or unknown host gets the same answer: 403 was chosen over 421 because HTTP/2
 *   clients may retry a 421 on another connection, and it matches the official SDK.
 * - A missing `Origin` is allowed (non-browser clients send none). A present `Origin` that is not
 *   allowed, malformed, or the literal `null` gets 403 with `Forbidden: Origin header not allowed`.
 *
 * The response body never echoes the offending value. The function is pure (no I/O); compiled
 * lists are cached per options object.
 *
 * @param request The incoming request.
 * @param options Allowed hosts and origins; each list defaults to loopback only
 *   (`localhost`, `127.0.0.0/8`, `[::1]`, any port, `http` or `https` origins).
 * @returns `undefined` when the request may proceed, otherwise the 403 `Response` to send.
 * @throws {TypeError} When a list entry is not a valid host or origin.
 * @example
 * ```ts
 * const refusal = checkHostAndOrigin(request, {})
 * if (refusal) return refusal
 * ```
 * @see https://modelcontextprotocol.io/specification/2025-11-25/basic/transports#security-warning
 */
export function checkHostAndOrigin(
  request: RequestHead,
  options: HostOriginOptions,
): Response | undefined {
  let lists = compiledByOptions.get(options)
  if (lists === undefined) {
    lists = compile(options)
    compiledByOptions.set(options, lists)
  }
  return toErrorResponse(check(request, lists))
}
