import type { JsonRpcMessage } from '@mcpwire/jsonrpc'
import { parseMessage } from '@mcpwire/jsonrpc'
import { createSseParser } from '@mcpwire/sse'
import { DeliveryQueue } from './delivery-queue.js'
import { McpHttpError } from './errors.js'
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
  /** Longest wait for the `endpoint` event, in ms (default 10 000). */
  endpointTimeoutMs?: number
}

const DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024

/**
 * The legacy HTTP+SSE client transport (MCP 2024-11-05): one GET event stream whose first event
 * names the endpoint to POST to. Structurally the SDK `Transport`.
 *
 * The session lives as long as the stream: when it drops, every request still owed gets a
 * JSON-RPC error (-32000) at once and the transport closes; it never joins a new session silently
 * (rule R-X3). The endpoint must be on the stream's origin (R-X1).
 *
 * @example
 * ```ts
 * const transport = new SseClientTransport('http://127.0.0.1:3000/sse')
 * await new Client({ name: 'app', version: '1.0.0' }).connect(transport)
 * ```
 * @see https://modelcontextprotocol.io/specification/2024-11-05/basic/transports#http-with-sse
 */
export class SseClientTransport extends TransportEvents {
  /** Set by the SDK: called once, when the transport closes or its stream is lost. */
  onclose: (() => void) | undefined
  /** Set by the SDK: receives what `onmessage` throws; refusals are thrown by `start()`/`send()`. */
  onerror: ((error: Error) => void) | undefined
  /** Set by the SDK: every inbound message, one per microtask turn, in arrival order. */
  onmessage: InboundMessageHandler | undefined

  readonly #http: HttpRequester
  readonly #timers: Timers
  readonly #endpointTimeoutMs: number
  readonly #maxMessageBytes: number
  readonly #queue: DeliveryQueue<JsonRpcMessage>
  readonly #controller = new AbortController()
  readonly #owed = new Set<Id>()
  readonly #inflight = new Set<AbortController>()
  #endpoint: URL | undefined
  #protocolVersion: string | undefined
  #streamOpen = false
  #timer: unknown
  #closing: Promise<void> | undefined
  #synthesizedErrors = 0

  constructor(url: string | URL, options: SseTransportOptions = {}) {
    super()
    this.#http = new HttpRequester(new URL(url), options)
    this.#timers = options.timers ?? globalTimers
    this.#endpointTimeoutMs = options.endpointTimeoutMs ?? 10_000
    this.#maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES
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
   * POST from then on.
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
    const controller = this.#controller
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
      this.setState('closed')
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
      void this.#read(response, resolve, reject)
    })
    try {
      this.#endpoint = await endpoint
    } catch (error) {
      await this.close()
      throw error
    } finally {
      if (this.#timer !== undefined) this.#timers.clearTimeout(this.#timer)
      this.#timer = undefined
    }
    this.setState('open')
  }

  async #read(
    response: Response,
    resolve: (url: URL) => void,
    reject: (error: Error) => void,
  ): Promise<void> {
    const reader = (response.body as ReadableStream<Uint8Array>).getReader()
    const parser = createSseParser({
      maxBufferSize: this.#maxMessageBytes,
      onEvent: (event) => {
        if (event.type === 'endpoint') {
          if (this.#endpoint !== undefined) return
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
          this.#endpoint = url
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
          if (!('method' in message) && message.id !== null) this.#owed.delete(message.id)
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
    if (this.#closing === undefined) {
      // The session is bound to the stream: it is gone, and never joined again silently (R-X3).
      const ids = [...this.#owed]
      if (ids.length > 0)
        this.emit('streamlost', { stream: 'get', requestIds: ids, reason: 'legacy-stream-lost' })
      void this.close()
    }
  }

  /** POSTs one message to the session's endpoint. */
  async send(message: TransportMessage): Promise<void> {
    if (this.#closing !== undefined) throw new Error('Transport is closed')
    const endpoint = this.#endpoint
    if (endpoint === undefined) throw new Error('Transport not started')
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    if (this.#protocolVersion !== undefined) headers['mcp-protocol-version'] = this.#protocolVersion
    const id =
      typeof message.method === 'string' &&
      (typeof message.id === 'string' || typeof message.id === 'number')
        ? message.id
        : undefined
    if (id !== undefined) this.#owed.add(id)
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
      this.#controller.abort()
      for (const controller of this.#inflight) controller.abort()
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
      reconnects: 0,
      resumes: 0,
      duplicatesDropped: 0,
      fallbacks: 0,
      sessionRestarts: 0,
      synthesizedErrors: this.#synthesizedErrors,
    }
  }
}
