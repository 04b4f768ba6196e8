import type { JsonRpcParams } from '@mcpwire/jsonrpc'
import type { AuthHook } from './auth.js'
import type { ReconnectOptions } from './backoff.js'
import type { HeadersOption, RedirectPolicy, RequestInitOption } from './http-requester.js'
import type { Timers } from './timers.js'

/** A JSON-RPC message as the SDK passes it to a transport. */
export type TransportMessage = { jsonrpc: '2.0' } & Record<string, unknown>

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
  error: { code: number; message: string; data?: unknown }
}

/**
 * The `onmessage` callback of the transports: every inbound message, one per microtask turn, in
 * arrival order. `extra` is reserved for the SDK's `MessageExtraInfo` and always `undefined` today.
 */
export type InboundMessageHandler = (message: InboundMessage, extra?: unknown) => void

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
    kind: 'created' | 'expired' | 'restored' | 'terminated'
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
