import { FallbackError, McpHttpError } from './errors.js'
import type { ResumeToken } from './session-resume.js'
import { SseClientTransport, type SseTransportOptions } from './sse-client-transport.js'
import { StreamableHttpClientTransport } from './streamable-http-transport.js'
import { TransportEvents } from './transport-events.js'
import type {
  InboundMessageHandler,
  TransportEventMap,
  TransportMessage,
  TransportSendOptions,
  TransportStats,
} from './types.js'

/**
 * Options of {@link HttpClientTransport} (and of {@link connect}): those of both transports, plus
 * the choice between them. Every one is optional.
 *
 * @example
 * ```ts
 * // A server that serves Streamable HTTP on /mcp and legacy SSE on /sse:
 * new HttpClientTransport('http://127.0.0.1:3000/mcp', { sseUrl: 'http://127.0.0.1:3000/sse' })
 * ```
 */
export interface HttpTransportOptions extends SseTransportOptions {
  /**
   * `'auto'` (default) tries Streamable HTTP and falls back to HTTP+SSE when `initialize` is
   * answered 400, 404 or 405; `'streamable-http'` or `'sse'` forces one, with no fallback.
   */
  transport?: 'auto' | 'streamable-http' | 'sse'
  /** The legacy SSE URL to fall back to (default: the same URL). */
  sseUrl?: string | URL
}

/** Statuses of an `initialize` POST that mean "no Streamable HTTP here" (2025-11-25 spec). */
const FALLBACK_STATUSES = new Set([400, 404, 405])
const EVENT_TYPES: Array<keyof TransportEventMap> = [
  'session',
  'reconnect',
  'resumed',
  'streamlost',
  'duplicate',
  'warning',
]

/**
 * The automatic transport: Streamable HTTP, falling back to legacy HTTP+SSE (2024-11-05) only when
 * the `initialize` POST is answered 400, 404 or 405, as the spec says (rule R-F1). Auth failures,
 * 429, 5xx and network errors are thrown as typed errors, never a reason to fall back (R-F2). The
 * fallback is invisible to the client: its `initialize` is re-sent on the legacy stream.
 *
 * @example
 * ```ts
 * const transport = new HttpClientTransport('http://127.0.0.1:3000/mcp')
 * transport.on('fallback', (detail) => console.log('legacy server, HTTP', detail.status))
 * await client.connect(transport)
 * ```
 * @see https://modelcontextprotocol.io/specification/2025-11-25/basic/transports#backwards-compatibility
 */
export class HttpClientTransport extends TransportEvents {
  /** Set by the SDK: called once when the transport in use is finished. */
  onclose: (() => void) | undefined
  /** Set by the SDK: conditions the application must act on (never handled transients). */
  onerror: ((error: Error) => void) | undefined
  /** Set by the SDK: every inbound message, one per microtask turn, in arrival order. */
  onmessage: InboundMessageHandler | undefined
  /**
   * Tells the SDK v2 `Client` that each request has its own HTTP request, so it may cancel a
   * 2026-07-28 request by aborting `requestSignal` (honoured by Streamable HTTP).
   */
  readonly hasPerRequestStream = true

  readonly #url: URL
  readonly #options: HttpTransportOptions
  #inner: StreamableHttpClientTransport | SseClientTransport
  #decided: boolean
  #fallbacks = 0

  /**
   * Creates the transport; nothing is requested before `start()` or the first `send()`.
   *
   * @param url The MCP endpoint (the Streamable HTTP URL, also the SSE URL unless `sseUrl` is set).
   * @param options See {@link HttpTransportOptions}.
   */
  constructor(url: string | URL, options: HttpTransportOptions = {}) {
    super()
    this.#url = new URL(url)
    this.#options = options
    const mode = options.transport ?? 'auto'
    this.#decided = mode !== 'auto'
    this.#inner = mode === 'sse' ? this.#sse() : this.#streamable()
  }

  /** Which transport is in use: decided by the first `initialize`. */
  get kind(): 'streamable-http' | 'sse' {
    return this.#inner instanceof SseClientTransport ? 'sse' : 'streamable-http'
  }

  /** The Streamable HTTP session id, once assigned; always `undefined` on legacy HTTP+SSE. */
  get sessionId(): string | undefined {
    return this.#inner.sessionId
  }

  /**
   * Called by the SDK after initialization: the protocol version is sent as
   * `MCP-Protocol-Version` from then on (and 2026-07-28 or later selects the stateless era).
   *
   * @param version The negotiated protocol version.
   */
  setProtocolVersion(version: string): void {
    this.#inner.setProtocolVersion(version)
  }

  /**
   * Called by the SDK's `connect()`. Does no I/O for Streamable HTTP; with `transport: 'sse'` it
   * opens the event stream and waits for its `endpoint` event.
   *
   * @throws {McpHttpError} when the forced SSE stream cannot be opened.
   */
  async start(): Promise<void> {
    if (this.#inner instanceof SseClientTransport) await this.#inner.start()
    else await this.#inner.start()
  }

  /**
   * Sends one message on the transport in use. The first `initialize` decides the transport: a
   * 400, 404 or 405 answer switches to HTTP+SSE (a `fallback` event) and re-sends it there.
   *
   * @param message The JSON-RPC message.
   * @param options The SDK's send options; see {@link TransportSendOptions}.
   * @throws {FallbackError} when the legacy transport failed too.
   * @throws {McpHttpError} on any other refusal (401 without `auth`, 403, 429, 5xx, network: never a
   *   reason to fall back).
   */
  async send(message: TransportMessage, options?: TransportSendOptions): Promise<void> {
    const inner = this.#inner
    if (
      this.#decided ||
      message.method !== 'initialize' ||
      !(inner instanceof StreamableHttpClientTransport)
    ) {
      await inner.send(message, options)
      return
    }
    inner.probing = true
    try {
      await inner.send(message, options)
      this.#decided = true
    } catch (error) {
      if (
        !(error instanceof McpHttpError) ||
        !FALLBACK_STATUSES.has(error.status) ||
        error.method !== 'POST'
      )
        throw error
      const sse = this.#sse()
      this.#fallbacks++
      this.emit('fallback', { from: 'streamable-http', to: 'sse', status: error.status })
      try {
        await sse.start()
        this.#inner = sse
        this.#decided = true
        await inner.close()
        await sse.send(message)
      } catch (fallbackError) {
        await sse.close()
        throw new FallbackError('Neither Streamable HTTP nor HTTP+SSE could connect', [
          { transport: 'streamable-http', error },
          { transport: 'sse', error: fallbackError },
        ])
      }
    } finally {
      inner.probing = false
    }
  }

  /**
   * Closes the transport in use: owed requests are answered with an error, a Streamable HTTP
   * session is ended with DELETE, and `onclose` is called once.
   */
  close(): Promise<void> {
    return this.#inner.close()
  }

  /**
   * Streamable HTTP: ends the transport without DELETE and returns what a new transport needs to
   * re-attach to the session (see {@link StreamableHttpClientTransport.detach}). A legacy HTTP+SSE
   * session cannot outlive its stream: it is closed, and the token has no session.
   *
   * @example
   * ```ts
   * const token = await transport.detach()
   * if (token.sessionId !== undefined) save(token)
   * ```
   */
  async detach(): Promise<ResumeToken> {
    const inner = this.#inner
    if (inner instanceof StreamableHttpClientTransport) return inner.detach()
    await inner.close()
    return { sessionId: undefined, protocolVersion: undefined, streams: [] }
  }

  /** Counters and gauges of the transport in use; every gauge is 0 after `close()`. */
  stats(): TransportStats {
    return { ...this.#inner.stats(), fallbacks: this.#fallbacks }
  }

  #wire<T extends StreamableHttpClientTransport | SseClientTransport>(inner: T): T {
    inner.onmessage = (message, extra) => {
      if (this.#inner === inner) this.onmessage?.(message, extra)
    }
    inner.onerror = (error) => {
      if (this.#inner === inner) this.onerror?.(error)
    }
    inner.onclose = () => {
      if (this.#inner === inner) this.onclose?.()
    }
    inner.onstatechange = (to) => {
      if (this.#inner === inner) this.setState(to)
    }
    for (const type of EVENT_TYPES) {
      inner.on(type, (detail) => {
        if (this.#inner === inner) this.emit(type, detail as never)
      })
    }
    return inner
  }

  #streamable(): StreamableHttpClientTransport {
    return this.#wire(new StreamableHttpClientTransport(this.#url, this.#options))
  }

  #sse(): SseClientTransport {
    return this.#wire(new SseClientTransport(this.#options.sseUrl ?? this.#url, this.#options))
  }
}
