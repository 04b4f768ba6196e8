import { ClusterInbox } from './cluster/cluster-inbox.js'
import { ClusterLegacySessions } from './cluster/cluster-legacy-sessions.js'
import { ClusterNode, ClusterUnavailableError } from './cluster/cluster-node.js'
import { ClusterSessions } from './cluster/cluster-sessions.js'
import type { Caller, HandlerContext } from './handler-context.js'
import { exposeDirectAnswer } from './http/direct-answer.js'
import { dispatchPost } from './http/era-dispatch.js'
import type { Incoming } from './http/incoming.js'
import { type Answer, errorReply, type Reply, toResponse } from './http/reply.js'
import { WebIncoming } from './http/web-incoming.js'
import { handleLegacyPost, handleLegacySse } from './legacy/legacy-sse.js'
import { type McpLogger, toLog } from './logger.js'
import { type McpHandlerStats, Metrics } from './metrics.js'
import type { McpHandlerOptions, ResolvedOptions } from './options.js'
import { DEFAULT_MAX_JSON_DEPTH } from './protocol/json-depth.js'
import { compileCors } from './security/cors.js'
import { hostOriginGate } from './security/host-origin.js'
import { InMemoryEventStore } from './session/event-store.js'
import { SessionRegistry } from './session/session-registry.js'
import { handleStreamableDelete, handleStreamableGet } from './streamable/streamable-http.js'
import { globalTimers } from './timers.js'

/** The handler returned by {@link createMcpHandler}. */
export interface McpHandler {
  /**
   * Answers one HTTP request; pass it to `Deno.serve`, `Bun.serve` or Workers as is. Given to
   * `toNodeHandler` or `serve` from `@mcpwire/server/node`, it is recognised and the handler is
   * called directly on Node's request and response, without Fetch objects.
   */
  readonly fetch: (request: Request) => Promise<Response>
  /**
   * Closes every session and stream, and awaits `modern.close()`; later requests still get
   * answers (404 for old sessions, 503 with `Retry-After` for modern ones).
   */
  readonly close: () => Promise<void>
  /** What the handler holds right now: sessions, streams, buffered bytes, overflow closes. */
  readonly stats: () => McpHandlerStats
}

/** Checks a numeric option: `min` or more, Infinity only if `infinite`, whole if `integer`. */
function checkNumber(
  name: string,
  value: number | undefined,
  min: number,
  { infinite = false, integer = false } = {},
): void {
  if (value === undefined) return
  const ok =
    value === Number.POSITIVE_INFINITY
      ? infinite
      : Number.isFinite(value) && value >= min && (!integer || Number.isSafeInteger(value))
  if (!ok) {
    const kind = integer ? 'a whole number' : 'a number'
    throw new RangeError(`${name} must be ${kind} of at least ${min}, got ${value}`)
  }
}

function defaultOnError(logger: McpLogger | undefined): (error: unknown) => void {
  const log = toLog(logger)
  if (log === undefined || logger?.error === undefined) return (error) => console.error(error)
  return (error) => log('error', 'server error', { event: 'server-error', error })
}

/** What a refusal's body says, for the log: the JSON-RPC error message of a handler reply. */
function refusalReason(answer: Answer): string {
  if (answer instanceof Response) return 'refused by authentication'
  if (typeof answer.body !== 'string') return ''
  try {
    return String(JSON.parse(answer.body).error?.message ?? '')
  } catch {
    return ''
  }
}

function noConnect(): never {
  throw new Error('This endpoint serves no legacy session: connect was not given')
}

/** At least one leg: `connect` (legacy eras), `modern` (2026-07-28+), or both. */
function checkLegs(options: McpHandlerOptions): void {
  const { connect, modern } = options
  if (connect !== undefined && typeof connect !== 'function') {
    throw new TypeError('connect must be a function')
  }
  if (modern !== undefined && typeof modern?.fetch !== 'function') {
    throw new TypeError('modern must have a fetch(request, options) method')
  }
  if (connect === undefined && modern === undefined) {
    throw new TypeError('createMcpHandler needs connect, modern, or both')
  }
}

/** Cluster mode rebuilds servers anywhere and keeps sessions in the backend: it needs both bounded. */
function checkCluster(options: McpHandlerOptions): void {
  const cluster = options.cluster
  if (cluster === undefined) return
  const { sessions, events, bus } = cluster
  if (sessions === undefined || events === undefined || bus === undefined) {
    throw new TypeError(
      'cluster needs sessions, events and bus (createMemoryCluster(), createRedisCluster())',
    )
  }
  if (
    options.hibernateAfterMs === undefined ||
    options.hibernateAfterMs === Number.POSITIVE_INFINITY
  ) {
    throw new TypeError(
      "cluster needs a finite hibernateAfterMs: any instance may rebuild a session's server",
    )
  }
  if (options.sessionIdleMs === Number.POSITIVE_INFINITY) {
    throw new TypeError('cluster needs a finite sessionIdleMs: stored sessions expire by it')
  }
  if (options.eventStore !== undefined) {
    throw new TypeError('Set cluster or eventStore, not both: the cluster keeps the events')
  }
}

function resolveOptions(options: McpHandlerOptions): ResolvedOptions {
  checkLegs(options)
  checkCluster(options)
  checkNumber('maxBodyBytes', options.maxBodyBytes, 1)
  checkNumber('maxJsonDepth', options.maxJsonDepth, 1, { integer: true })
  checkNumber('keepAliveMs', options.keepAliveMs, 0)
  checkNumber('sessionIdleMs', options.sessionIdleMs, 1, { infinite: true })
  checkNumber('hibernateAfterMs', options.hibernateAfterMs, 1, { infinite: true })
  checkNumber('maxSessions', options.maxSessions, 1, { infinite: true })
  checkNumber('maxSessionsPerPrincipal', options.maxSessionsPerPrincipal, 1, { infinite: true })
  checkNumber('unusedSessionIdleMs', options.unusedSessionIdleMs, 1, { infinite: true })
  checkNumber('retryMs', options.retryMs, 0, { integer: true })
  checkNumber('maxStreamBufferBytes', options.maxStreamBufferBytes, 1)
  checkNumber('maxSessionEventBytes', options.maxSessionEventBytes, 0, { infinite: true })
  if (options.auth !== undefined && options.authenticate !== undefined) {
    throw new TypeError('Set auth or authenticate, not both')
  }
  checkNumber('maxModernInFlight', options.maxModernInFlight, 1, { infinite: true })
  const legacy =
    options.legacy === false || options.connect === undefined
      ? false
      : {
          ssePath: options.legacy?.ssePath ?? '/sse',
          messagesPath: options.legacy?.messagesPath ?? '/messages',
        }
  return {
    connect: options.connect ?? noConnect,
    servesLegacy: options.connect !== undefined,
    modern: options.modern,
    maxModernInFlight: options.maxModernInFlight ?? 10_000,
    path: options.path ?? '/mcp',
    legacy,
    eventStore:
      options.cluster !== undefined
        ? options.cluster.events
        : options.eventStore === false
          ? undefined
          : (options.eventStore ?? new InMemoryEventStore()),
    allowedHosts: options.allowedHosts,
    allowedOrigins: options.allowedOrigins,
    authenticate: options.authenticate,
    auth: options.auth,
    maxBodyBytes: options.maxBodyBytes ?? 4 * 1024 * 1024,
    maxJsonDepth: options.maxJsonDepth ?? DEFAULT_MAX_JSON_DEPTH,
    keepAliveMs: options.keepAliveMs ?? 5000,
    sessionIdleMs: options.sessionIdleMs ?? 30 * 60 * 1000,
    hibernateAfterMs: options.hibernateAfterMs ?? Number.POSITIVE_INFINITY,
    maxSessions: options.maxSessions ?? 10_000,
    maxSessionsPerPrincipal: options.maxSessionsPerPrincipal ?? Number.POSITIVE_INFINITY,
    unusedSessionIdleMs: options.unusedSessionIdleMs ?? 60_000,
    retryMs: options.retryMs ?? 1000,
    jsonResponse: options.jsonResponse ?? false,
    maxStreamBufferBytes: options.maxStreamBufferBytes ?? 1024 * 1024,
    maxSessionEventBytes: options.maxSessionEventBytes ?? 4 * 1024 * 1024,
    onerror: options.onerror ?? defaultOnError(options.logger),
    timers: options.timers ?? globalTimers,
    cluster: options.cluster,
  }
}

function methodNotAllowed(allow: string): Reply {
  return errorReply(405, -32000, 'Method not allowed', { allow })
}

/** The methods a route takes, as `Allow` and a CORS preflight name them. */
function routeMethods(pathname: string, options: ResolvedOptions): string {
  if (pathname === options.path) return options.servesLegacy ? 'GET, POST, DELETE' : 'POST'
  if (options.legacy !== false && pathname === options.legacy.ssePath) return 'GET'
  return 'POST' // the legacy messages endpoint
}

/**
 * Creates a Web-standard MCP handler serving every protocol era on one endpoint, secure by
 * default: with `connect`, Streamable HTTP sessions (2025-03-26 to 2025-11-25) and the legacy
 * HTTP+SSE transport (2024-11-05); with `modern`, the stateless 2026-07-28 era, delegated to the
 * SDK v2 handler after this handler's own checks.
 *
 * Every request is checked first for `Host` and `Origin` (loopback only by default), then passed
 * to `authenticate`. Unknown paths get 404, wrong methods 405 with `Allow`. A POST is checked
 * (Accept, Content-Type, size), parsed once and classified by era (`classifyEra`).
 *
 * @param options `connect`, `modern` (at least one) plus optional settings, see {@link McpHandlerOptions}.
 * @returns `{ fetch, close, stats }`.
 * @throws {TypeError} When neither `connect` nor `modern` is given.
 * @example
 * ```ts
 * import { createMcpHandler as createSdkHandler, McpServer } from '@modelcontextprotocol/server'
 *
 * const build = () => new McpServer({ name: 'demo', version: '1.0.0' })
 * const mcp = createMcpHandler({
 *   connect: (transport) => build().connect(transport), // 2024-11-05 to 2025-11-25
 *   modern: createSdkHandler(() => build(), { legacy: 'reject', keepAliveMs: 5000 }), // 2026-07-28+
 * })
 * Deno.serve(mcp.fetch)
 * ```
 * @see https://modelcontextprotocol.io/specification/2026-07-28/basic/transports/streamable-http
 */
export function createMcpHandler(options: McpHandlerOptions): McpHandler {
  const resolved = resolveOptions(options)
  const metrics = new Metrics()
  const store = resolved.eventStore
  if (store instanceof InMemoryEventStore) metrics.evictedEventsOf = () => store.evictedEvents
  const log = toLog(options.logger)
  metrics.log = log
  const node =
    resolved.cluster === undefined
      ? undefined
      : new ClusterNode(resolved.cluster, resolved.timers, resolved.onerror)
  const sessions = new SessionRegistry(resolved, metrics, node)
  const ctx: HandlerContext = {
    options: resolved,
    metrics,
    sessions,
    cluster:
      node === undefined
        ? undefined
        : {
            node,
            sessions: new ClusterSessions(node, sessions),
            legacy: new ClusterLegacySessions(
              node,
              sessions,
              new ClusterInbox(node, resolved.timers, resolved.onerror),
            ),
          },
    lifecycle: { closed: false },
  }
  node?.start()
  const checkHostOrigin = hostOriginGate({
    allowedHosts: resolved.allowedHosts,
    allowedOrigins: resolved.allowedOrigins,
  })
  const cors =
    options.cors === undefined || options.cors === false
      ? undefined
      : compileCors(options.cors, resolved.allowedOrigins)

  async function route(request: Incoming): Promise<Answer> {
    const refusal = checkHostOrigin(request)
    if (refusal !== undefined) return refusal
    const pathname = request.parsedUrl.pathname
    const legacy = resolved.legacy
    const known =
      pathname === resolved.path ||
      (legacy !== false && (pathname === legacy.ssePath || pathname === legacy.messagesPath))
    const auth = resolved.auth
    if (!known) {
      // The protected-resource metadata document, public: no authentication.
      const asGet = { url: request.url, method: 'GET' }
      if (cors?.isPreflight(request) === true && auth?.metadataResponse(asGet, resolved.path)) {
        return cors.preflight(request, 'GET')
      }
      return auth?.metadataResponse(request, resolved.path) ?? errorReply(404, -32000, 'Not found')
    }
    // A preflight carries no credentials: it is answered before authentication.
    if (cors?.isPreflight(request) === true) {
      return cors.preflight(request, routeMethods(pathname, resolved))
    }

    let caller: Caller = { principal: '', authInfo: undefined }
    const authenticate =
      auth === undefined
        ? resolved.authenticate
        : (web: Request) => auth.authenticate(web, resolved.path)
    if (authenticate !== undefined) {
      const result = await authenticate(request.toRequest())
      if (result instanceof Response) return result
      if (result !== undefined) {
        const principal = result.principal ?? result.clientId ?? result.token ?? ''
        caller = { principal, authInfo: result }
      }
    }

    const method = request.method
    if (pathname === resolved.path) {
      if (method === 'POST') return dispatchPost(ctx, request, caller)
      if (!resolved.servesLegacy) return methodNotAllowed('POST')
      if (method === 'GET') return handleStreamableGet(ctx, request, caller)
      if (method === 'DELETE') return handleStreamableDelete(ctx, request, caller)
      return methodNotAllowed('GET, POST, DELETE')
    }
    if (legacy !== false && pathname === legacy.ssePath) {
      if (method === 'GET') return handleLegacySse(ctx, request, caller, legacy.messagesPath)
      return methodNotAllowed('GET')
    }
    if (method === 'POST') return handleLegacyPost(ctx, request, caller)
    return methodNotAllowed('POST')
  }

  async function answer(request: Incoming): Promise<Answer> {
    let result: Answer
    try {
      result = await route(request)
    } catch (error) {
      if (error instanceof ClusterUnavailableError) {
        // Not 404: the client keeps its session and retries once the backend is back.
        log?.('warn', 'cluster backend unavailable', { event: 'cluster-unavailable', error })
        if (log === undefined) resolved.onerror(error)
        result = errorReply(
          503,
          -32000,
          'Service unavailable: the cluster backend did not answer',
          {
            'retry-after': '1',
          },
        )
      } else {
        resolved.onerror(error)
        result = errorReply(500, -32603, 'Internal error')
      }
    }
    if (log !== undefined && result.status >= 400 && result.status < 500) {
      log('info', 'request refused', {
        event: 'request-refused',
        status: result.status,
        method: request.method,
        path: request.parsedUrl.pathname,
        reason: refusalReason(result),
      })
    }
    return cors === undefined ? result : cors.decorate(request, result)
  }

  const fetch = async (request: Request): Promise<Response> =>
    toResponse(await answer(new WebIncoming(request)), request)
  exposeDirectAnswer(fetch, answer)

  return {
    fetch,
    close: async () => {
      ctx.lifecycle.closed = true
      await Promise.all([ctx.sessions.closeAll(), resolved.modern?.close?.()])
      await ctx.cluster?.legacy.stop()
      await node?.stop()
    },
    stats: () => metrics.snapshot(),
  }
}
