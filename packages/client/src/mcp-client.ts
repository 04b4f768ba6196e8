import { DEFAULT_ERA_STORE, type EraStore, eraKey } from './era-cache.js'
import {
  ConnectionLostError,
  FallbackError,
  McpHttpError,
  McpRequestError,
  UnsupportedProtocolVersionError,
} from './errors.js'
import { HttpClientTransport, type HttpTransportOptions } from './http-client-transport.js'
import { isInputRequired, retryParams } from './input-required.js'
import {
  capabilitiesWith,
  type RequestHandler,
  type RequestHandlers,
  runHandler,
} from './request-handlers.js'
import { StreamableHttpClientTransport } from './streamable-http-transport.js'
import {
  SUBSCRIPTION_ID_META,
  type Subscription,
  type SubscriptionFilter,
  sessionEraSubscription,
} from './subscriptions.js'
import { ToolHeaderCache } from './tool-header-cache.js'
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
 *   handlers: { 'elicitation/create': async () => ({ action: 'accept', content: { ok: true } }) },
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
  /**
   * Capabilities to declare (default `{}`); `sampling`, `elicitation` and `roots` are added as `{}`
   * for each of `sampling/createMessage`, `elicitation/create` and `roots/list` in `handlers`.
   */
  capabilities?: Record<string, unknown>
  /**
   * Answers server requests by method (see {@link RequestHandlers}): server→client requests on a
   * 2025 session or legacy stream, and the input requests of a 2026-07-28 `input_required` result.
   * Methods without a handler are answered -32601 (`ping` is answered `{}`).
   */
  handlers?: RequestHandlers
  /**
   * Most `input_required` rounds of one request before it fails (default 10): each round answers
   * the server's input requests and sends the request again.
   */
  maxInputRounds?: number
  /**
   * `'auto'` (default) tries 2026-07-28 first, then `initialize`; or pin a revision: one from
   * 2026-07-28 on uses `server/discover` only, an older one `initialize` only.
   */
  protocolVersion?: 'auto' | string
  /** Default timeout of a request, in ms (default 60 000); progress restarts it. */
  requestTimeoutMs?: number
  /**
   * Where the era negotiated per server is kept (see {@link EraStore}; default: in memory, per
   * process), or `false` to negotiate every time. Used with `protocolVersion: 'auto'` only.
   */
  eraStore?: EraStore | false
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

type Transport = StreamableHttpClientTransport | HttpClientTransport
type Id = string | number

interface Pending {
  resolve(result: unknown): void
  reject(error: unknown): void
  onProgress: McpRequestOptions['onProgress']
  restart(): void
  clear(): void
}

/** Where a 2026-07-28 `server/discover` result carries the server's name and version. */
const SERVER_INFO_META = 'io.modelcontextprotocol/serverInfo'

/** The most `tools/list` pages read to find a tool's `x-mcp-header` schema. */
const MAX_TOOL_PAGES = 100

/**
 * Whether a JSON-RPC error is the transport's answer for a lost stream (-32000, `data: { reason,
 * retryable }`), rather than one the server sent.
 */
function isConnectionLost(error: { code: number; data?: unknown }): boolean {
  const data = error.data as { reason?: unknown; retryable?: unknown } | undefined
  return (
    error.code === -32000 && typeof data?.reason === 'string' && typeof data.retryable === 'boolean'
  )
}

/**
 * A thin MCP client without the SDK: the simplest correct caller, for scripts, tests and the
 * conformance suite. It negotiates the era itself ({@link connect}) and leaves result validation to
 * the caller. Server requests (elicitation, sampling, roots) go to the `handlers` given to
 * {@link connect} or to {@link McpClient.setRequestHandler}, in every era: on 2026-07-28 an
 * `input_required` result is answered with them and the request sent again with the answers
 * (bounded by `maxInputRounds`). On 2026-07-28 a `tools/call` carries the `Mcp-Param-*` headers
 * its tool's schema asks for, from the last `tools/list` (listed on demand when the server
 * refuses a call for a missing header), and `tools/list` results leave out tools whose header
 * annotations are invalid. A request whose stream was lost rejects with a {@link ConnectionLostError}.
 *
 * @example
 * ```ts
 * const client = await connect('http://127.0.0.1:3000/mcp', {
 *   handlers: { 'elicitation/create': async () => ({ action: 'accept', content: { name: 'Ada' } }) },
 * })
 * console.log(client.era, client.protocolVersion)
 * const { tools } = (await client.request('tools/list')) as { tools: Array<{ name: string }> }
 * await client.close()
 * ```
 */
export class McpClient {
  readonly #transport: Transport
  readonly #pending = new Map<number, Pending>()
  readonly #handlers = new Map<string, Set<(params: unknown) => void>>()
  readonly #requestHandlers: Map<string, RequestHandler>
  /** Server requests being answered, by id: aborted on `notifications/cancelled` or close. */
  readonly #serving = new Map<Id, AbortController>()
  readonly #closed = new AbortController()
  readonly #tools = new ToolHeaderCache()
  #meta: Record<string, unknown> | undefined
  /** The capabilities given to {@link connect} explicitly: they win over the handlers' ones. */
  readonly #declared: Record<string, unknown>
  readonly #timeoutMs: number
  readonly #maxInputRounds: number
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
    options: {
      timeoutMs: number
      handlers: RequestHandlers
      maxInputRounds: number
      capabilities: Record<string, unknown>
    },
  ) {
    this.#transport = transport
    this.era = negotiated.era
    this.protocolVersion = negotiated.protocolVersion
    this.serverInfo = negotiated.serverInfo
    this.capabilities = negotiated.capabilities
    this.#meta = meta
    this.#declared = options.capabilities
    this.#timeoutMs = options.timeoutMs
    this.#maxInputRounds = options.maxInputRounds
    this.#requestHandlers = new Map(Object.entries(options.handlers))
    transport.onmessage = (message) => this.#receive(message)
    transport.onclose = () => {
      this.#closed.abort()
      for (const controller of this.#serving.values()) controller.abort()
      this.#serving.clear()
      for (const pending of this.#pending.values())
        pending.reject(
          new ConnectionLostError({
            code: -32000,
            message: 'Connection closed',
            data: { reason: 'closed', retryable: false },
          }),
        )
      this.#pending.clear()
    }
  }

  /**
   * Sends a request and resolves with its result. On 2026-07-28 an `input_required` result is not
   * returned: its input requests are answered with the client's handlers and the request is sent
   * again under a new id, with the answers and the server's `requestState`, until it completes.
   *
   * @throws {ConnectionLostError} when the stream that owed the answer was lost (-32000).
   * @throws {McpRequestError} when the server answers with an error, the request timed out
   * (-32001), or it still wanted input after `maxInputRounds` rounds (-32603).
   * @example
   * ```ts
   * const { tools } = await client.request('tools/list') as { tools: unknown[] }
   * ```
   */
  async request(
    method: string,
    params: Record<string, unknown> = {},
    options: McpRequestOptions = {},
  ): Promise<unknown> {
    let result: unknown
    try {
      result = await this.#call(method, params, options)
    } catch (error) {
      // A tool with x-mcp-header arguments called before any tools/list: the server refuses the
      // call for the missing Mcp-Param-* headers (-32020) without running it. List, then retry.
      if (
        this.era !== 'stateless' ||
        method !== 'tools/call' ||
        (error as { code?: unknown }).code !== -32020 ||
        this.#tools.knows(params)
      )
        throw error
      await this.#listTools(options)
      if (!this.#tools.knows(params)) throw error
      result = await this.#call(method, params, options)
    }
    if (this.era !== 'stateless') return result
    for (let round = 0; isInputRequired(result); round++) {
      if (round >= this.#maxInputRounds)
        throw new McpRequestError({
          code: -32603,
          message: `Still input_required after ${this.#maxInputRounds} rounds`,
          data: { inputRequired: result },
        })
      const signal =
        options.signal === undefined
          ? this.#closed.signal
          : AbortSignal.any([options.signal, this.#closed.signal])
      result = await this.#call(
        method,
        await retryParams(params, result, this.#requestHandlers, signal),
        options,
      )
    }
    return method === 'tools/list' ? this.#tools.remember(result, params.cursor) : result
  }

  /** Reads every page of `tools/list` (bounded), which fills the tool cache. */
  async #listTools(options: McpRequestOptions): Promise<void> {
    let cursor: unknown
    for (let page = 0; page < MAX_TOOL_PAGES; page++) {
      const listed = await this.request('tools/list', cursor === undefined ? {} : { cursor }, {
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      })
      cursor = (listed as { nextCursor?: unknown }).nextCursor
      if (typeof cursor !== 'string') return
    }
  }

  /**
   * Sends one request (one JSON-RPC id) and resolves with its result. `timeoutMs: Infinity` sets
   * no timer; `onId` learns the id before the request is sent.
   */
  #call(
    method: string,
    params: Record<string, unknown>,
    options: McpRequestOptions,
    onId?: (id: number) => void,
  ): Promise<unknown> {
    const id = this.#nextId++
    onId?.(id)
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
          if (timeoutMs === Number.POSITIVE_INFINITY) return
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
      if (options.signal?.aborted) return reject(options.signal.reason)
      this.#pending.set(id, pending)
      pending.restart()
      options.signal?.addEventListener('abort', onAbort, { once: true })
      const headers =
        this.era === 'stateless' && method === 'tools/call' ? this.#tools.headersFor(params) : {}
      this.#transport
        .send(message, {
          headers,
          ...(options.signal === undefined ? {} : { requestSignal: options.signal }),
        })
        .catch(fail)
    })
  }

  /**
   * Asks the server for notifications outside any request, in every era. On 2026-07-28 it opens a
   * `subscriptions/listen` stream and resolves once the server has acknowledged it (within the
   * client's `timeoutMs`), with the types the server agreed to send. On the 2025 eras and legacy
   * HTTP+SSE the session's own stream already carries list changes the server declares
   * (`listChanged`), so only `resourceSubscriptions` are sent (`resources/subscribe`, one per URI,
   * when the server declares `resources.subscribe`), and the types of `filter` the server's
   * capabilities cover are reported. The notifications reach the handlers of
   * {@link onNotification}.
   *
   * @throws {McpRequestError} when the server refuses (say -32601 from a server without
   *   subscriptions), or does not acknowledge in time (-32001).
   * @example
   * ```ts
   * client.onNotification('notifications/tools/list_changed', () => console.log('tools changed'))
   * const subscription = await client.listen({ toolsListChanged: true })
   * // later
   * await subscription.close()
   * ```
   */
  async listen(
    filter: SubscriptionFilter,
    options: { signal?: AbortSignal } = {},
  ): Promise<Subscription> {
    if (this.era !== 'stateless') return this.#subscribeInSession(filter)
    const stop = new AbortController()
    const signal =
      options.signal === undefined ? stop.signal : AbortSignal.any([options.signal, stop.signal])
    let listenId: number | undefined
    let acknowledge: (notifications: SubscriptionFilter) => void = () => {}
    const acknowledged = new Promise<SubscriptionFilter>((resolve) => {
      acknowledge = resolve
    })
    const off = this.onNotification('notifications/subscriptions/acknowledged', (params) => {
      const { notifications, _meta } = params as {
        notifications?: SubscriptionFilter
        _meta?: Record<string, unknown>
      }
      if (_meta?.[SUBSCRIPTION_ID_META] === listenId) acknowledge(notifications ?? {})
    })
    const listening = this.#call(
      'subscriptions/listen',
      { notifications: filter },
      { signal, timeoutMs: Number.POSITIVE_INFINITY },
      (id) => {
        listenId = id
      },
    )
    let timer: ReturnType<typeof setTimeout> | undefined
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new McpRequestError({ code: -32001, message: 'subscriptions/listen not acknowledged' }),
          ),
        this.#timeoutMs,
      )
    })
    let notifications: SubscriptionFilter
    try {
      notifications = await Promise.race([
        acknowledged,
        listening.then(() => {
          throw new McpRequestError({
            code: -32603,
            message: 'subscriptions/listen ended before it was acknowledged',
          })
        }),
        late,
      ])
    } catch (error) {
      stop.abort()
      listening.catch(() => {})
      throw error
    } finally {
      off()
      clearTimeout(timer)
    }
    const ended = listening.then(
      () => undefined,
      (error: unknown) => {
        if (!stop.signal.aborted && !options.signal?.aborted) throw error
      },
    )
    ended.catch(() => {}) // a caller may never look at it
    return {
      notifications,
      ended,
      close: async () => {
        stop.abort()
        await ended.catch(() => {})
      },
    }
  }

  /** {@link listen} on a session: `resources/subscribe` for each resource the server can watch. */
  async #subscribeInSession(filter: SubscriptionFilter): Promise<Subscription> {
    const notifications = sessionEraSubscription(filter, this.capabilities)
    const uris = notifications.resourceSubscriptions ?? []
    for (const uri of uris) await this.request('resources/subscribe', { uri })
    let finish: () => void = () => {}
    const ended = new Promise<void>((resolve) => {
      finish = resolve
    })
    const onClosed = () => finish()
    this.#closed.signal.addEventListener('abort', onClosed, { once: true })
    let closing: Promise<void> | undefined
    return {
      notifications,
      ended,
      close: () => {
        closing ??= (async () => {
          this.#closed.signal.removeEventListener('abort', onClosed)
          if (!this.#closed.signal.aborted) {
            for (const uri of uris)
              await this.request('resources/unsubscribe', { uri }).catch(() => {})
          }
          finish()
        })()
        return closing
      },
    }
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

  /**
   * Answers server requests of one method with `handler` from now on (replacing the one given to
   * {@link connect}); returns a function that removes it. On 2026-07-28 the capability the
   * handler implies (sampling, elicitation, roots) is declared from the next request on, and no
   * longer once it is removed; a session declared its capabilities at `initialize`, so there give
   * the handler to {@link connect} (or declare the capability) for the server to ask.
   *
   * @param method The request method, e.g. `'sampling/createMessage'`.
   * @param handler Resolves with the result to answer (see {@link RequestHandler}).
   * @example
   * ```ts
   * client.setRequestHandler('roots/list', () => ({ roots: [{ uri: 'file:///work', name: 'work' }] }))
   * ```
   */
  setRequestHandler(method: string, handler: RequestHandler): () => void {
    this.#requestHandlers.set(method, handler)
    this.#redeclare()
    return () => {
      if (this.#requestHandlers.get(method) !== handler) return
      this.#requestHandlers.delete(method)
      this.#redeclare()
    }
  }

  /**
   * 2026-07-28 declares the client's capabilities on every request (`_meta`), so a handler added
   * or removed after {@link connect} changes them from the next request on (explicit
   * `capabilities` still win). A session declared them once, at `initialize`.
   */
  #redeclare(): void {
    const key = 'io.modelcontextprotocol/clientCapabilities'
    if (this.#meta === undefined || !(key in this.#meta)) return
    const handlers = Object.fromEntries(this.#requestHandlers)
    this.#meta = { ...this.#meta, [key]: capabilitiesWith(handlers, this.#declared) }
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
      if ('id' in message) {
        this.#serve(message.id as Id, message.method, params)
        return
      }
      if (message.method === 'notifications/progress') {
        const pending = this.#pending.get(params.progressToken as number)
        if (pending !== undefined) {
          pending.restart()
          pending.onProgress?.(params as { progress: number })
        }
      } else if (message.method === 'notifications/cancelled') {
        // The server gave up on a request it sent us: stop its handler, answer nothing.
        const serving = this.#serving.get(params.requestId as Id)
        this.#serving.delete(params.requestId as Id)
        serving?.abort()
      }
      for (const key of [message.method, '*'])
        for (const handler of this.#handlers.get(key) ?? []) handler(params)
      return
    }
    const pending = this.#pending.get(message.id as number)
    if (pending === undefined) return
    this.#pending.delete(message.id as number)
    pending.clear()
    if (!('error' in message)) pending.resolve(message.result)
    else if (isConnectionLost(message.error)) pending.reject(new ConnectionLostError(message.error))
    else pending.reject(new McpRequestError(message.error))
  }

  /** Answers a server request with its handler (-32601 without one), unless it is cancelled. */
  #serve(id: Id, method: string, params: Record<string, unknown>): void {
    const controller = new AbortController()
    this.#serving.set(id, controller)
    void runHandler(this.#requestHandlers, method, params, controller.signal)
      .then((answer) => {
        if (controller.signal.aborted) return
        this.#serving.delete(id)
        return this.#transport.send({ jsonrpc: '2.0', id, ...answer } as never)
      })
      .catch(() => {})
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
  const auto = (options.protocolVersion ?? 'auto') === 'auto'
  const store =
    !auto || options.eraStore === false ? undefined : (options.eraStore ?? DEFAULT_ERA_STORE)
  const key = eraKey(url)
  const known = await store?.get(key)
  if (store !== undefined && (known === 'session' || known === 'legacy')) {
    // Known to speak 2025: straight to initialize. A failure that is not about the server being
    // unreachable or refusing us forgets the verdict and negotiates from the start (it may have
    // been upgraded).
    try {
      return await negotiate(url, options, false)
    } catch (error) {
      if (!isEraMismatch(error)) throw error
      await store.delete(key)
    }
  }
  const client = await negotiate(url, options, true)
  await store?.set(key, client.era)
  return client
}

/**
 * Whether a failed `initialize` says the server no longer speaks the era it was known by (a
 * refusal, an error answer, a failed fallback), rather than that it is unreachable or refuses
 * the client (network, 401, 403, 5xx: negotiating again would not help).
 */
function isEraMismatch(error: unknown): boolean {
  if (error instanceof McpHttpError)
    return error.status !== 401 && error.status !== 403 && error.status < 500
  return (
    error instanceof McpRequestError ||
    error instanceof FallbackError ||
    error instanceof UnsupportedProtocolVersionError
  )
}

/** {@link connect}'s negotiation; `probe: false` skips `server/discover` (a known 2025 server). */
async function negotiate(
  url: string | URL,
  options: ConnectOptions,
  probe: boolean,
): Promise<McpClient> {
  const clientInfo = options.clientInfo ?? { name: 'mcpwire-client', version: '0.0.0' }
  const handlers = options.handlers ?? {}
  const capabilities = capabilitiesWith(handlers, options.capabilities ?? {})
  const clientOptions = {
    timeoutMs: options.requestTimeoutMs ?? 60_000,
    handlers,
    maxInputRounds: options.maxInputRounds ?? 10,
    capabilities: options.capabilities ?? {},
  }
  const wanted = options.protocolVersion ?? 'auto'
  // `protocolVersion` is a wish for the negotiation here, not a persisted session's version.
  const { protocolVersion: _wish, eraStore: _store, ...transportOptions } = options
  if (wanted === 'auto' ? probe : wanted >= STATELESS) {
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
          clientOptions,
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
    clientOptions,
  )
}
