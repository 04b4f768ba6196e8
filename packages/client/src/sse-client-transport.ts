import type { JsonRpcMessage } from '@mcpwire/jsonrpc'
import { parseMessage } from '@mcpwire/jsonrpc'
import { createSseParser } from '@mcpwire/sse'
import { nextReconnectDelay, type ResolvedReconnect, resolveReconnect } from './backoff.js'
import { DeliveryQueue } from './delivery-queue.js'
import { McpHttpError, SessionExpiredError } from './errors.js'
import { HttpRequester } from './http-requester.js'
import { discardBody, mediaTypeOf, readTextUpTo } from './media-type.js'
import { globalTimers, type Timers } from './timers.js'
import { TransportEvents } from './transport-events.js'
import type {
  InboundMessageHandler,
  TransportMessage,
  TransportOptions,
  TransportStats,
} from './types.js'

type Id = string | number

/** Options of {@link SseClientTransport}. */
export interface SseTransportOptions extends TransportOptions {
  /**
   * Longest wait for the `endpoint` event, in ms (default 10 000); also bounds the wait for the
   * answer to a replayed `initialize` when a dropped session is restored.
   */
  endpointTimeoutMs?: number
}

const DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024

/** What an internal request gets when the stream that would answer it is gone. */
const STREAM_LOST_ANSWER: JsonRpcMessage = {
  jsonrpc: '2.0',
  id: null,
  error: { code: -32000, message: 'Connection closed' },
}

/**
 * The legacy HTTP+SSE client transport (MCP 2024-11-05): one GET event stream whose first event
 * names the endpoint to POST to. Structurally the SDK `Transport`.
 *
 * The session lives as long as the stream (rule R-X3): when it drops, every request still owed
 * gets exactly one JSON-RPC error (-32000, `data.reason: 'legacy-stream-lost'`) at once. Then,
 * when the handshake was complete and `sessionRecovery.reinitialize` is on (the default), the
 * transport opens a new stream (retried with the `reconnect` backoff, jitter and time budget of a
 * Streamable HTTP resume) and replays the captured `initialize` (under a private id) and
 * `notifications/initialized` on its new endpoint, invisibly to the Client, and emits `session`
 * `expired` then `restored`; messages sent meanwhile wait for it. Otherwise, or when the restore
 * fails (`onerror` gets a {@link SessionExpiredError}), it closes with `onclose`. It never joins
 * a new session silently. The endpoint must be on the stream's origin (R-X1).
 *
 * @example
 * ```ts
 * const transport = new SseClientTransport('http://127.0.0.1:3000/sse')
 * transport.on('session', ({ kind }) => console.log('legacy session', kind))
 * await new Client({ name: 'app', version: '1.0.0' }).connect(transport)
 * ```
 * @see https://modelcontextprotocol.io/specification/2024-11-05/basic/transports#http-with-sse
 */
export class SseClientTransport extends TransportEvents {
  /** Set by the SDK: called once, when the transport closes or its stream is lost. */
  onclose: (() => void) | undefined
  /**
   * Set by the SDK: receives what `onmessage` throws, and a {@link SessionExpiredError} when a lost
   * session cannot be restored (`onclose` follows); refusals are thrown by `start()`/`send()`.
   */
  onerror: ((error: Error) => void) | undefined
  /** Set by the SDK: every inbound message, one per microtask turn, in arrival order. */
  onmessage: InboundMessageHandler | undefined

  readonly #http: HttpRequester
  readonly #timers: Timers
  readonly #endpointTimeoutMs: number
  readonly #maxMessageBytes: number
  readonly #queue: DeliveryQueue<JsonRpcMessage>
  readonly #reinitialize: boolean
  readonly #owed = new Set<Id>()
  readonly #inflight = new Set<AbortController>()
  /** Answers awaited by the transport itself (a replayed `initialize`), never delivered. */
  readonly #internal = new Map<Id, (message: JsonRpcMessage) => void>()
  #controller = new AbortController()
  #endpoint: URL | undefined
  #protocolVersion: string | undefined
  #streamOpen = false
  #timer: unknown
  #closing: Promise<void> | undefined
  #synthesizedErrors = 0
  /** The client's `initialize` request, replayed to restore a dropped session (R-S2). */
  #initialize: TransportMessage | undefined
  #initializedSent = false
  #restoring: Promise<void> | undefined
  #reinitCount = 0
  #sessionRestarts = 0
  readonly #reconnect: ResolvedReconnect
  readonly #random: () => number
  /** The stream's last `retry` field: a floor under the restore's backoff, as for Streamable HTTP. */
  #retryMs: number | undefined
  /** Ends the restore's backoff wait early (on close). */
  #wake: (() => void) | undefined
  #reconnects = 0

  constructor(url: string | URL, options: SseTransportOptions = {}) {
    super()
    this.#http = new HttpRequester(new URL(url), options)
    this.#timers = options.timers ?? globalTimers
    this.#endpointTimeoutMs = options.endpointTimeoutMs ?? 10_000
    this.#maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES
    this.#reinitialize = options.sessionRecovery?.reinitialize ?? true
    this.#reconnect = resolveReconnect(options.reconnect)
    this.#random = options.random ?? Math.random
    this.#queue = new DeliveryQueue(
      (message) => this.onmessage?.(message),
      (error) => this.onerror?.(error instanceof Error ? error : new Error(String(error))),
    )
  }

  /** The session's POST endpoint, once the server announced it. */
  get endpoint(): URL | undefined {
    return this.#endpoint
  }

  /** Legacy sessions have no `Mcp-Session-Id`; the endpoint URL carries the session. */
  get sessionId(): undefined {
    return undefined
  }

  /**
   * Called by the SDK after initialization: the version is sent as `MCP-Protocol-Version` on every
   * POST from then on, except a replayed `initialize`.
   *
   * @param version The negotiated protocol version.
   */
  setProtocolVersion(version: string): void {
    this.#protocolVersion = version
  }

  /** Opens the event stream and waits for its `endpoint` event. */
  async start(): Promise<void> {
    if (this.#closing !== undefined) throw new Error('Transport is closed')
    if (this.#streamOpen) throw new Error('Transport already started')
    this.setState('connecting')
    try {
      await this.#open()
    } catch (error) {
      // A stream that opened but named no endpoint is closed (onclose); a refused GET is not.
      if (this.#streamOpen) await this.close()
      else if (this.#closing === undefined) this.setState('closed')
      throw error
    }
    this.setState('open')
  }

  /** GETs a new event stream and resolves with the endpoint its first event names. */
  async #open(): Promise<void> {
    const controller = new AbortController()
    this.#controller = controller
    this.#inflight.add(controller)
    let response: Response
    try {
      response = await this.#http.request(
        'GET',
        { accept: 'text/event-stream' },
        undefined,
        controller.signal,
      )
    } finally {
      this.#inflight.delete(controller)
    }
    if (!response.ok || mediaTypeOf(response) !== 'text/event-stream' || response.body === null) {
      const body = await readTextUpTo(response, 4096)
      throw new McpHttpError(`Could not open the SSE stream (HTTP ${response.status})`, {
        status: response.status,
        statusText: response.statusText,
        method: 'GET',
        url: this.#http.url.href,
        bodyText: body,
      })
    }
    this.#streamOpen = true
    const endpoint = new Promise<URL>((resolve, reject) => {
      this.#timer = this.#timers.setTimeout(() => {
        this.#timer = undefined
        reject(
          new McpHttpError('No endpoint event on the SSE stream', {
            status: 0,
            method: 'GET',
            url: this.#http.url.href,
          }),
        )
      }, this.#endpointTimeoutMs)
      void this.#read(response, controller, resolve, reject)
    })
    try {
      this.#endpoint = await endpoint
    } catch (error) {
      controller.abort()
      throw error
    } finally {
      if (this.#timer !== undefined) this.#timers.clearTimeout(this.#timer)
      this.#timer = undefined
    }
  }

  async #read(
    response: Response,
    controller: AbortController,
    resolve: (url: URL) => void,
    reject: (error: Error) => void,
  ): Promise<void> {
    let endpoint: URL | undefined
    const reader = (response.body as ReadableStream<Uint8Array>).getReader()
    const parser = createSseParser({
      maxBufferSize: this.#maxMessageBytes,
      onRetry: (ms) => {
        this.#retryMs = ms
      },
      onEvent: (event) => {
        if (event.type === 'endpoint') {
          if (endpoint !== undefined) return
          let url: URL
          try {
            url = new URL(event.data, this.#http.url)
          } catch {
            reject(
              new McpHttpError('Invalid endpoint event', {
                status: 0,
                method: 'GET',
                url: this.#http.url.href,
              }),
            )
            return
          }
          if (url.origin !== this.#http.url.origin) {
            reject(
              new McpHttpError(`Endpoint origin does not match: ${url.origin}`, {
                status: 0,
                method: 'GET',
                url: url.href,
              }),
            )
            return
          }
          endpoint = url
          resolve(url)
          return
        }
        if (event.type !== 'message') return
        const parsed = parseMessage(event.data, { maxBytes: this.#maxMessageBytes })
        if (!parsed.ok) {
          this.emit('warning', { code: 'invalid-message', message: parsed.error.error.message })
          return
        }
        const messages = parsed.batch
          ? parsed.items.flatMap((item) => (item.ok ? [item.message] : []))
          : [parsed.message]
        for (const message of messages) {
          if (!('method' in message) && message.id !== null) {
            const internal = this.#internal.get(message.id)
            if (internal !== undefined) {
              internal(message)
              continue
            }
            this.#owed.delete(message.id)
          }
          this.#queue.push(message)
        }
      },
    })
    try {
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        parser.feed(value)
      }
    } catch {
      // Dropped: handled below.
    }
    reject(
      new McpHttpError('The SSE stream ended before its endpoint event', {
        status: 0,
        method: 'GET',
        url: this.#http.url.href,
      }),
    )
    // A stream that never announced an endpoint is start()'s or the restore's failure, not a loss.
    if (this.#closing === undefined && endpoint !== undefined && controller === this.#controller)
      this.#lost()
  }

  /**
   * The stream under the session ended (R-X3): fail every owed request once (R-D3), then restore
   * the session on a new stream when the handshake was complete and recovery is on, else close.
   */
  #lost(): void {
    this.#streamOpen = false
    this.#endpoint = undefined
    for (const resolve of this.#internal.values()) resolve(STREAM_LOST_ANSWER)
    const ids = [...this.#owed]
    if (ids.length > 0)
      this.emit('streamlost', { stream: 'get', requestIds: ids, reason: 'legacy-stream-lost' })
    this.#failOwed()
    // A restore in progress sees the loss itself (its answer, or its stream gone) and reports it.
    if (this.#restoring !== undefined) return
    if (!this.#reinitialize || this.#initialize === undefined || !this.#initializedSent) {
      void this.close()
      return
    }
    this.#restoring = this.#restore().finally(() => {
      this.#restoring = undefined
    })
    // Messages sent meanwhile wait for it; its failure is reported through onerror and onclose.
    this.#restoring.catch(() => {})
  }

  /**
   * Opens a new stream and replays the captured handshake on its endpoint (R-X3, R-S3). The new
   * stream is retried with the reconnection backoff and time budget of Streamable HTTP
   * (`reconnect`, the stream's `retry` as a floor, jitter) while the failures are transient
   * (network errors, no endpoint event, 409, 429, 5xx); a refusal or a refused replay ends it.
   */
  async #restore(): Promise<void> {
    this.setState('reconnecting')
    this.emit('session', { kind: 'expired', sessionId: undefined })
    try {
      const lostAt = this.#timers.now()
      for (let attempt = 0; ; attempt++) {
        const delayMs = nextReconnectDelay(
          this.#reconnect,
          attempt,
          this.#retryMs,
          this.#timers.now() - lostAt,
          this.#random(),
        )
        if (delayMs === undefined) throw new Error('The reconnection budget is spent')
        this.#reconnects++
        this.emit('reconnect', {
          stream: 'get',
          requestIds: [],
          attempt,
          delayMs,
          lastEventId: '',
        })
        await new Promise<void>((resolve) => {
          this.#wake = resolve
          this.#timer = this.#timers.setTimeout(resolve, delayMs)
        })
        this.#timer = this.#wake = undefined
        if (this.#closing !== undefined) throw new Error('Transport is closed')
        try {
          await this.#open()
          break
        } catch (error) {
          const status = error instanceof McpHttpError ? error.status : 0
          if (this.#closing !== undefined) throw error
          if (status !== 0 && status !== 409 && status !== 429 && status < 500) throw error
        }
      }
      const id = `mcpwire:reinit:${++this.#reinitCount}`
      const answer = await this.#internalRequest({ ...(this.#initialize as TransportMessage), id })
      const version = (answer as { result?: { protocolVersion?: unknown } }).result?.protocolVersion
      if (
        !('result' in answer) ||
        (this.#protocolVersion !== undefined && version !== this.#protocolVersion)
      )
        throw new Error('The server refused the replayed initialize or changed protocol version')
      await this.#post({ jsonrpc: '2.0', method: 'notifications/initialized' })
    } catch (error) {
      if (this.#closing === undefined) {
        this.onerror?.(
          new SessionExpiredError(
            'The legacy session was lost and could not be restored',
            undefined,
            {
              cause: error,
            },
          ),
        )
        void this.close()
      }
      throw error
    }
    if (this.#closing !== undefined) throw new Error('Transport is closed')
    if (!this.#streamOpen) {
      // The new stream dropped too, once the handshake was through: a second loss closes.
      this.onerror?.(new SessionExpiredError('The legacy session was lost again while restoring'))
      void this.close()
      throw new Error('Transport is closed')
    }
    this.#sessionRestarts++
    this.emit('session', { kind: 'restored', sessionId: undefined })
    this.setState('open')
  }

  /** POSTs a request of the transport's own and waits for its answer on the stream. */
  async #internalRequest(message: TransportMessage & { id: Id }): Promise<JsonRpcMessage> {
    let timer: unknown
    const answer = new Promise<JsonRpcMessage>((resolve, reject) => {
      this.#internal.set(message.id, resolve)
      timer = this.#timers.setTimeout(() => {
        timer = undefined
        reject(new Error('No answer to the replayed initialize'))
      }, this.#endpointTimeoutMs)
    })
    this.#timer = timer
    try {
      await this.#post(message)
      return await answer
    } finally {
      this.#internal.delete(message.id)
      if (timer !== undefined) this.#timers.clearTimeout(timer)
      if (this.#timer === timer) this.#timer = undefined
    }
  }

  /** Synthesizes exactly one -32000 error per owed request and forgets them (R-D3). */
  #failOwed(): void {
    for (const id of this.#owed) {
      this.#synthesizedErrors++
      this.#queue.push({
        jsonrpc: '2.0',
        id,
        error: {
          code: -32000,
          message: 'Connection closed',
          data: { reason: 'legacy-stream-lost', retryable: true },
        },
      })
    }
    this.#owed.clear()
  }

  /** POSTs one message to the session's endpoint, after a restore of the session in progress. */
  async send(message: TransportMessage): Promise<void> {
    if (this.#closing !== undefined) throw new Error('Transport is closed')
    if (this.#restoring !== undefined) {
      await this.#restoring.catch(() => {})
      if (this.#closing !== undefined) throw new Error('Transport is closed')
    }
    if (message.method === 'initialize' && typeof message.id !== 'undefined')
      this.#initialize = message
    await this.#post(message)
    if (message.method === 'notifications/initialized') this.#initializedSent = true
  }

  async #post(message: TransportMessage): Promise<void> {
    const endpoint = this.#endpoint
    if (endpoint === undefined) throw new Error('Transport not started')
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    // Never on initialize (R-H2), which a restore replays after the version was set.
    if (this.#protocolVersion !== undefined && message.method !== 'initialize')
      headers['mcp-protocol-version'] = this.#protocolVersion
    const id =
      typeof message.method === 'string' &&
      (typeof message.id === 'string' || typeof message.id === 'number')
        ? message.id
        : undefined
    // A request of the transport's own (a replayed initialize) is awaited, never owed to the client.
    if (id !== undefined && !this.#internal.has(id)) this.#owed.add(id)
    const controller = new AbortController()
    this.#inflight.add(controller)
    let response: Response
    try {
      response = await this.#http.request(
        'POST',
        headers,
        JSON.stringify(message),
        controller.signal,
        endpoint,
      )
    } catch (error) {
      if (id !== undefined) this.#owed.delete(id)
      throw error
    } finally {
      this.#inflight.delete(controller)
    }
    if (response.ok) {
      discardBody(response)
      return
    }
    if (id !== undefined) this.#owed.delete(id)
    const body = await readTextUpTo(response, 4096)
    throw new McpHttpError(`Error POSTing to endpoint (HTTP ${response.status})`, {
      status: response.status,
      statusText: response.statusText,
      method: 'POST',
      url: endpoint.href,
      bodyText: body,
    })
  }

  /** Closes the stream, answers owed requests with an error, and calls `onclose` once. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.setState('closing')
      if (this.#timer !== undefined) this.#timers.clearTimeout(this.#timer)
      this.#timer = undefined
      this.#wake?.()
      this.#controller.abort()
      for (const controller of this.#inflight) controller.abort()
      // An aborted POST settles a few ticks later; it is no longer in flight for stats().
      this.#inflight.clear()
      for (const resolve of this.#internal.values()) resolve(STREAM_LOST_ANSWER)
      this.#failOwed()
      await this.#queue.idle()
      this.setState('closed')
      this.onclose?.()
    })()
    return this.#closing
  }

  /** Counters and gauges; every gauge is 0 after `close()`. */
  stats(): TransportStats {
    const open = this.#streamOpen && this.#closing === undefined
    return {
      state: this.state,
      kind: 'sse',
      era: 'legacy',
      protocolVersion: this.#protocolVersion,
      sessionId: undefined,
      openStreams: open ? 1 : 0,
      pendingRequests: this.#owed.size,
      armedTimers: this.#timer === undefined ? 0 : 1,
      inflightFetches: this.#inflight.size,
      queuedMessages: this.#queue.size,
      reconnects: this.#reconnects,
      resumes: 0,
      duplicatesDropped: 0,
      fallbacks: 0,
      sessionRestarts: this.#sessionRestarts,
      synthesizedErrors: this.#synthesizedErrors,
    }
  }
}
