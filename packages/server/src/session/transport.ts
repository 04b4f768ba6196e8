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
  #closed = false
  /** Ids ({@link idKey}) of the server's requests the client has not answered yet; created on first use. */
  #awaitingReplies: Set<string> | undefined

  constructor(sessionId: string | undefined, router: MessageRouter) {
    this.sessionId = sessionId
    this.#router = router
  }

  /** Nothing to start: the handler already owns the HTTP side. */
  async start(): Promise<void> {}

  /** Sends a message to the client on the stream its routing rules pick. */
  send(message: McpMessage, options?: TransportSendOptions): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('Transport is closed'))
    if (isRequest(message)) {
      this.#awaitingReplies ??= new Set()
      this.#awaitingReplies.add(idKey(message.id as RequestId))
    } else if (message.method === 'notifications/cancelled') {
      this.#answered((message.params as { requestId?: unknown } | undefined)?.requestId)
    }
    return this.#router.route(message, options?.relatedRequestId)
  }

  /** Whether the server waits for the client's answer to one of its requests (sampling, elicitation...). */
  get awaitingReplies(): boolean {
    return this.#awaitingReplies !== undefined
  }

  #answered(id: unknown): void {
    const awaiting = this.#awaitingReplies
    if (awaiting === undefined || (typeof id !== 'string' && typeof id !== 'number')) return
    awaiting.delete(idKey(id))
    if (awaiting.size === 0) this.#awaitingReplies = undefined
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
    if (isResponse(message)) this.#answered(message.id)
    try {
      this.onmessage?.(message, extra)
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
