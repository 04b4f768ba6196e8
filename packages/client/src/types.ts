import type { AuthHook } from './auth.js'
import type { ReconnectOptions } from './backoff.js'
import type { HeadersOption, RedirectPolicy, RequestInitOption } from './http-requester.js'
import type { ReissuePolicy } from './reissue-policy.js'
import type { ResumeStream } from './session-resume.js'
import type { Timers } from './timers.js'

/** A JSON-RPC message as the SDK passes it to a transport. */
export type TransportMessage = { jsonrpc: '2.0' } & Record<string, unknown>

/** The send options of the SDK v1 and v2 `Transport.send`, all optional. */
export interface TransportSendOptions {
  relatedRequestId?: string | number | undefined
  resumptionToken?: string | undefined
  onresumptiontoken?: ((token: string) => void) | undefined
  /** SDK v2: aborts this request's POST and stream (the 2026-07-28 cancel). */
  requestSignal?: AbortSignal | undefined
  /** SDK v2: called when this request's stream ends without a deliberate abort. */
  onRequestStreamEnd?: (() => void) | undefined
  /** SDK v2: extra headers for this POST (the `Mcp-Param-*` mirrors); reserved names are ignored. */
  headers?: Readonly<Record<string, string>> | undefined
}

/** When session expiry is recognised (rule R-S3, R-S4). */
export type SessionExpiryRule =
  | 'default'
  | 'lenient'
  | ((context: { status: number; body: string }) => boolean)

/** Options of the HTTP transports; every one is optional. */
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
  /** Backoff of reconnections; the server's `retry` is a floor under it. */
  reconnect?: ReconnectOptions
  /** Transparent re-initialization when the server forgets the session (default on). */
  sessionRecovery?: { reinitialize?: boolean; isSessionExpired?: SessionExpiryRule }
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
   * allows about six connections per origin), otherwise `Infinity` (R-B2).
   */
  maxConcurrentStreams?: number
}

/** Lifecycle states of a transport. */
export type TransportState =
  | 'idle'
  | 'connecting'
  | 'open'
  | 'reconnecting'
  | 'degraded'
  | 'closing'
  | 'closed'

/** The `detail` of each event a transport dispatches. */
export interface TransportEventMap {
  state: { from: TransportState; to: TransportState }
  session: {
    kind: 'created' | 'attached' | 'expired' | 'restored' | 'terminated'
    sessionId: string | undefined
  }
  reconnect: {
    stream: 'get' | 'post'
    requestIds: Array<string | number>
    attempt: number
    delayMs: number
    lastEventId: string
  }
  resumed: { stream: 'get' | 'post'; lastEventId: string }
  streamlost: { stream: 'get' | 'post'; requestIds: Array<string | number>; reason: string }
  duplicate: { eventId?: string; responseId?: string | number }
  warning: { code: string; message: string }
  fallback: { from: 'streamable-http'; to: 'sse'; status: number }
}

/** Counters and gauges of a transport; every gauge is 0 after `close()`. */
export interface TransportStats {
  state: TransportState
  kind: 'streamable-http' | 'sse' | undefined
  era: 'session' | 'stateless' | 'legacy' | undefined
  protocolVersion: string | undefined
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
  reconnects: number
  resumes: number
  duplicatesDropped: number
  fallbacks: number
  sessionRestarts: number
  synthesizedErrors: number
}
