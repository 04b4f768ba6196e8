import {
  idKey,
  isRequest,
  isResponse,
  type McpMessage,
  type RequestId,
} from '../protocol/message.js'

/** What the handler knows about the HTTP request a message came in. */
export interface RequestInfo {
  /** The request headers, lower-case names. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>
  /** The full request URL. */
  readonly url?: URL | undefined
}

/**
 * Extra information passed with each incoming message to `transport.onmessage`
 * (the SDK's `MessageExtraInfo`).
 */
export interface MessageExtraInfo {
  /** What `authenticate` returned for the request. */
  readonly authInfo?: unknown
  /** The HTTP request's headers and URL, as the SDK's `RequestInfo`. */
  readonly requestInfo?: RequestInfo | undefined
  /**
   * The HTTP request, body-less (SDK v2 reads it as `ctx.http.req`); built on first read. Its
   * signal aborts when the client goes away.
   */
  readonly request?: Request | undefined
  /** Closes the connection of this request's stream so the client polls (2025-11-25, resumable only). */
  readonly closeSSEStream?: (() => void) | undefined
  /** Closes the connection of the session's GET stream so the client polls (2025-11-25, resumable only). */
  readonly closeStandaloneSSEStream?: (() => void) | undefined
}

/** Options of {@link McpTransport.send}, as the SDK passes them. */
export interface TransportSendOptions {
  /** The client request this message belongs to: it goes on that request's stream while open. */
  readonly relatedRequestId?: RequestId | undefined
  /** Accepted for SDK compatibility; the server side ignores it. */
  readonly resumptionToken?: string | undefined
  /** Accepted for SDK compatibility; the server side ignores it. */
  readonly onresumptiontoken?: ((token: string) => void) | undefined
}

/** Where a transport's outgoing messages are routed: a session, or later a stateless scope. */
export interface MessageRouter {
  route(message: McpMessage, relatedRequestId: RequestId | undefined): Promise<void>
  /** Ends the conversation: streams closed, state released. */
  close(): Promise<void>
}

/**
 * The transport `connect` receives: structurally the official SDK's `Transport`, so
 * `await new McpServer(...).connect(transport)` works without this package importing the SDK.
 *
 * @example
 * ```ts
 * createMcpHandler({ connect: (transport) => new McpServer(info).connect(transport) })
 * ```
 * @see https://modelcontextprotocol.io/specification/2025-11-25/basic/transports
 */
export class McpTransport {
  /** The session id (Streamable HTTP and legacy), `undefined` for a stateless exchange. */
  readonly sessionId: string | undefined
  /** Set by the server's `connect`: receives each client message with its request's details. */
  onmessage?: ((message: McpMessage, extra?: MessageExtraInfo) => void) | undefined
  /** Set by the server's `connect`: called once when the transport closes. */
  onclose?: (() => void) | undefined
  /** Set by the server's `connect`: receives transport faults. */
  onerror?: ((error: Error) => void) | undefined
  /** The protocol version negotiated at initialize, once the server reports it. */
  protocolVersion: string | undefined
  readonly #router: MessageRouter
  readonly #newRequestId: (() => string) | undefined
  #closed = false
  /**
   * The server's requests the client has not answered yet: the id on the wire, to the server's
   * own id (and whether it was also the request's progress token). Created on first use.
   */
  #awaitingReplies: Map<string, { readonly id: RequestId; readonly token: boolean }> | undefined
  /** The wire id of each awaited request, by the server's own id ({@link idKey}). */
  #wireIds: Map<string, string> | undefined

  /**
   * @param sessionId The session id, `undefined` for a stateless exchange.
   * @param router Where outgoing messages go.
   * @param newRequestId Gives each request the server sends a new wire id: a session sees each id
   *   once even when its server is rebuilt (hibernation), as MCP requires. Without it, the server's
   *   own ids are sent.
   */
  constructor(sessionId: string | undefined, router: MessageRouter, newRequestId?: () => string) {
    this.sessionId = sessionId
    this.#router = router
    this.#newRequestId = newRequestId
  }

  /** Nothing to start: the handler already owns the HTTP side. */
  async start(): Promise<void> {}

  /** Sends a message to the client on the stream its routing rules pick. */
  send(message: McpMessage, options?: TransportSendOptions): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('Transport is closed'))
    let outgoing = message
    if (isRequest(message)) {
      outgoing = this.#rewriteRequest(message)
    } else if (message.method === 'notifications/cancelled') {
      const params = message.params as { requestId?: unknown } | undefined
      const wire = this.#answered(this.#wireIdOf(params?.requestId))
      if (wire !== undefined) outgoing = { ...message, params: { ...params, requestId: wire } }
    }
    return this.#router.route(outgoing, options?.relatedRequestId)
  }

  /** Gives a server request its wire id (and progress token), remembering the server's own. */
  #rewriteRequest(message: McpMessage): McpMessage {
    const id = message.id as RequestId
    const wire = this.#newRequestId?.() ?? id
    const params = message.params as { _meta?: { progressToken?: unknown } } | undefined
    const token = params?._meta?.progressToken === id
    this.#awaitingReplies ??= new Map()
    this.#awaitingReplies.set(idKey(wire), { id, token })
    if (wire === id) return message
    this.#wireIds ??= new Map()
    this.#wireIds.set(idKey(id), wire as string)
    const rewritten: McpMessage = { ...message, id: wire }
    if (!token) return rewritten
    return {
      ...rewritten,
      params: { ...params, _meta: { ...params!._meta, progressToken: wire } },
    }
  }

  /** The wire id of an awaited server request, given the server's own id. */
  #wireIdOf(id: unknown): RequestId | undefined {
    if (typeof id !== 'string' && typeof id !== 'number') return undefined
    return this.#wireIds?.get(idKey(id)) ?? id
  }

  /** Whether the server awaits the client's answer to its request with this wire id. */
  awaits(wireId: RequestId): boolean {
    return this.#awaitingReplies?.has(idKey(wireId)) === true
  }

  /** The wire ids of the server's requests the client has not answered yet, as `requestKey` writes them. */
  get awaitedKeys(): string[] {
    return this.#awaitingReplies === undefined ? [] : [...this.#awaitingReplies.keys()]
  }

  /** Whether the server waits for the client's answer to one of its requests (sampling, elicitation...). */
  get awaitingReplies(): boolean {
    return this.#awaitingReplies !== undefined
  }

  /** Forgets an awaited request by its wire id; returns that wire id when it was awaited. */
  #answered(wire: RequestId | undefined): RequestId | undefined {
    const awaiting = this.#awaitingReplies
    if (awaiting === undefined || wire === undefined) return undefined
    const entry = awaiting.get(idKey(wire))
    if (entry === undefined) return undefined
    awaiting.delete(idKey(wire))
    this.#wireIds?.delete(idKey(entry.id))
    if (awaiting.size === 0) this.#awaitingReplies = undefined
    if (this.#wireIds?.size === 0) this.#wireIds = undefined
    return wire
  }

  /** The client's message as the server must see it: wire ids and tokens mapped back to its own. */
  #toServer(message: McpMessage): McpMessage {
    const awaiting = this.#awaitingReplies
    if (awaiting === undefined) return message
    if (isResponse(message)) {
      const id = message.id
      if (typeof id !== 'string' && typeof id !== 'number') return message
      const entry = awaiting.get(idKey(id))
      if (entry === undefined) return message
      this.#answered(id)
      return entry.id === id ? message : { ...message, id: entry.id }
    }
    if (message.method === 'notifications/progress') {
      const params = message.params as { progressToken?: unknown } | undefined
      const token = params?.progressToken
      if (typeof token !== 'string' && typeof token !== 'number') return message
      const entry = awaiting.get(idKey(token))
      if (entry === undefined || !entry.token || entry.id === token) return message
      return { ...message, params: { ...params, progressToken: entry.id } }
    }
    return message
  }

  /** Ends the session: every stream closes and `onclose` fires once. */
  close(): Promise<void> {
    return this.#router.close()
  }

  /** Records the negotiated protocol version (called by the SDK after initialize). */
  setProtocolVersion(version: string): void {
    this.protocolVersion = version
  }

  /** Hands an incoming message to the server. */
  receive(message: McpMessage, extra: MessageExtraInfo): void {
    if (this.#closed) return
    const incoming = this.#toServer(message)
    try {
      this.onmessage?.(incoming, extra)
    } catch (error) {
      this.reportError(error)
    }
  }

  /** Reports an error to the server's `onerror`. */
  reportError(error: unknown): void {
    try {
      this.onerror?.(error instanceof Error ? error : new Error(String(error)))
    } catch {
      // A throwing onerror must not break the handler.
    }
  }

  /** Marks the transport closed and fires `onclose`, once. */
  markClosed(): void {
    if (this.#closed) return
    this.#closed = true
    try {
      this.onclose?.()
    } catch (error) {
      this.reportError(error)
    }
  }
}
