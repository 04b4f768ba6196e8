import type { JsonRpcParams } from '@mcpwire/jsonrpc'
import type { AuthHook } from './auth.js'
import type { ReconnectOptions } from './backoff.js'
import type { HeadersOption, RedirectPolicy, RequestInitOption } from './http-requester.js'
import type { ReissuePolicy } from './reissue-policy.js'
import type { ResumeStream } from './session-resume.js'
import type { Timers } from './timers.js'

/**
 * A JSON-RPC message as the SDK passes it to `send()`: any object with `jsonrpc: '2.0'`. The
 * transport reads `method`, `id` and `params._meta` to choose its headers and track the response,
 * and sends the object as JSON unchanged.
 *
 * @example
 * ```ts
 * const ping: TransportMessage = { jsonrpc: '2.0', id: 1, method: 'ping' }
 * await transport.send(ping)
 * ```
 */
export type TransportMessage = {
  /** Always `'2.0'`. */
  jsonrpc: '2.0'
} & Record<string, unknown>

/**
 * A JSON-RPC 2.0 message as a transport hands it to `onmessage`.
 *
 * The transports only ever deliver messages that `@mcpwire/jsonrpc` parsed and validated (its
 * `JsonRpcMessage`), or error responses they synthesized. This type is deliberately a little wider
 * than that: every optional member also admits `undefined`, as the Zod-inferred `JSONRPCMessage`
 * of the official SDK (v1 and v2) declares it. `onmessage` takes its message as a parameter, so its
 * type must accept every message the SDK's own handler type accepts; with this type the
 * transports are assignable to the SDK's `Transport` without a cast, and without importing the SDK.
 *
 * Narrow it as usual: `'method' in message` for a request or notification, `'result' in message`
 * or `'error' in message` for a response.
 *
 * @example
 * ```ts
 * transport.onmessage = (message) => {
 *   if ('method' in message) console.log('server sent', message.method)
 *   else if ('error' in message) console.log('request', message.id, 'failed:', message.error.message)
 * }
 * ```
 */
export type InboundMessage =
  | InboundRequest
  | InboundNotification
  | InboundResultResponse
  | InboundErrorResponse

/** A request from the server: it expects an answer with the same `id`. */
export interface InboundRequest {
  /** Always `'2.0'`. */
  jsonrpc: '2.0'
  /** Echoed by the response that answers it. */
  id: string | number | null
  /** The method the server calls, e.g. `sampling/createMessage`. */
  method: string
  /** The method's parameters, when it takes any. */
  params?: JsonRpcParams | undefined
}

/** A notification from the server (no `id`, never answered), e.g. `notifications/progress`. */
export interface InboundNotification {
  /** Always `'2.0'`. */
  jsonrpc: '2.0'
  /** The notification's method, e.g. `notifications/message`. */
  method: string
  /** The notification's parameters, when it has any. */
  params?: JsonRpcParams | undefined
}

/** A successful response to a request the client sent. */
export interface InboundResultResponse {
  /** Always `'2.0'`. */
  jsonrpc: '2.0'
  /** The id of the request it answers. */
  id: string | number | null
  /** What the method returned. */
  result: unknown
}

/**
 * A failed response: from the server, or synthesized by the transport (code -32000, `data.reason`)
 * when the stream that owed the response can no longer deliver it.
 */
export interface InboundErrorResponse {
  /** Always `'2.0'`. */
  jsonrpc: '2.0'
  /** The id of the request it answers; `null` or absent when the server could not read it. */
  id?: string | number | null | undefined
  /** What went wrong. */
  error: {
    /** The JSON-RPC error code: -32000 when synthesized by the transport. */
    code: number
    /** A short description of the error. */
    message: string
    /** Details; for a synthesized error `{ reason, retryable }`. */
    data?: unknown
  }
}

/**
 * The `onmessage` callback of the transports: every inbound message, one per microtask turn, in
 * arrival order. `extra` is reserved for the SDK's `MessageExtraInfo` and always `undefined` today.
 */
export type InboundMessageHandler = (message: InboundMessage, extra?: unknown) => void

/**
 * The options of `send()`: those of the SDK v1 and v2 `Transport.send`, all optional. The SDK
 * `Client` fills them in; a direct caller rarely needs any.
 */
export interface TransportSendOptions {
  /** The server request this message answers; accepted for the SDK's sake, not needed on HTTP. */
  relatedRequestId?: string | number | undefined
  /**
   * Resume this request's response stream from this event id instead of POSTing it again (2025
   * era; a token saved from `onresumptiontoken`). Ignored in the stateless era.
   */
  resumptionToken?: string | undefined
  /** Called with each event id committed on this request's response stream, to save for resuming. */
  onresumptiontoken?: ((token: string) => void) | undefined
  /** SDK v2: aborts this request's POST and stream (the 2026-07-28 cancel). */
  requestSignal?: AbortSignal | undefined
  /** SDK v2: called when this request's stream ends without a deliberate abort. */
  onRequestStreamEnd?: (() => void) | undefined
  /** SDK v2: extra headers for this POST (the `Mcp-Param-*` mirrors); reserved names are ignored. */
  headers?: Readonly<Record<string, string>> | undefined
}

/**
 * Which refusals mean "the server forgot the session" (rules R-S3, R-S4), for a request that
 * carried an `Mcp-Session-Id`:
 * - `'default'`: HTTP 404 only, as the spec says;
 * - `'lenient'`: also a 400 whose body mentions "session", as some servers (and the SDK's
 *   examples) answer;
 * - a function: your own test of the status and the response body (up to 64 KiB).
 *
 * @example
 * ```ts
 * const rule: SessionExpiryRule = ({ status, body }) => status === 404 || body.includes('expired')
 * new StreamableHttpClientTransport(url, { sessionRecovery: { isSessionExpired: rule } })
 * ```
 */
export type SessionExpiryRule =
  | 'default'
  | 'lenient'
  | ((context: { status: number; body: string }) => boolean)

/**
 * Options of the HTTP transports; every one is optional.
 *
 * @example
 * ```ts
 * const transport = new StreamableHttpClientTransport('https://example.com/mcp', {
 *   headers: { 'x-tenant': 'acme' },
 *   auth: { token: () => accessToken },
 *   reconnect: { maxElapsedMs: 60_000 },
 * })
 * ```
 */
export interface TransportOptions {
  /** Any Fetch-compatible function (default `globalThis.fetch`). */
  fetch?: typeof fetch
  /** Extra request headers, fixed or per request; the MCP headers cannot be overridden. */
  headers?: HeadersOption
  /** `credentials`, `mode`, `referrerPolicy`, `cache`, `integrity`, applied to every request. */
  requestInit?: RequestInitOption
  /** Bearer token and single-flight re-authentication on 401. */
  auth?: AuthHook
  /** The standalone GET stream: `'auto'` opens it after `notifications/initialized` (default). */
  listen?: 'auto' | 'never'
  /**
   * Backoff of reconnections (resumed streams, and the new stream of a lost legacy HTTP+SSE
   * session); the server's `retry` is a floor under it.
   */
  reconnect?: ReconnectOptions
  /** What to do when the server forgets the session (rule R-S3). */
  sessionRecovery?: {
    /**
     * Replay the client's `initialize` on a new session and retry the refused request, unseen by
     * the client (default `true`). When `false`, or when the restored session expires again at
     * once, the transport reports a `SessionExpiredError` through `onerror` and closes.
     */
    reinitialize?: boolean
    /** Which refusals count as session expiry (default `'default'`: HTTP 404). */
    isSessionExpired?: SessionExpiryRule
  }
  /** `close()` sends DELETE for the session (default `true`). */
  terminateOnClose?: boolean
  /** Longest wait for the DELETE of `close()`, in ms (default 2000). */
  closeTimeoutMs?: number
  /** `'same-origin'` (default) follows 307/308 within the origin only. */
  redirect?: RedirectPolicy
  /** Largest SSE event or JSON body, in bytes (default 16 MiB). */
  maxMessageBytes?: number
  /** Aborts a stream that stays silent this long, in ms, and resumes it; 0 (default) turns it off. */
  idleTimeoutMs?: number
  /** Injectable clock. */
  timers?: Timers
  /** Injectable random source for the jitter, returning [0, 1). */
  random?: () => number
  /**
   * Streamable HTTP: re-attach to a persisted session (from `detach()`). The id is sent on every
   * request but `transport.sessionId` stays `undefined` until a request carrying it succeeds (R-S5).
   */
  sessionId?: string
  /** Streamable HTTP: the protocol version negotiated for the persisted session. */
  protocolVersion?: string
  /** Streamable HTTP: the persisted streams, resumed with their `Last-Event-ID` on the first send. */
  resume?: readonly ResumeStream[]
  /**
   * Streamable HTTP: the params of the persisted session's `initialize`, so a stale session can be
   * re-initialized transparently (R-S3) without the client's handshake.
   */
  initializeParams?: Record<string, unknown>
  /**
   * Streamable HTTP, 2026-07-28 era: a response stream that broke before its response lost the
   * request. `'safe'` (default) re-issues read-only methods under a new id and answers the original
   * id; others get a retryable -32000 error. `'always'` or `'never'`.
   */
  reissue?: ReissuePolicy
  /**
   * On HTTP 403 `insufficient_scope`: `'reauthorize'` (default when `auth` has `onUnauthorized`)
   * calls the auth hook with the required scope and retries; `'throw'` raises at once.
   */
  onInsufficientScope?: 'reauthorize' | 'throw'
  /** Step-up re-authorizations per request on 403 `insufficient_scope` (default 1). */
  maxStepUpRetries?: number
  /**
   * Streamable HTTP: HTTP failures thrown by `send()` also carry the SDK v2 error brand and `data`
   * of its `SdkHttpError`, so the v2 `Client` classifies them as HTTP errors, not network errors
   * (R-F4). Default `false`.
   */
  sdkErrorBrands?: boolean
  /**
   * Streamable HTTP: requests and event streams open at once; more requests wait in a queue
   * (notifications and responses never do). Default 4 in a browser page on plain `http:` (HTTP/1.1
   * allows about six connections per origin), otherwise `Infinity` (R-B2). The listen stream takes
   * only a free slot and gives it back when a request would wait, so even a bound of 1 works.
   */
  maxConcurrentStreams?: number
}

/**
 * Lifecycle states of a transport, reported by the `state` event and `stats().state`:
 * `idle` (created), `connecting` (first request or stream under way), `open`, `reconnecting` (a
 * stream is waiting to resume), `degraded` (the listen stream gave up after its reconnection
 * budget; it is tried again after the next POST), `closing` and `closed`.
 */
export type TransportState =
  | 'idle'
  | 'connecting'
  | 'open'
  | 'reconnecting'
  | 'degraded'
  | 'closing'
  | 'closed'

/**
 * The `detail` of each event a transport dispatches. Listen with `transport.on(type, listener)` or
 * `addEventListener(type, (event) => event.detail)`. These events report what the transport
 * handled by itself; `onerror` is kept for what the application must act on (rule R-E1).
 *
 * @example
 * ```ts
 * transport.on('reconnect', ({ stream, attempt, delayMs }) =>
 *   console.log(`${stream} stream: attempt ${attempt} in ${delayMs} ms`),
 * )
 * ```
 */
export interface TransportEventMap {
  /** The lifecycle state changed. */
  state: {
    /** The state before. */
    from: TransportState
    /** The state now. */
    to: TransportState
  }
  /** The session changed. */
  session: {
    /**
     * `created` (the server assigned an id to `initialize`), `attached` (a persisted session id
     * given as the `sessionId` option worked), `expired` (the server forgot it), `restored`
     * (re-initialized transparently), `terminated` (DELETE sent on close).
     */
    kind: 'created' | 'attached' | 'expired' | 'restored' | 'terminated'
    /** The session concerned: the new one for `created` and `restored`, the old one otherwise. */
    sessionId: string | undefined
  }
  /** A stream dropped and will be reopened after `delayMs`. */
  reconnect: {
    /** `post` for a request's response stream, `get` for the listen stream. */
    stream: 'get' | 'post'
    /** The requests whose responses the stream still owes. */
    requestIds: Array<string | number>
    /** Failed connections since the stream last made progress (0 when it made some before dropping). */
    attempt: number
    /** The wait before reconnecting, in ms: the server's `retry` or the backoff, whichever is larger. */
    delayMs: number
    /** The `Last-Event-ID` the reconnection sends (empty when the stream has none). */
    lastEventId: string
  }
  /** A stream was reopened from its last event id. */
  resumed: {
    /** `post` for a request's response stream, `get` for the listen stream. */
    stream: 'get' | 'post'
    /** The `Last-Event-ID` it was resumed from. */
    lastEventId: string
  }
  /**
   * A stream can no longer deliver: each request it owed has been answered with a JSON-RPC error
   * -32000 (or, for the listen stream, its reconnection budget is spent).
   */
  streamlost: {
    /** `post` for a request's response stream, `get` for the listen stream. */
    stream: 'get' | 'post'
    /** The requests answered with the synthesized error. */
    requestIds: Array<string | number>
    /**
     * Why: e.g. `not-resumable` (ended without an event id), `stream-ended` (stateless era),
     * `resume-refused`, `budget-exhausted`, `refused`, `legacy-stream-lost`.
     */
    reason: string
  }
  /** A replayed event or a second response to the same request was dropped. */
  duplicate: {
    /** The id of the event seen before. */
    eventId?: string
    /** The id of the request answered before. */
    responseId?: string | number
  }
  /** Something odd the transport skipped, such as a message that is not JSON-RPC. */
  warning: {
    /** A stable code, e.g. `invalid-message`, `unknown-event`, `unexpected-content-type`. */
    code: string
    /** A human-readable description. */
    message: string
  }
  /** {@link HttpClientTransport} switched to the legacy HTTP+SSE transport. */
  fallback: {
    /** Always `'streamable-http'`. */
    from: 'streamable-http'
    /** Always `'sse'`. */
    to: 'sse'
    /** The status of the refused `initialize` POST: 400, 404 or 405. */
    status: number
  }
}

/** Counters and gauges of a transport; every gauge is 0 after `close()`. */
export interface TransportStats {
  /** The lifecycle state. */
  state: TransportState
  /** The transport in use. */
  kind: 'streamable-http' | 'sse' | undefined
  /**
   * `session` (Streamable HTTP 2025), `stateless` (2026-07-28) or `legacy` (HTTP+SSE); `undefined`
   * until the protocol version is known.
   */
  era: 'session' | 'stateless' | 'legacy' | undefined
  /** The protocol version set by the client. */
  protocolVersion: string | undefined
  /** The session id, when the server assigned one. */
  sessionId: string | undefined
  /** Gauge: event streams open or reconnecting. */
  openStreams: number
  /** Gauge: requests whose response is still owed. */
  pendingRequests: number
  /** Gauge: timers armed. */
  armedTimers: number
  /** Gauge: fetches in flight (POST, GET, DELETE). */
  inflightFetches: number
  /** Gauge: messages waiting for delivery. */
  queuedMessages: number
  /** Counter: reconnection attempts scheduled. */
  reconnects: number
  /** Counter: streams reopened successfully after a drop. */
  resumes: number
  /** Counter: replayed events and repeated responses dropped. */
  duplicatesDropped: number
  /** Counter: switches from Streamable HTTP to HTTP+SSE. */
  fallbacks: number
  /** Counter: sessions restored after expiry. */
  sessionRestarts: number
  /** Counter: JSON-RPC errors synthesized for requests whose stream was lost. */
  synthesizedErrors: number
}
