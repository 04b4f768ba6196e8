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
  /** Called once per new session with its transport; awaited before the first message is delivered. */
  readonly connect: (transport: McpTransport) => unknown
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
  /** Largest accepted POST body in bytes (413 past it). Default: 4 MiB. */
  readonly maxBodyBytes?: number
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
  /** The SSE `retry` hint (ms) sent in priming events. Default: 1000. */
  readonly retryMs?: number
  /** Answer requests with one `application/json` body instead of an SSE stream. Default: false. */
  readonly jsonResponse?: boolean
  /** Bytes queued per event stream for a slow client before the overflow policy closes it. Default: 1 MiB. */
  readonly maxStreamBufferBytes?: number
  /** Receives server faults; their text never reaches a client. Default: `console.error`. */
  readonly onerror?: (error: unknown) => void
  /** The clock for idle timeouts and keep-alives. Default: global timers. */
  readonly timers?: Timers
}

/** {@link McpHandlerOptions} with every default filled in. */
export interface ResolvedOptions {
  readonly connect: (transport: McpTransport) => unknown
  readonly path: string
  readonly legacy: Required<LegacyOptions> | false
  readonly eventStore: EventStore | undefined
  readonly allowedHosts: readonly string[] | undefined
  readonly allowedOrigins: readonly string[] | undefined
  readonly authenticate: McpHandlerOptions['authenticate']
  readonly maxBodyBytes: number
  readonly keepAliveMs: number
  readonly sessionIdleMs: number
  readonly hibernateAfterMs: number
  readonly maxSessions: number
  readonly retryMs: number
  readonly jsonResponse: boolean
  readonly maxStreamBufferBytes: number
  readonly onerror: (error: unknown) => void
  readonly timers: Timers
}
