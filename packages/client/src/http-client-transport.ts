import { FallbackError, McpHttpError } from './errors.js'
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

/** Options of {@link HttpClientTransport}. */
export interface HttpTransportOptions extends SseTransportOptions {
  /** `'auto'` (default) tries Streamable HTTP and falls back to HTTP+SSE; or force one. */
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
  onclose: (() => void) | undefined
  onerror: ((error: Error) => void) | undefined
  onmessage: InboundMessageHandler | undefined
  readonly hasPerRequestStream = true

  readonly #url: URL
  readonly #options: HttpTransportOptions
  #inner: StreamableHttpClientTransport | SseClientTransport
  #decided: boolean
  #fallbacks = 0

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

  get sessionId(): string | undefined {
    return this.#inner.sessionId
  }

  setProtocolVersion(version: string): void {
    this.#inner.setProtocolVersion(version)
  }

  async start(): Promise<void> {
    if (this.#inner instanceof SseClientTransport) await this.#inner.start()
    else await this.#inner.start()
  }

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

  close(): Promise<void> {
    return this.#inner.close()
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
