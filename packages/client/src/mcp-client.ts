import { McpHttpError, UnsupportedProtocolVersionError } from './errors.js'
import { HttpClientTransport, type HttpTransportOptions } from './http-client-transport.js'
import { StreamableHttpClientTransport } from './streamable-http-transport.js'
import type { InboundMessage, TransportStats } from './types.js'

const STATELESS = '2026-07-28'
const SESSION = '2025-11-25'
const ACCEPTED_SESSION_VERSIONS = ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05']

/**
 * Options of {@link connect}: the transport options (see {@link HttpTransportOptions}) plus the
 * handshake's. Every one is optional.
 *
 * @example
 * ```ts
 * const client = await connect('http://127.0.0.1:3000/mcp', {
 *   clientInfo: { name: 'my-script', version: '1.0.0' },
 *   protocolVersion: '2025-11-25',
 *   requestTimeoutMs: 10_000,
 * })
 * ```
 */
export interface ConnectOptions extends HttpTransportOptions {
  /** Who the client is (default `{ name: 'mcpwire-client', version: '0.0.0' }`). */
  clientInfo?: {
    /** The client's name. */
    name: string
    /** The client's version. */
    version: string
  }
  /** Capabilities to declare (default `{}`). */
  capabilities?: Record<string, unknown>
  /**
   * `'auto'` (default) tries 2026-07-28 first, then `initialize`; or pin a revision: one from
   * 2026-07-28 on uses `server/discover` only, an older one `initialize` only.
   */
  protocolVersion?: 'auto' | string
  /** Default timeout of a request, in ms (default 60 000); progress restarts it. */
  requestTimeoutMs?: number
}

/**
 * Options of {@link McpClient.request}.
 *
 * @example
 * ```ts
 * await client.request('tools/call', { name: 'countdown', arguments: { n: 5 } }, {
 *   signal: AbortSignal.timeout(30_000),
 *   onProgress: ({ progress, total }) => console.log(progress, '/', total),
 * })
 * ```
 */
export interface McpRequestOptions {
  /**
   * Aborts the request: it rejects with the signal's reason, and the server is told (a
   * `notifications/cancelled` in the 2025 eras; in 2026-07-28 the request's stream is closed).
   */
  signal?: AbortSignal
  /** Timeout in ms; restarted by every progress notification of the request. */
  timeoutMs?: number
  /** Receives the request's progress notifications (a progress token is added for it). */
  onProgress?: (params: { progress: number; total?: number; message?: string }) => void
}

/**
 * A JSON-RPC error answered by the server, synthesized by the transport (-32000 when the stream
 * that owed the answer was lost), or -32001 when {@link McpClient.request} timed out. Rejected by
 * {@link McpClient.request} and thrown by {@link connect}.
 *
 * @example
 * ```ts
 * try { await client.request('tools/call', { name: 'missing' }) } catch (error) {
 *   if (error instanceof McpRequestError && error.code === -32602) console.log('bad params')
 * }
 * ```
 */
export class McpRequestError extends Error {
  /** Always `'McpRequestError'`. */
  override name = 'McpRequestError'
  /** The JSON-RPC error code. */
  readonly code: number
  /** The error's `data`, when it had some (for -32000: `{ reason, retryable }`). */
  readonly data: unknown
  /** @param error The JSON-RPC error object. */
  constructor(error: { code: number; message: string; data?: unknown }) {
    super(error.message)
    this.code = error.code
    this.data = error.data
  }
}

type Transport = StreamableHttpClientTransport | HttpClientTransport

interface Pending {
  resolve(result: unknown): void
  reject(error: unknown): void
  onProgress: McpRequestOptions['onProgress']
  restart(): void
  clear(): void
}

/** Where a 2026-07-28 `server/discover` result carries the server's name and version. */
const SERVER_INFO_META = 'io.modelcontextprotocol/serverInfo'

/**
 * A thin MCP client without the SDK: the simplest correct caller, for scripts, tests and the
 * conformance suite. It negotiates the era itself ({@link connect}) and leaves result validation to
 * the caller. Server requests (sampling, elicitation, roots) are answered "Method not found"; use
 * the SDK `Client` with a transport of this package when you need them.
 *
 * @example
 * ```ts
 * const client = await connect('http://127.0.0.1:3000/mcp')
 * console.log(client.era, client.protocolVersion)
 * const { tools } = (await client.request('tools/list')) as { tools: Array<{ name: string }> }
 * await client.close()
 * ```
 */
export class McpClient {
  readonly #transport: Transport
  readonly #pending = new Map<number, Pending>()
  readonly #handlers = new Map<string, Set<(params: unknown) => void>>()
  readonly #meta: Record<string, unknown> | undefined
  readonly #timeoutMs: number
  #nextId = 1
  /** `stateless` (2026-07-28), `session` (Streamable HTTP 2025) or `legacy` (HTTP+SSE). */
  readonly era: 'stateless' | 'session' | 'legacy'
  /** The protocol version agreed with the server. */
  readonly protocolVersion: string
  /** The server's `serverInfo` (name, version, ...), as it sent it: not validated. */
  readonly serverInfo: unknown
  /** The server's capabilities, as it sent them (`{}` when it sent none). */
  readonly capabilities: Record<string, unknown>

  /** @internal Use {@link connect}. */
  constructor(
    transport: Transport,
    negotiated: {
      era: 'stateless' | 'session' | 'legacy'
      protocolVersion: string
      serverInfo: unknown
      capabilities: Record<string, unknown>
    },
    meta: Record<string, unknown> | undefined,
    timeoutMs: number,
  ) {
    this.#transport = transport
    this.era = negotiated.era
    this.protocolVersion = negotiated.protocolVersion
    this.serverInfo = negotiated.serverInfo
    this.capabilities = negotiated.capabilities
    this.#meta = meta
    this.#timeoutMs = timeoutMs
    transport.onmessage = (message) => this.#receive(message)
    transport.onclose = () => {
      for (const pending of this.#pending.values()) pending.reject(new Error('Connection closed'))
      this.#pending.clear()
    }
  }

  /**
   * Sends a request and resolves with its result.
   *
   * @throws {McpRequestError} when the server (or the transport, -32000) answers with an error.
   * @example
   * ```ts
   * const { tools } = await client.request('tools/list') as { tools: unknown[] }
   * ```
   */
  request(
    method: string,
    params: Record<string, unknown> = {},
    options: McpRequestOptions = {},
  ): Promise<unknown> {
    const id = this.#nextId++
    const meta: Record<string, unknown> = {
      ...(params._meta as Record<string, unknown> | undefined),
      ...this.#meta,
    }
    if (options.onProgress !== undefined) meta.progressToken = id
    const message = {
      jsonrpc: '2.0' as const,
      id,
      method,
      params: Object.keys(meta).length > 0 ? { ...params, _meta: meta } : params,
    }
    return new Promise((resolve, reject) => {
      const timeoutMs = options.timeoutMs ?? this.#timeoutMs
      let timer: ReturnType<typeof setTimeout> | undefined
      const fail = (error: unknown) => {
        pending.clear()
        this.#pending.delete(id)
        reject(error)
      }
      const onAbort = () => {
        fail(options.signal?.reason ?? new Error('Aborted'))
        if (this.era !== 'stateless')
          void this.notify('notifications/cancelled', { requestId: id }).catch(() => {})
      }
      const pending: Pending = {
        resolve,
        reject: fail,
        onProgress: options.onProgress,
        restart: () => {
          if (timer !== undefined) clearTimeout(timer)
          timer = setTimeout(
            () => fail(new McpRequestError({ code: -32001, message: 'Request timed out' })),
            timeoutMs,
          )
        },
        clear: () => {
          if (timer !== undefined) clearTimeout(timer)
          options.signal?.removeEventListener('abort', onAbort)
        },
      }
      this.#pending.set(id, pending)
      pending.restart()
      options.signal?.addEventListener('abort', onAbort, { once: true })
      const sendOptions = options.signal === undefined ? {} : { requestSignal: options.signal }
      this.#transport.send(message, sendOptions).catch(fail)
    })
  }

  /** Sends a notification. */
  async notify(method: string, params: Record<string, unknown> = {}): Promise<void> {
    await this.#transport.send({ jsonrpc: '2.0', method, params })
  }

  /**
   * Listens to server notifications of one method (`'*'` for all); returns the unsubscribe.
   *
   * @example
   * ```ts
   * client.onNotification('notifications/message', (params) => console.log(params))
   * ```
   */
  onNotification(method: string, handler: (params: unknown) => void): () => void {
    let set = this.#handlers.get(method)
    if (set === undefined) {
      set = new Set()
      this.#handlers.set(method, set)
    }
    set.add(handler)
    return () => set.delete(handler)
  }

  /** Closes the connection (DELETE for a session). */
  close(): Promise<void> {
    return this.#transport.close()
  }

  /** The transport's counters and gauges. */
  stats(): TransportStats {
    return this.#transport.stats()
  }

  #receive(message: InboundMessage): void {
    if ('method' in message) {
      const params = (message.params ?? {}) as Record<string, unknown>
      if (message.method === 'notifications/progress') {
        const pending = this.#pending.get(params.progressToken as number)
        if (pending !== undefined) {
          pending.restart()
          pending.onProgress?.(params as { progress: number })
        }
      }
      for (const key of [message.method, '*'])
        for (const handler of this.#handlers.get(key) ?? []) handler(params)
      if ('id' in message) {
        // Server requests this thin client does not serve.
        void this.#transport
          .send({
            jsonrpc: '2.0',
            id: message.id,
            error: { code: -32601, message: 'Method not found' },
          })
          .catch(() => {})
      }
      return
    }
    const pending = this.#pending.get(message.id as number)
    if (pending === undefined) return
    this.#pending.delete(message.id as number)
    pending.clear()
    if ('error' in message) pending.reject(new McpRequestError(message.error))
    else pending.resolve(message.result)
  }
}

/** Sends one request on a bare transport and waits for its answer. */
async function handshake(
  transport: Transport,
  message: { jsonrpc: '2.0'; id: string; method: string; params: Record<string, unknown> },
): Promise<InboundMessage> {
  const answer = new Promise<InboundMessage>((resolve) => {
    transport.onmessage = (reply) => {
      if (!('method' in reply) && reply.id === message.id) resolve(reply)
    }
  })
  await transport.send(message)
  return answer
}

/**
 * Connects to an MCP server and negotiates the era: with `protocolVersion: 'auto'` a 2026-07-28
 * `server/discover` first (one corrective retry on -32022), then `initialize` on Streamable HTTP,
 * then legacy HTTP+SSE when `initialize` is answered 400, 404 or 405. Auth failures, 5xx and
 * network errors are thrown, never taken as an era verdict.
 *
 * @example
 * ```ts
 * const client = await connect('http://127.0.0.1:3000/mcp')
 * const result = await client.request('tools/call', { name: 'echo', arguments: { text: 'hi' } })
 * await client.close()
 * ```
 * @see https://modelcontextprotocol.io/specification/2026-07-28/basic/versioning
 */
export async function connect(url: string | URL, options: ConnectOptions = {}): Promise<McpClient> {
  const clientInfo = options.clientInfo ?? { name: 'mcpwire-client', version: '0.0.0' }
  const capabilities = options.capabilities ?? {}
  const wanted = options.protocolVersion ?? 'auto'
  const timeoutMs = options.requestTimeoutMs ?? 60_000
  // `protocolVersion` is a wish for the negotiation here, not a persisted session's version.
  const { protocolVersion: _wish, ...transportOptions } = options
  if (wanted === 'auto' || wanted >= STATELESS) {
    const transport = new StreamableHttpClientTransport(url, transportOptions)
    let version = wanted === 'auto' ? STATELESS : wanted
    for (let attempt = 0; attempt < 2; attempt++) {
      const meta = {
        'io.modelcontextprotocol/protocolVersion': version,
        'io.modelcontextprotocol/clientCapabilities': capabilities,
        'io.modelcontextprotocol/clientInfo': clientInfo,
      }
      let answer: InboundMessage
      try {
        answer = await handshake(transport, {
          jsonrpc: '2.0',
          id: `mcpwire:discover:${attempt}`,
          method: 'server/discover',
          params: { _meta: meta },
        })
      } catch (error) {
        const status = error instanceof McpHttpError ? error.status : 0
        if (wanted !== 'auto' || status === 0 || status === 401 || status === 403 || status >= 500)
          throw error
        break
      }
      if ('result' in answer) {
        const result = answer.result as {
          supportedVersions?: string[]
          capabilities?: Record<string, unknown>
          serverInfo?: unknown
          _meta?: Record<string, unknown>
        }
        transport.setProtocolVersion(version)
        return new McpClient(
          transport,
          {
            era: 'stateless',
            protocolVersion: version,
            // 2026-07-28 sends it in the result's _meta; a top-level one is taken as well.
            serverInfo: result._meta?.[SERVER_INFO_META] ?? result.serverInfo,
            capabilities: result.capabilities ?? {},
          },
          meta,
          timeoutMs,
        )
      }
      const error = 'error' in answer ? answer.error : undefined
      const supported = (error?.data as { supported?: unknown } | undefined)?.supported
      if (error?.code === -32022 && Array.isArray(supported)) {
        const mutual = supported.find((v): v is string => typeof v === 'string' && v >= STATELESS)
        if (mutual !== undefined && attempt === 0) {
          version = mutual
          continue
        }
        if (wanted !== 'auto')
          throw new UnsupportedProtocolVersionError(version, supported as string[])
      } else if (wanted !== 'auto' || error?.code === -32020 || error?.code === -32021) {
        throw new McpRequestError(error ?? { code: -32603, message: 'Negotiation failed' })
      }
      break
    }
    await transport.close()
  }
  const transport = new HttpClientTransport(url, transportOptions)
  // Opens the legacy stream when `transport: 'sse'` is pinned; no I/O for Streamable HTTP (R-S1).
  await transport.start()
  const offered = wanted === 'auto' || wanted >= STATELESS ? SESSION : wanted
  const answer = await handshake(transport, {
    jsonrpc: '2.0',
    id: 'mcpwire:initialize',
    method: 'initialize',
    params: { protocolVersion: offered, capabilities, clientInfo },
  })
  if ('error' in answer) throw new McpRequestError(answer.error)
  const result = (
    answer as {
      result: {
        protocolVersion: string
        capabilities?: Record<string, unknown>
        serverInfo?: unknown
      }
    }
  ).result
  if (!ACCEPTED_SESSION_VERSIONS.includes(result.protocolVersion)) {
    await transport.close()
    throw new UnsupportedProtocolVersionError(result.protocolVersion, ACCEPTED_SESSION_VERSIONS)
  }
  transport.setProtocolVersion(result.protocolVersion)
  await transport.send({ jsonrpc: '2.0', method: 'notifications/initialized' })
  return new McpClient(
    transport,
    {
      era: transport.kind === 'sse' ? 'legacy' : 'session',
      protocolVersion: result.protocolVersion,
      serverInfo: result.serverInfo,
      capabilities: result.capabilities ?? {},
    },
    undefined,
    timeoutMs,
  )
}
