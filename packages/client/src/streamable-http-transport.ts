import type { JsonRpcMessage } from '@mcpwire/jsonrpc'
import { parseMessage } from '@mcpwire/jsonrpc'
import { createSseParser, type SseEvent } from '@mcpwire/sse'
import { nextReconnectDelay, type ResolvedReconnect, resolveReconnect } from './backoff.js'
import { CorsSessionDiagnostic } from './cors-session-diagnostic.js'
import { DeliveryQueue } from './delivery-queue.js'
import { McpHttpError, SessionExpiredError, UnauthorizedError } from './errors.js'
import { HttpRequester } from './http-requester.js'
import { discardBody, mediaTypeOf, readTextUpTo } from './media-type.js'
import { standardHeaders } from './modern-headers.js'
import { mayReissue, type ReissuePolicy } from './reissue-policy.js'
import { withSdkErrorBrands } from './sdk-error-brands.js'
import { checkResumeOptions, type ResumeStream, type ResumeToken } from './session-resume.js'
import { defaultMaxConcurrentStreams, type StreamSlot, StreamSlots } from './stream-slots.js'
import { globalTimers, type Timers } from './timers.js'
import { TransportEvents } from './transport-events.js'
import type {
  InboundMessageHandler,
  SessionExpiryRule,
  TransportMessage,
  TransportOptions,
  TransportSendOptions,
  TransportStats,
} from './types.js'

type Id = string | number

/** One event stream: a POST's response stream (with its resumptions) or the listen stream. */
interface Stream {
  readonly kind: 'post' | 'get'
  /** Request ids whose responses this stream owes. */
  readonly owed: Set<Id>
  /** The last committed event id (R-R2). */
  cursor: string
  retryMs: number | undefined
  /** Failed connections since the last progress (R-R4). */
  attempt: number
  /** When the stream last made progress (R-R5). */
  lastProgress: number
  /** Connections opened so far. */
  connections: number
  /** Aborts the stream; the listen stream gets a new one when it gives its slot back (R-B2). */
  controller: AbortController
  readonly onresumptiontoken: ((token: string) => void) | undefined
  readonly onEnd: (() => void) | undefined
  /** Its place under `maxConcurrentStreams`, when there is a bound (R-B2). */
  slot: StreamSlot | undefined
  /** The listen stream gave its slot to a request: reopen without a reconnection delay. */
  yielded: boolean
}

/** A request's slot, handed over to its response stream when it gets one. */
interface SlotHolder {
  readonly slot: StreamSlot
  handedOver: boolean
}

const STATELESS_ERA = '2026-07-28'
const DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024
const ERROR_BODY_LIMIT = 64 * 1024
const REMEMBERED_IDS = 4096
const SESSION_ID = /^[\x21-\x7e]{1,1024}$/
const NOT_OFFERED = new Set([400, 404, 405, 406])
/** How long a response stream that owes nothing more may take to end before it is cancelled. */
const END_GRACE_MS = 10

function metaVersion(message: TransportMessage): string | undefined {
  const params = message.params as { _meta?: Record<string, unknown> } | undefined
  const version = params?._meta?.['io.modelcontextprotocol/protocolVersion']
  return typeof version === 'string' ? version : undefined
}

function isRequestMessage(
  message: TransportMessage,
): message is TransportMessage & { id: Id; method: string } {
  return (
    typeof message.method === 'string' &&
    (typeof message.id === 'string' || typeof message.id === 'number')
  )
}

/** A set that forgets its oldest entries past a bound. */
class BoundedSet<T> {
  readonly #items = new Set<T>()
  readonly #limit: number
  constructor(limit: number) {
    this.#limit = limit
  }
  has(item: T): boolean {
    return this.#items.has(item)
  }
  add(item: T): void {
    this.#items.delete(item)
    this.#items.add(item)
    if (this.#items.size > this.#limit) this.#items.delete(this.#items.values().next().value as T)
  }
  clear(): void {
    this.#items.clear()
  }
}

/**
 * The MCP Streamable HTTP client transport, for every revision from 2025-03-26 (sessions, resumable
 * streams) to 2026-07-28 (stateless: `Mcp-Method`, `Mcp-Name`, `Mcp-Param-*`, the `_meta`
 * envelope). Structurally the `Transport` of the official SDK v1 and v2, so
 * `client.connect(transport)` works with either, and it loses nothing on the way:
 *
 * - messages reach `onmessage` one per microtask turn, in arrival order, so progress sent with its
 *   result is never dropped by the SDK (R-D1);
 * - a request whose stream can no longer answer gets exactly one JSON-RPC error (-32000), at once
 *   (R-D3);
 * - streams resume with `Last-Event-ID` after a server `retry` (a floor under a jittered backoff
 *   with a time budget), replays are de-duplicated (R-R1 to R-R6);
 * - a session the server forgot (404) is re-initialized transparently (R-S3);
 * - a refused listen stream (GET 400/404/405/406) is quiet (R-L2); transients are events, not
 *   `onerror` (R-E1);
 * - `close()` sends DELETE and brings every gauge of `stats()` back to zero (R-S6).
 *
 * @example
 * ```ts
 * import { Client } from '@modelcontextprotocol/sdk/client/index.js'
 * import { StreamableHttpClientTransport } from '@mcpwire/client'
 *
 * const client = new Client({ name: 'app', version: '1.0.0' })
 * await client.connect(new StreamableHttpClientTransport('http://127.0.0.1:3000/mcp'))
 * ```
 * @see https://modelcontextprotocol.io/specification/2025-11-25/basic/transports#streamable-http
 */
export class StreamableHttpClientTransport extends TransportEvents {
  /** Set by the SDK: called once when the transport is finished. */
  onclose: (() => void) | undefined
  /** Set by the SDK: conditions the application must act on (never handled transients). */
  onerror: ((error: Error) => void) | undefined
  /** Set by the SDK: every inbound message, one per microtask turn. */
  onmessage: InboundMessageHandler | undefined
  /** One request per outbound message, honouring `requestSignal` (SDK v2). */
  readonly hasPerRequestStream = true

  readonly #http: HttpRequester
  readonly #timers: Timers
  readonly #random: () => number
  readonly #reconnect: ResolvedReconnect
  readonly #listenMode: 'auto' | 'never'
  readonly #reinitialize: boolean
  readonly #expiryRule: SessionExpiryRule
  readonly #terminateOnClose: boolean
  readonly #closeTimeoutMs: number
  readonly #maxMessageBytes: number
  readonly #idleTimeoutMs: number
  readonly #queue: DeliveryQueue<JsonRpcMessage>
  readonly #reissue: ReissuePolicy
  readonly #cors = new CorsSessionDiagnostic()
  readonly #sdkErrorBrands: boolean
  readonly #slots: StreamSlots

  #sessionId: string | undefined
  /** Whether the server is known to hold `#sessionId`: false for a persisted one until used (R-S5). */
  #sessionConfirmed = false
  /** Persisted streams to resume on the first send (re-attach). */
  #pendingResume: readonly ResumeStream[] | undefined
  /** The listen stream's persisted cursor, used when it is next opened. */
  #listenCursor = ''
  #protocolVersion: string | undefined
  #stateless = false
  #initialize: (TransportMessage & { id: Id; method: string }) | undefined
  #closed = false
  #closing: Promise<void> | undefined
  #listen: Stream | undefined
  #listenState: 'off' | 'open' | 'not-offered' | 'degraded' = 'off'
  readonly #streams = new Set<Stream>()
  readonly #owed = new Map<Id, Stream | undefined>()
  readonly #done = new BoundedSet<Id>(REMEMBERED_IDS)
  readonly #seenEventIds = new BoundedSet<string>(REMEMBERED_IDS)
  readonly #internal = new Map<Id, (message: JsonRpcMessage) => void>()
  readonly #inflight = new Set<AbortController>()
  readonly #postControllers = new Map<Id, AbortController>()
  readonly #timerHandles = new Map<unknown, () => void>()
  #restoring: Promise<void> | undefined
  #reinitCount = 0
  /** 2026-07-28 requests still owed, kept so a lost one can be re-issued (changelog item 9). */
  readonly #sent = new Map<
    Id,
    {
      message: TransportMessage & { id: Id; method: string }
      headers: Readonly<Record<string, string>> | undefined
    }
  >()
  /** Original id to the private id it was re-issued under. */
  readonly #reissued = new Map<Id, Id>()
  #reissueCount = 0
  #counters = {
    reconnects: 0,
    resumes: 0,
    duplicatesDropped: 0,
    fallbacks: 0,
    sessionRestarts: 0,
    synthesizedErrors: 0,
  }

  /**
   * @param url The MCP endpoint.
   * @param options See {@link TransportOptions}.
   */
  constructor(url: string | URL, options: TransportOptions = {}) {
    super()
    this.#http = new HttpRequester(new URL(url), options)
    this.#timers = options.timers ?? globalTimers
    this.#random = options.random ?? Math.random
    this.#reconnect = resolveReconnect(options.reconnect)
    this.#listenMode = options.listen ?? 'auto'
    this.#reinitialize = options.sessionRecovery?.reinitialize ?? true
    this.#expiryRule = options.sessionRecovery?.isSessionExpired ?? 'default'
    this.#terminateOnClose = options.terminateOnClose ?? true
    this.#closeTimeoutMs = options.closeTimeoutMs ?? 2000
    this.#maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES
    this.#idleTimeoutMs = options.idleTimeoutMs ?? 0
    this.#reissue = options.reissue ?? 'safe'
    this.#sdkErrorBrands = options.sdkErrorBrands ?? false
    this.#slots = new StreamSlots(
      options.maxConcurrentStreams ?? defaultMaxConcurrentStreams(this.#http.url),
    )
    if (!(this.#maxMessageBytes > 0))
      throw new RangeError('maxMessageBytes must be a positive number')
    if (!(this.#idleTimeoutMs >= 0)) throw new RangeError('idleTimeoutMs must be a number >= 0')
    checkResumeOptions(options.sessionId, options.protocolVersion, options.resume)
    this.#sessionId = options.sessionId
    this.#pendingResume = options.resume
    if (options.protocolVersion !== undefined) this.setProtocolVersion(options.protocolVersion)
    if (options.initializeParams !== undefined)
      this.#initialize = {
        jsonrpc: '2.0',
        id: 'mcpwire:initialize',
        method: 'initialize',
        params: options.initializeParams,
      }
    this.#queue = new DeliveryQueue(
      (message) => this.#deliver(message),
      (error) => this.#reportError(error),
    )
  }

  /**
   * The session id, once the server assigned one in answer to `initialize`. A persisted id given
   * as the `sessionId` option stays hidden (`undefined`) until a request carrying it succeeded, so
   * an SDK `Client` never skips `initialize` on a session the server may have forgotten (R-S5).
   */
  get sessionId(): string | undefined {
    return this.#sessionConfirmed ? this.#sessionId : undefined
  }

  /** The protocol version in force, as set by the client. */
  get protocolVersion(): string | undefined {
    return this.#protocolVersion
  }

  /** Called by the SDK after initialization; sent as `MCP-Protocol-Version` from then on. */
  setProtocolVersion(version: string): void {
    this.#protocolVersion = version
    this.#stateless = version >= STATELESS_ERA
  }

  /** Does no I/O: the first `send()` decides everything (R-S1). */
  async start(): Promise<void> {
    if (this.#closed) throw new Error('Transport is closed')
  }

  /**
   * Sends one message: POSTs it and returns once the server accepted it (the response arrives
   * through `onmessage`).
   *
   * @throws {McpHttpError} on a status the rules do not handle.
   * @throws {UnauthorizedError} when re-authentication did not help.
   * @throws {SessionExpiredError} when the session could not be restored.
   */
  async send(message: TransportMessage, options: TransportSendOptions = {}): Promise<void> {
    if (!this.#sdkErrorBrands) return this.#send(message, options)
    try {
      await this.#send(message, options)
    } catch (error) {
      throw withSdkErrorBrands(error)
    }
  }

  async #send(message: TransportMessage, options: TransportSendOptions): Promise<void> {
    if (this.#closed) throw new Error('Transport is closed')
    if (isRequestMessage(message)) {
      if (message.method === 'initialize') {
        this.#initialize = message
        this.#stateless = false
        if (!this.#sessionConfirmed) this.#dropPersistedSession()
        if (this.state === 'idle') this.setState('connecting')
      } else {
        const version = metaVersion(message)
        if (version !== undefined && version >= STATELESS_ERA) this.#stateless = true
      }
      if (options.resumptionToken !== undefined && !this.#stateless) {
        await this.#resumeRequest(message.id, options)
        return
      }
      if (this.#stateless && this.#reissue !== 'never')
        this.#sent.set(message.id, { message, headers: options.headers })
    }
    if (this.#pendingResume !== undefined && message.method !== 'initialize' && !this.#stateless)
      this.#resumePersisted()
    await this.#post(message, options, true)
    if (message.method === 'notifications/cancelled' && !isRequestMessage(message)) {
      // 2025 era cancellation: the request's stream is no longer wanted (R-C1).
      const requestId = (message.params as { requestId?: Id } | undefined)?.requestId
      if (requestId !== undefined) this.#abandon(requestId)
    }
  }

  /**
   * Ends the transport: aborts every stream and timer, answers every owed request with an error,
   * sends DELETE for the session (bounded by `closeTimeoutMs`, 405 accepted) and calls `onclose`
   * once.
   */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown(true)
    return this.#closing
  }

  /**
   * Ends the transport like {@link close} but leaves the session alive on the server (no DELETE),
   * and returns what a new transport needs to re-attach to it: the session id, the protocol
   * version, the resumable streams with their last event ids and owed request ids, and the
   * `initialize` params (rule R-S6). Requests still owed here are answered with a retryable
   * -32000 error (`reason: 'transport-detached'`), as on close.
   *
   * @example
   * ```ts
   * const token = await transport.detach()
   * const again = new StreamableHttpClientTransport(url, {
   *   sessionId: token.sessionId,
   *   protocolVersion: token.protocolVersion,
   *   resume: token.streams,
   * })
   * ```
   */
  async detach(): Promise<ResumeToken> {
    const token: ResumeToken = {
      sessionId: this.#closed ? undefined : this.#sessionId,
      protocolVersion: this.#protocolVersion,
      streams: this.#closed ? [] : this.#resumableStreams(),
    }
    const params = this.#initialize?.params
    if (typeof params === 'object' && params !== null)
      token.initializeParams = params as Record<string, unknown>
    this.#closing ??= this.#shutdown(false)
    await this.#closing
    return token
  }

  /** Counters and gauges; every gauge is 0 after `close()`. */
  stats(): TransportStats {
    return {
      state: this.state,
      kind: 'streamable-http',
      era: this.#stateless
        ? 'stateless'
        : this.#protocolVersion === undefined
          ? undefined
          : 'session',
      protocolVersion: this.#protocolVersion,
      sessionId: this.#sessionId,
      openStreams: this.#streams.size,
      pendingRequests: this.#owed.size,
      armedTimers: this.#timerHandles.size,
      inflightFetches: this.#inflight.size,
      queuedMessages: this.#queue.size,
      ...this.#counters,
    }
  }

  /** Terminates the session with DELETE without closing the transport (as the SDK's method). */
  async terminateSession(): Promise<void> {
    await this.#deleteSession()
  }

  // ---- sending -------------------------------------------------------------------------------

  #headers(
    message: TransportMessage | undefined,
    extra?: Readonly<Record<string, string>>,
  ): Record<string, string> {
    const headers: Record<string, string> = {}
    if (extra !== undefined) {
      for (const name in extra) {
        // Only the SEP-2243 mirrors may come from the caller; the MCP headers are the transport's.
        if (name.toLowerCase().startsWith('mcp-param-')) headers[name] = extra[name] as string
      }
    }
    const isInitialize = message?.method === 'initialize'
    const version =
      (message === undefined ? undefined : metaVersion(message)) ?? this.#protocolVersion
    if (version !== undefined && !isInitialize) headers['mcp-protocol-version'] = version
    if (this.#stateless) {
      if (message !== undefined) Object.assign(headers, standardHeaders(message))
    } else if (this.#sessionId !== undefined && !isInitialize) {
      headers['mcp-session-id'] = this.#sessionId
    }
    return headers
  }

  async #fetch(
    method: string,
    headers: Record<string, string>,
    body: string | undefined,
    controller: AbortController,
  ): Promise<Response> {
    this.#inflight.add(controller)
    try {
      return await this.#http.request(method, headers, body, controller.signal)
    } finally {
      this.#inflight.delete(controller)
    }
  }

  /**
   * POSTs a message. Under a `maxConcurrentStreams` bound a request first waits for a slot, which
   * its response stream keeps until it ends; notifications and responses never wait (R-B2).
   */
  async #post(
    message: TransportMessage,
    options: TransportSendOptions,
    mayRecover: boolean,
  ): Promise<void> {
    // The transport's own requests (re-initialization, re-issue) never wait behind the caller's.
    if (!this.#slots.limited || !isRequestMessage(message) || this.#internal.has(message.id))
      return this.#postNow(message, options, mayRecover, undefined)
    const slot = await this.#slots.acquire(options.requestSignal)
    if (slot === undefined) {
      this.#sent.delete(message.id)
      if (this.#closed) throw new Error('Transport is closed')
      return // The caller gave up while it waited: nothing was sent, nothing is owed (R-C2).
    }
    const holder: SlotHolder = { slot, handedOver: false }
    try {
      await this.#postNow(message, options, mayRecover, holder)
    } finally {
      if (!holder.handedOver) slot.release()
    }
  }

  async #postNow(
    message: TransportMessage,
    options: TransportSendOptions,
    mayRecover: boolean,
    holder: SlotHolder | undefined,
  ): Promise<void> {
    const isRequest = isRequestMessage(message)
    const id = isRequest ? message.id : undefined
    const controller = new AbortController()
    const signal = options.requestSignal
    let onAbort: (() => void) | undefined
    if (id !== undefined) {
      this.#owed.set(id, undefined)
      this.#postControllers.set(id, controller)
      if (signal !== undefined) {
        // R-C2: the caller's abort is the cancel; no synthesized error, no onerror, no reconnect.
        onAbort = () => this.#abandon(id)
        if (signal.aborted) onAbort()
        else signal.addEventListener('abort', onAbort, { once: true })
      }
    }
    const headers = this.#headers(message, options.headers)
    headers.accept = 'application/json, text/event-stream'
    headers['content-type'] = 'application/json'
    const carriedSession = headers['mcp-session-id']
    const cleanup = (keepSignal = false) => {
      if (id !== undefined && this.#postControllers.get(id) === controller)
        this.#postControllers.delete(id)
      if (onAbort !== undefined && !keepSignal) signal?.removeEventListener('abort', onAbort)
    }
    let response: Response
    try {
      response = await this.#fetch('POST', headers, JSON.stringify(message), controller)
    } catch (error) {
      cleanup()
      if (id !== undefined) this.#forget(id)
      if (controller.signal.aborted) return
      throw error
    }
    if (controller.signal.aborted) {
      cleanup()
      discardBody(response)
      return
    }
    const status = response.status
    if (status >= 200 && status < 300 && message.method === 'initialize') {
      this.#cors.initialized(response)
      const sessionId = response.headers.get('mcp-session-id')
      if (sessionId !== null) {
        if (!SESSION_ID.test(sessionId)) {
          cleanup()
          discardBody(response)
          if (id !== undefined) this.#forget(id)
          throw new McpHttpError('The server sent an invalid Mcp-Session-Id', {
            status,
            method: 'POST',
            url: this.#http.url.href,
          })
        }
        this.#sessionId = sessionId
        this.#sessionConfirmed = true
        this.emit('session', { kind: 'created', sessionId })
      }
      this.setState('open')
    }
    if (status < 200 || status > 299) {
      cleanup()
      await this.#refused(message, response, carriedSession, mayRecover, options, holder)
      return
    }
    if (carriedSession !== undefined) this.#confirmSession(carriedSession)
    if (this.#listenState === 'degraded' && this.state !== 'closing') this.#openListen()
    const type = mediaTypeOf(response)
    if (id === undefined) {
      cleanup()
      discardBody(response)
      if (message.method === 'notifications/initialized') this.#openListen()
      return
    }
    if (status === 202 || status === 204 || response.body === null) {
      cleanup()
      discardBody(response)
      // The response will come on the listen stream, if there is one (R-L3).
      if (this.#listen !== undefined && this.#listenState === 'open') {
        this.#owed.set(id, this.#listen)
        this.#listen.owed.add(id)
      } else {
        this.#fail([id], 'accepted-without-stream', true)
      }
      return
    }
    if (type === 'text/event-stream') {
      const stream = this.#newStream('post', '', options)
      if (holder !== undefined) {
        holder.handedOver = true
        stream.slot = holder.slot
      }
      stream.owed.add(id)
      this.#owed.set(id, stream)
      // The POST's controller now belongs to the stream: aborting the request aborts its stream.
      controller.signal.addEventListener('abort', () => stream.controller.abort(), { once: true })
      // The caller's signal keeps governing the request while its stream is read.
      cleanup(true)
      this.#postControllers.set(id, stream.controller)
      void this.#runStream(stream, response)
      return
    }
    if (type === 'application/json') {
      const text = await readTextUpTo(response, this.#maxMessageBytes)
      cleanup()
      this.#acceptBody(text, undefined)
      if (this.#owed.has(id) && this.#owed.get(id) === undefined)
        this.#fail([id], 'response-missing', false)
      return
    }
    cleanup()
    discardBody(response)
    this.emit('warning', {
      code: 'unexpected-content-type',
      message: `Unexpected Content-Type "${type}"`,
    })
    this.#fail([id], 'unexpected-content-type', false)
  }

  /** A non-2xx answer to a POST: session expiry, in-band JSON-RPC error, or a typed error. */
  async #refused(
    message: TransportMessage,
    response: Response,
    carriedSession: string | undefined,
    mayRecover: boolean,
    options: TransportSendOptions,
    holder: SlotHolder | undefined,
  ): Promise<void> {
    const id = isRequestMessage(message) ? message.id : undefined
    const status = response.status
    const body = await readTextUpTo(response, ERROR_BODY_LIMIT)
    if (carriedSession !== undefined && this.#isSessionExpired(status, body)) {
      if (id !== undefined) this.#forget(id)
      if (
        !mayRecover ||
        !this.#reinitialize ||
        this.#initialize === undefined ||
        this.#internal.has(id ?? '')
      ) {
        const error = new SessionExpiredError(
          'The server no longer knows the session',
          carriedSession,
        )
        if (!this.#internal.has(id ?? '')) {
          // Recovery off, or a second expiry right after a restore: the transport is finished.
          this.emit('session', { kind: 'expired', sessionId: carriedSession })
          this.#reportError(error)
          void this.close()
        }
        throw error
      }
      await this.#restoreSession(carriedSession)
      // The retry keeps the slot the request already holds.
      await this.#postNow(message, options, false, holder)
      return
    }
    let rpcError: { code: number; message: string; data?: unknown } | undefined
    let rpcId: unknown
    try {
      const parsed = JSON.parse(body) as { id?: unknown; error?: typeof rpcError }
      if (typeof parsed === 'object' && parsed !== null && typeof parsed.error?.code === 'number') {
        rpcError = parsed.error
        rpcId = parsed.id
      }
    } catch {}
    const hiddenSession = this.#cors.explain(status)
    if (
      hiddenSession === undefined &&
      id !== undefined &&
      rpcError !== undefined &&
      rpcId === id &&
      !this.#fallbackProbe(message)
    ) {
      // A JSON-RPC error for this very request: the client handles it in-band (R-D2), which is how
      // SDK v2 makes its -32022 corrective retry.
      this.#accept({ jsonrpc: '2.0', id, error: rpcError }, undefined)
      return
    }
    if (id !== undefined) this.#forget(id)
    const init: ConstructorParameters<typeof McpHttpError>[1] = {
      status,
      statusText: response.statusText,
      method: 'POST',
      url: this.#http.url.href,
      bodyText: body.slice(0, 4096),
    }
    if (rpcError !== undefined) init.rpcError = rpcError
    throw new McpHttpError(
      hiddenSession ??
        `Error POSTing to endpoint (HTTP ${status})${rpcError === undefined ? '' : `: ${rpcError.message}`}`,
      init,
    )
  }

  /** Whether an `initialize` is being probed by {@link HttpClientTransport} (errors thrown, not in-band). */
  #fallbackProbe(message: TransportMessage): boolean {
    return message.method === 'initialize' && this.probing
  }

  /** Set by `HttpClientTransport` while it probes: `initialize` refusals are thrown, not delivered. */
  probing = false

  #isSessionExpired(status: number, body: string): boolean {
    const rule = this.#expiryRule
    if (typeof rule === 'function') return rule({ status, body })
    if (status === 404) return true
    return rule === 'lenient' && status === 400 && /session/i.test(body)
  }

  /** Replays the captured handshake under a private id, single-flight across expiries (R-S3). */
  #restoreSession(expired: string): Promise<void> {
    if (this.#sessionId !== expired && this.#restoring === undefined) return Promise.resolve()
    this.#restoring ??= (async () => {
      this.#sessionId = undefined
      this.emit('session', { kind: 'expired', sessionId: expired })
      // The old session's streams can no longer answer: their results are unknowable.
      for (const stream of [...this.#streams]) {
        this.#fail([...stream.owed], 'session-expired', true)
        stream.controller.abort()
        this.#streams.delete(stream)
      }
      this.#listen = undefined
      this.#listenState = 'off'
      this.#seenEventIds.clear()
      const init = this.#initialize
      if (init === undefined)
        throw new SessionExpiredError('The session expired before initialization', expired)
      const id = `mcpwire:reinit:${++this.#reinitCount}`
      const answer = await this.#internalRequest({ ...init, id })
      const version = (answer as { result?: { protocolVersion?: unknown } }).result?.protocolVersion
      if (
        'error' in answer ||
        (this.#protocolVersion !== undefined && version !== this.#protocolVersion)
      ) {
        const error = new SessionExpiredError(
          'The session expired and could not be restored',
          expired,
        )
        this.#reportError(error)
        void this.close()
        throw error
      }
      await this.#post({ jsonrpc: '2.0', method: 'notifications/initialized' }, {}, false)
      this.#counters.sessionRestarts++
      this.emit('session', { kind: 'restored', sessionId: this.#sessionId })
    })().finally(() => {
      this.#restoring = undefined
    })
    return this.#restoring
  }

  async #internalRequest(
    message: TransportMessage & { id: Id; method: string },
    options: TransportSendOptions = {},
  ): Promise<JsonRpcMessage> {
    const answer = new Promise<JsonRpcMessage>((resolve) => this.#internal.set(message.id, resolve))
    try {
      await this.#post(message, options, false)
      return await answer
    } finally {
      this.#internal.delete(message.id)
    }
  }

  /** A persisted session id just worked: expose it to the client from now on (R-S5). */
  #confirmSession(carried: string): void {
    if (this.#sessionConfirmed || carried !== this.#sessionId) return
    this.#sessionConfirmed = true
    this.emit('session', { kind: 'attached', sessionId: carried })
    if (this.state === 'idle' || this.state === 'connecting') this.setState('open')
    if (!this.#stateless) this.#openListen()
  }

  /** The client runs its own handshake: the persisted session and streams are not used. */
  #dropPersistedSession(): void {
    this.#sessionId = undefined
    this.#pendingResume = undefined
    this.#listenCursor = ''
  }

  /** Resumes the persisted streams with their `Last-Event-ID` (re-attach), once. */
  #resumePersisted(): void {
    const streams = this.#pendingResume ?? []
    this.#pendingResume = undefined
    for (const entry of streams) {
      if (entry.requestIds.length === 0) {
        this.#listenCursor = entry.lastEventId
        continue
      }
      const stream = this.#newStream('post', entry.lastEventId, {})
      for (const id of entry.requestIds) {
        stream.owed.add(id)
        this.#owed.set(id, stream)
      }
      // Reconnects at once with the stream's cursor: its connection ended with the old transport.
      void this.#runStream(stream, undefined)
    }
  }

  /** The streams a new transport can resume: those that committed an event id. */
  #resumableStreams(): ResumeStream[] {
    const streams: ResumeStream[] = []
    for (const stream of this.#streams) {
      if (stream.cursor === '' || stream.cursor === '\0') continue
      if (stream.kind === 'post' && stream.owed.size === 0) continue
      streams.push({ lastEventId: stream.cursor, requestIds: [...stream.owed] })
    }
    for (const entry of this.#pendingResume ?? []) streams.push({ ...entry })
    if (this.#listen === undefined && this.#listenCursor !== '')
      streams.push({ lastEventId: this.#listenCursor, requestIds: [] })
    return streams
  }

  /**
   * Re-issues a 2026-07-28 request whose stream broke before its response, under a private id,
   * and answers the original id with whatever the new request gets (changelog item 9). Returns
   * false when the policy does not allow it (the caller then synthesizes a retryable error).
   */
  #reissueLost(id: Id, stream: Stream): boolean {
    const sent = this.#sent.get(id)
    if (
      sent === undefined ||
      this.#internal.has(id) ||
      this.#closed ||
      !mayReissue(this.#reissue, sent.message.method)
    )
      return false
    stream.owed.delete(id)
    this.#owed.set(id, undefined)
    const newId = `mcpwire:reissue:${++this.#reissueCount}`
    this.#reissued.set(id, newId)
    const options: TransportSendOptions =
      sent.headers === undefined ? {} : { headers: sent.headers }
    this.#internalRequest({ ...sent.message, id: newId }, options).then(
      (answer) => {
        this.#reissued.delete(id)
        // Settled meanwhile (closed, abandoned): the answer goes nowhere, never twice.
        if (this.#owed.has(id)) this.#accept({ ...answer, id } as JsonRpcMessage, undefined)
      },
      () => {
        this.#reissued.delete(id)
        this.#fail([id], 'reissue-failed', true)
      },
    )
    return true
  }

  /** Forgets a request that will get no response through a stream (its send() throws instead). */
  #forget(id: Id): void {
    this.#owed.delete(id)
    this.#sent.delete(id)
  }

  /** Forgets a request the caller gave up on: aborts its stream, synthesizes nothing. */
  #abandon(id: Id): void {
    this.#sent.delete(id)
    const reissued = this.#reissued.get(id)
    if (reissued !== undefined) {
      this.#abandon(reissued)
      this.#internal.get(reissued)?.({
        jsonrpc: '2.0',
        id: reissued,
        error: { code: -32000, message: 'Connection closed', data: { reason: 'cancelled' } },
      })
    }
    const stream = this.#owed.get(id)
    this.#owed.delete(id)
    this.#done.add(id)
    this.#postControllers.get(id)?.abort()
    this.#postControllers.delete(id)
    if (stream !== undefined) {
      stream.owed.delete(id)
      if (stream.kind === 'post' && stream.owed.size === 0) stream.controller.abort()
    }
  }

  // ---- streams -------------------------------------------------------------------------------

  #newStream(kind: 'post' | 'get', cursor: string, options: TransportSendOptions): Stream {
    const stream: Stream = {
      kind,
      owed: new Set(),
      cursor,
      retryMs: undefined,
      attempt: 0,
      lastProgress: this.#timers.now(),
      connections: 0,
      controller: new AbortController(),
      onresumptiontoken: options.onresumptiontoken,
      onEnd: options.onRequestStreamEnd,
      slot: undefined,
      yielded: false,
    }
    this.#streams.add(stream)
    return stream
  }

  #openListen(): void {
    if (
      this.#listenMode === 'never' ||
      this.#stateless ||
      this.#closed ||
      this.#listen !== undefined
    )
      return
    if (this.#listenState === 'not-offered') return
    const stream = this.#newStream('get', this.#listenCursor, {})
    this.#listenCursor = ''
    this.#listen = stream
    this.#listenState = 'open'
    void this.#runStream(stream, undefined)
  }

  /** Resumes a request's stream from a resumption token (SDK `send(..., {resumptionToken})`). */
  async #resumeRequest(id: Id, options: TransportSendOptions): Promise<void> {
    const stream = this.#newStream('post', options.resumptionToken ?? '', options)
    stream.owed.add(id)
    this.#owed.set(id, stream)
    stream.connections = 1
    void this.#runStream(stream, undefined)
  }

  /** Reads a stream, resuming it while it owes responses (R-R1) or while it is the listen stream. */
  async #runStream(stream: Stream, first: Response | undefined): Promise<void> {
    let response = first
    let reason = 'stream-ended'
    try {
      if (first === undefined && stream.kind === 'post' && this.#slots.limited) {
        // A resumed request stream (a GET) holds a connection too: it waits its turn (R-B2).
        stream.slot = await this.#slots.acquire(stream.controller.signal)
        if (stream.slot === undefined) return
      }
      for (;;) {
        if (response === undefined) {
          const next = await this.#connect(stream)
          if (typeof next === 'string') {
            reason = next
            break
          }
          response = next
        }
        stream.connections++
        await this.#read(stream, response)
        response = undefined
        if (this.#closed || stream.controller.signal.aborted) return
        if (stream.kind === 'post' && stream.owed.size === 0) return
        if (this.#stateless) {
          reason = 'stream-ended'
          break
        }
        if (stream.kind === 'post' && stream.cursor === '') {
          reason = 'not-resumable'
          break
        }
      }
      // The stream can no longer answer: every owed request gets its error now (R-D3).
      if (stream.owed.size > 0) {
        const ids = [...stream.owed]
        this.emit('streamlost', { stream: stream.kind, requestIds: ids, reason })
        const lost = this.#stateless ? ids.filter((id) => this.#reissueLost(id, stream)) : []
        this.#fail(
          ids.filter((id) => !lost.includes(id)),
          reason,
          reason !== 'resume-refused',
        )
      }
      if (stream.kind === 'get' && reason === 'budget-exhausted') {
        this.#listenState = 'degraded'
        this.emit('streamlost', { stream: 'get', requestIds: [], reason })
        this.setState('degraded')
      }
    } finally {
      stream.slot?.release()
      this.#streams.delete(stream)
      if (this.#listen === stream) this.#listen = undefined
      stream.onEnd?.()
    }
  }

  /**
   * Opens (or reopens) a stream with GET, with `Last-Event-ID` when it has a cursor, waiting the
   * reconnection delay first. Returns the response, or why it gave up.
   */
  async #connect(stream: Stream): Promise<Response | string> {
    // Under a bound the listen stream holds a slot only while connected, and only one that no
    // request wants: it gives the slot back when a request would wait, then reopens (R-B2).
    const lazy = stream.kind === 'get' && this.#slots.limited
    for (;;) {
      if (this.#closed || stream.controller.signal.aborted) return 'closed'
      if (lazy) {
        stream.slot?.release()
        stream.slot = undefined
      }
      if (stream.connections > 0 && !stream.yielded) {
        const delayMs = nextReconnectDelay(
          this.#reconnect,
          stream.attempt,
          stream.retryMs,
          this.#timers.now() - stream.lastProgress,
          this.#random(),
        )
        if (delayMs === undefined) return 'budget-exhausted'
        this.#counters.reconnects++
        this.emit('reconnect', {
          stream: stream.kind,
          requestIds: [...stream.owed],
          attempt: stream.attempt,
          delayMs,
          lastEventId: stream.cursor,
        })
        if (this.state === 'open') this.setState('reconnecting')
        await this.#sleep(delayMs)
        if (this.#closed || stream.controller.signal.aborted) return 'closed'
      }
      if (lazy) {
        stream.yielded = false
        stream.slot = await this.#slots.acquireSpare(stream.controller.signal, () =>
          this.#yieldListen(stream),
        )
        if (stream.slot === undefined) return 'closed'
      }
      const headers = this.#headers(undefined)
      headers.accept = 'text/event-stream'
      if (stream.cursor !== '') headers['last-event-id'] = stream.cursor
      let response: Response
      try {
        response = await this.#fetch('GET', headers, undefined, stream.controller)
      } catch (error) {
        if (this.#closed || stream.controller.signal.aborted) return 'closed'
        if (stream.yielded) continue
        if (error instanceof UnauthorizedError || error instanceof McpHttpError) {
          this.#reportError(error)
          return 'refused'
        }
        stream.attempt++
        stream.connections = Math.max(stream.connections, 1)
        continue
      }
      const status = response.status
      if (stream.yielded) {
        discardBody(response)
        continue
      }
      if (response.ok && mediaTypeOf(response) === 'text/event-stream' && response.body !== null) {
        const carried = headers['mcp-session-id']
        if (carried !== undefined) this.#confirmSession(carried)
        if (stream.connections > 0) {
          this.#counters.resumes++
          this.emit('resumed', { stream: stream.kind, lastEventId: stream.cursor })
        }
        if (this.state === 'reconnecting' || this.state === 'degraded') this.setState('open')
        return response
      }
      discardBody(response)
      if (status === 409 || status === 429 || status >= 500 || response.ok) {
        // The server still holds the old connection, or is busy: try again later (R-R6).
        stream.attempt++
        stream.connections = Math.max(stream.connections, 1)
        continue
      }
      if (stream.kind === 'get' && NOT_OFFERED.has(status) && stream.cursor === '') {
        // No listen stream on this server: quiet, and not retried in this session (R-L2).
        this.#listenState = 'not-offered'
        return 'not-offered'
      }
      return 'resume-refused'
    }
  }

  /** Closes the listen stream's connection so a waiting request gets its slot; it reopens later. */
  #yieldListen(stream: Stream): void {
    // A response owed here with no event id to resume from could never arrive (R-D3).
    if (stream.cursor === '') this.#fail([...stream.owed], 'listen-yielded', true)
    const connection = stream.controller
    stream.controller = new AbortController()
    stream.yielded = true
    connection.abort()
  }

  /** Reads one connection of a stream to its end; never throws. */
  async #read(stream: Stream, response: Response): Promise<void> {
    const body = response.body
    if (body === null) return
    const reader = body.getReader()
    // Also for a fetch whose body ignores the abort signal.
    const cancel = () => {
      reader.cancel().catch(() => {})
    }
    stream.controller.signal.addEventListener('abort', cancel, { once: true })
    // An event whose id equals the last one's had no id field and is not a new event id. On a
    // resumed connection the first event is always checked against the ids already seen (NUL can
    // never be an id), so a server replaying the event at Last-Event-ID is de-duplicated.
    let connectionId = stream.cursor === '' ? '' : '\0'
    const parser = createSseParser({
      initialLastEventId: stream.cursor,
      maxBufferSize: this.#maxMessageBytes,
      onRetry: (ms) => {
        stream.retryMs = ms
      },
      onEvent: (event) => {
        const isNew = event.lastEventId !== connectionId
        connectionId = event.lastEventId
        this.#onEvent(stream, event, isNew)
      },
      onError: (error) => {
        if (error.type === 'max-buffer-size-exceeded') {
          this.emit('warning', { code: error.type, message: error.message })
        }
      },
    })
    let idle: unknown
    const armIdle = () => {
      if (this.#idleTimeoutMs === 0) return
      if (idle !== undefined) this.#clearTimer(idle)
      idle = this.#setTimer(() => {
        idle = undefined
        reader.cancel().catch(() => {})
      }, this.#idleTimeoutMs)
    }
    let ending = false
    try {
      armIdle()
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        if (ending) {
          cancel()
          break
        }
        armIdle()
        parser.feed(value)
        if (stream.kind === 'post' && stream.owed.size === 0) {
          // Nothing more is owed. The body usually ends a moment later (undici closes it a tick
          // after the last chunk): read on for that end rather than abort an answered fetch, and
          // cancel a body that goes on, or stays open past the grace.
          ending = true
          if (idle !== undefined) this.#clearTimer(idle)
          idle = this.#setTimer(cancel, END_GRACE_MS)
        }
      }
    } catch {
      // A drop mid-body (terminated, network error, abort) is a resumable end (R-R6).
    } finally {
      stream.controller.signal.removeEventListener('abort', cancel)
      if (idle !== undefined) this.#clearTimer(idle)
      parser.end()
    }
  }

  #onEvent(stream: Stream, event: SseEvent, isNewId: boolean): void {
    const id = event.lastEventId
    if (isNewId) {
      if (id !== '' && this.#seenEventIds.has(id)) {
        // A replayed event already delivered (R-D5).
        stream.cursor = id
        this.#counters.duplicatesDropped++
        this.emit('duplicate', { eventId: id })
        return
      }
      if (id !== '') this.#seenEventIds.add(id)
      stream.cursor = id
      if (id !== '') {
        stream.attempt = 0
        stream.lastProgress = this.#timers.now()
        stream.onresumptiontoken?.(id)
      }
    }
    if (event.data === '') return
    if (event.type !== 'message') {
      this.emit('warning', {
        code: 'unknown-event',
        message: `Ignored an SSE event of type "${event.type}"`,
      })
      return
    }
    stream.attempt = 0
    stream.lastProgress = this.#timers.now()
    this.#acceptBody(event.data, stream)
  }

  #acceptBody(text: string, stream: Stream | undefined): void {
    const parsed = parseMessage(text, { maxBytes: this.#maxMessageBytes })
    if (!parsed.ok) {
      this.emit('warning', {
        code: 'invalid-message',
        message: `Ignored an invalid message: ${parsed.error.error.message}`,
      })
      return
    }
    if (!parsed.batch) {
      this.#accept(parsed.message, stream)
      return
    }
    for (const item of parsed.items) {
      if (item.ok) this.#accept(item.message, stream)
    }
  }

  /** Books a message as received and queues it for delivery; drops late or repeated responses. */
  #accept(message: JsonRpcMessage, stream: Stream | undefined): void {
    if (!('method' in message) && message.id !== null) {
      const id = message.id
      if (this.#owed.has(id)) {
        const owner = this.#owed.get(id)
        this.#owed.delete(id)
        this.#sent.delete(id)
        owner?.owed.delete(id)
        stream?.owed.delete(id)
        this.#done.add(id)
      } else if (this.#done.has(id)) {
        this.#counters.duplicatesDropped++
        this.emit('duplicate', { responseId: id })
        return
      }
    }
    this.#queue.push(message)
  }

  #deliver(message: JsonRpcMessage): void {
    if (!('method' in message) && message.id !== null) {
      const internal = this.#internal.get(message.id)
      if (internal !== undefined) {
        internal(message)
        return
      }
    }
    this.onmessage?.(message)
  }

  /** Answers each still-owed id with exactly one -32000 error (R-D3). */
  #fail(ids: Id[], reason: string, retryable: boolean): void {
    for (const id of ids) {
      if (!this.#owed.has(id)) continue
      const owner = this.#owed.get(id)
      this.#owed.delete(id)
      this.#sent.delete(id)
      owner?.owed.delete(id)
      this.#done.add(id)
      this.#counters.synthesizedErrors++
      this.#queue.push({
        jsonrpc: '2.0',
        id,
        error: { code: -32000, message: 'Connection closed', data: { reason, retryable } },
      })
    }
  }

  // ---- timers, errors, shutdown ----------------------------------------------------------------

  #setTimer(callback: () => void, ms: number): unknown {
    const handle = this.#timers.setTimeout(() => {
      this.#timerHandles.delete(handle)
      callback()
    }, ms)
    this.#timerHandles.set(handle, callback)
    return handle
  }

  #clearTimer(handle: unknown): void {
    if (this.#timerHandles.delete(handle)) this.#timers.clearTimeout(handle)
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.#setTimer(resolve, ms)
    })
  }

  #reportError(error: unknown): void {
    this.onerror?.(error instanceof Error ? error : new Error(String(error)))
  }

  async #deleteSession(): Promise<void> {
    const sessionId = this.#sessionId
    if (sessionId === undefined || this.#stateless) return
    const controller = new AbortController()
    const timer = this.#setTimer(() => controller.abort(), this.#closeTimeoutMs)
    try {
      const response = await this.#fetch('DELETE', this.#headers(undefined), undefined, controller)
      discardBody(response)
      if (response.ok || response.status === 405 || response.status === 404) {
        this.#sessionId = undefined
        this.emit('session', { kind: 'terminated', sessionId })
      }
    } catch {
      // Best effort: the server expires the session anyway.
    } finally {
      this.#clearTimer(timer)
    }
  }

  async #shutdown(terminate: boolean): Promise<void> {
    if (this.#closed) return
    this.setState('closing')
    this.#closed = true
    for (const [handle, callback] of this.#timerHandles) {
      this.#timers.clearTimeout(handle)
      // A sleeping reconnection wakes up, sees the transport closed and ends.
      callback()
    }
    this.#timerHandles.clear()
    this.#slots.close()
    for (const stream of this.#streams) stream.controller.abort()
    for (const controller of this.#inflight) controller.abort()
    if (terminate) this.#fail([...this.#owed.keys()], 'transport-closed', false)
    else this.#fail([...this.#owed.keys()], 'transport-detached', true)
    await this.#queue.idle()
    if (terminate && this.#terminateOnClose) await this.#deleteSession()
    this.#sessionId = undefined
    this.#streams.clear()
    this.#listen = undefined
    this.#postControllers.clear()
    this.#sent.clear()
    this.#reissued.clear()
    this.setState('closed')
    this.onclose?.()
  }
}
