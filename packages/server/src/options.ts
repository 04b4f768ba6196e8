import type { ClusterOptions } from './cluster/cluster-node.js'
import type { McpLogger } from './logger.js'
import type { ModernHandler } from './modern/modern-handler.js'
import type { BearerAuth } from './security/bearer.js'
import type { CorsOptions } from './security/cors.js'
import type { EventStore } from './session/event-store.js'
import type { McpTransport } from './session/transport.js'
import type { Timers } from './timers.js'

/** Paths of the legacy 2024-11-05 HTTP+SSE transport. */
export interface LegacyOptions {
  /** GET here opens the SSE stream. Default: `/sse`. */
  readonly ssePath?: string
  /** Clients POST messages here (with `?sessionId=`). Default: `/messages`. */
  readonly messagesPath?: string
}

/** What `authenticate` accepts a request as: auth info for `onmessage`, plus the principal. */
export interface AuthInfo {
  /** Who is calling; a session only serves the principal that created it. Default: `clientId`, then `token`. */
  readonly principal?: string
  /** The OAuth client the token was issued to. */
  readonly clientId?: string
  /** The access token the request carried. */
  readonly token?: string
  readonly [key: string]: unknown
}

/**
 * Options of {@link createMcpHandler}. Every option has a safe default.
 *
 * @see https://modelcontextprotocol.io/specification/2025-11-25/basic/transports
 */
export interface McpHandlerOptions {
  /**
   * Serves MCP 2024-11-05 to 2025-11-25 (sessions): called once per new session with its
   * transport, awaited before the first message is delivered. Without it the endpoint is
   * modern-only: GET and DELETE get 405, the HTTP+SSE endpoints are off, and every POST goes to
   * `modern`. At least one of `connect` and `modern` is required.
   */
  readonly connect?: ((transport: McpTransport) => unknown) | undefined
  /**
   * Serves MCP 2026-07-28 and later: requests `classifyEra` finds modern are handed to it, already
   * checked (Host/Origin, `authenticate`, Accept, Content-Type, size) and parsed, and its answer is
   * relayed (see {@link ModernHandler}). Pass the SDK v2's
   * `createMcpHandler(factory, { legacy: 'reject' })`. Without it, a modern request gets 400 with
   * -32000 naming the revisions served, so dual-era clients fall back to `initialize`.
   */
  readonly modern?: ModernHandler | undefined
  /** Most modern requests in flight (open streams included); past it, 503 with Retry-After. Default: 10,000. */
  readonly maxModernInFlight?: number
  /** The Streamable HTTP endpoint. Default: `/mcp`. */
  readonly path?: string
  /** The legacy HTTP+SSE endpoints, or `false` to turn them off. Default: `{ ssePath: '/sse', messagesPath: '/messages' }`. */
  readonly legacy?: LegacyOptions | false
  /** Stores events for resumability. Default: a bounded {@link InMemoryEventStore}; `false` disables resumability. */
  readonly eventStore?: EventStore | false
  /** Accepted `Host` values. Default: loopback only. */
  readonly allowedHosts?: readonly string[]
  /** Accepted `Origin` values. Default: loopback origins only; requests without Origin are accepted. */
  readonly allowedOrigins?: readonly string[]
  /** Checks each request: return auth info to accept, a `Response` to refuse. Default: everyone is accepted, anonymously. */
  readonly authenticate?: (
    request: Request,
  ) => AuthInfo | Response | undefined | Promise<AuthInfo | Response | undefined>
  /**
   * Bearer-token authorization from `bearerAuth(...)`: checks every MCP request (instead of
   * `authenticate`, which must then be unset) and serves the protected-resource metadata at
   * `/.well-known/oauth-protected-resource[/path]`. Default: none.
   */
  readonly auth?: BearerAuth
  /**
   * Lets browser pages on other origins use the endpoints (CORS): preflights are answered before
   * `authenticate`, responses carry `Access-Control-Allow-Origin` and expose `Mcp-Session-Id`.
   * `true` allows every origin `allowedOrigins` accepts; see {@link CorsOptions}. Default: `false`.
   */
  readonly cors?: boolean | CorsOptions
  /** Largest accepted POST body in bytes (413 past it). Default: 4 MiB. */
  readonly maxBodyBytes?: number
  /**
   * Deepest nesting of arrays and objects accepted in a POST body, checked in one pass before the
   * body is parsed; deeper bodies get 400 with -32600. Default: 128.
   */
  readonly maxJsonDepth?: number
  /** Keep-alive comment interval on quiet event streams, in ms; 0 disables. Default: 5000 (under Bun's 10 s idle timeout). */
  readonly keepAliveMs?: number
  /** A session with no request and no open stream for this long is closed; `Infinity` never closes one. Default: 30 minutes. */
  readonly sessionIdleMs?: number
  /**
   * Lets an idle Streamable HTTP session's server go after this many ms with nothing in flight
   * (no request open, no stream connected, no server request unanswered), keeping only what
   * rebuilding it takes: the client's `initialize` request, whether `notifications/initialized`
   * followed, the last `logging/setLevel` and its resource subscriptions (a session with over 256
   * never hibernates). The next request for the session calls `connect`
   * again with a new transport, replays those into it (the answers never reach the client), and
   * goes on; the client sees one unbroken session. The old transport's `onclose` fires when it
   * hibernates. Turn it on only if your server keeps no other per-session state: whatever it held
   * in memory is gone after a wake. If the rebuild fails, the session ends (404, so the client
   * starts over). Default: `Infinity` (never; servers live as long as their session).
   */
  readonly hibernateAfterMs?: number
  /** Most sessions at once; past it, initialize gets 503 with Retry-After. Default: 10,000. */
  readonly maxSessions?: number
  /**
   * Most sessions one principal (see {@link AuthInfo.principal}) may hold at once; past it,
   * initialize gets 429 with Retry-After. Anonymous callers share one principal (`''`), so set it
   * together with `authenticate`. Default: `Infinity`.
   */
  readonly maxSessionsPerPrincipal?: number
  /**
   * A Streamable HTTP session the client has not used since `initialize` (no further POST, GET)
   * is closed after this many ms, however long `sessionIdleMs` is: an `initialize` whose client
   * went away does not hold a session slot for long. Default: 60,000 (1 minute).
   */
  readonly unusedSessionIdleMs?: number
  /** The SSE `retry` hint (ms) sent in priming events. Default: 1000. */
  readonly retryMs?: number
  /** Answer requests with one `application/json` body instead of an SSE stream. Default: false. */
  readonly jsonResponse?: boolean
  /**
   * Bytes of stored events a session keeps for its ended POST streams (besides the newest one);
   * past it the session forgets its oldest ended streams, never another session's. Live streams
   * are bounded by the event store (the default keeps 1 MiB per stream). Default: 4 MiB.
   */
  readonly maxSessionEventBytes?: number
  /** Bytes queued per event stream for a slow client before the overflow policy closes it. Default: 1 MiB. */
  readonly maxStreamBufferBytes?: number
  /**
   * Receives server faults; their text never reaches a client. Default: the `logger`'s `error`
   * when one is set, otherwise `console.error`.
   */
  readonly onerror?: (error: unknown) => void
  /**
   * Receives structured events: sessions created, expired and hibernated, streams closed on
   * overflow, refused requests with their reason. `console` works as is; see {@link McpLogger}.
   * Default: none (only errors are logged, through `onerror`).
   */
  readonly logger?: McpLogger
  /** The clock for idle timeouts and keep-alives. Default: global timers. */
  readonly timers?: Timers
  /**
   * Runs this handler as one instance of a cluster with no sticky sessions (Streamable HTTP
   * sessions, 2025-03-26 to 2025-11-25): sessions, their replay logs and the events of every
   * stream live in the shared backend, and any instance serves any request of any session,
   * rebuilding the session's server from its replay log as a wake from hibernation does. Needs a
   * finite `hibernateAfterMs` (your server keeps no per-session state of its own) and a finite
   * `sessionIdleMs`; `eventStore` must be unset (the backend's is used). Legacy HTTP+SSE sessions
   * stay on the instance holding their stream. See the README's "Cluster mode". Default: none.
   */
  readonly cluster?: ClusterOptions
}

/** {@link McpHandlerOptions} with every default filled in. */
export interface ResolvedOptions {
  /** `connect`, or a function that throws on a modern-only endpoint (never called there). */
  readonly connect: (transport: McpTransport) => unknown
  /** Whether `connect` was given: the legacy eras are served. */
  readonly servesLegacy: boolean
  readonly modern: ModernHandler | undefined
  readonly maxModernInFlight: number
  readonly path: string
  readonly legacy: Required<LegacyOptions> | false
  readonly eventStore: EventStore | undefined
  readonly allowedHosts: readonly string[] | undefined
  readonly allowedOrigins: readonly string[] | undefined
  readonly authenticate: McpHandlerOptions['authenticate']
  readonly auth: BearerAuth | undefined
  readonly maxBodyBytes: number
  readonly maxJsonDepth: number
  readonly keepAliveMs: number
  readonly sessionIdleMs: number
  readonly hibernateAfterMs: number
  readonly maxSessions: number
  readonly maxSessionsPerPrincipal: number
  readonly unusedSessionIdleMs: number
  readonly retryMs: number
  readonly jsonResponse: boolean
  readonly maxStreamBufferBytes: number
  readonly maxSessionEventBytes: number
  readonly onerror: (error: unknown) => void
  readonly timers: Timers
  readonly cluster: ClusterOptions | undefined
}
