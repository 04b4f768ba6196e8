import type { EventStream } from './event-stream.js'
import { idKey, isResponse, type McpMessage, type RequestId } from './message.js'
import type { Metrics } from './metrics.js'
import type { ResolvedOptions } from './options.js'
import { OutboundStream } from './outbound-stream.js'
import type { RequestScope } from './request-scope.js'
import type { TimerHandle } from './timers.js'
import { McpTransport, type MessageRouter } from './transport.js'

/** How many ended POST streams a session keeps resumable. */
export const MAX_ENDED_STREAMS = 16

/** Which transport a session speaks. */
export type SessionKind = 'streamable' | 'legacy'

/**
 * One client session: its transport, the request scopes in flight, its standalone stream and
 * its idle timer. Routes the server's messages (never broadcast, never twice):
 * a response to its request's stream; a related message to that stream while it is open;
 * anything else to the standalone GET stream (or only to the event store when no GET is open).
 */
export class Session implements MessageRouter {
  readonly id: string
  readonly principal: string
  readonly kind: SessionKind
  readonly transport: McpTransport
  /** The protocol version the client asked for at initialize. */
  protocolVersion: string
  /** The standalone stream (GET on Streamable HTTP, the only stream on legacy). */
  readonly standalone: OutboundStream
  /** The connection carrying the standalone stream, while open. */
  standaloneConnection: EventStream | undefined
  readonly #options: ResolvedOptions
  readonly #metrics: Metrics
  readonly #onEnd: (session: Session) => void
  readonly #scopes = new Map<string, RequestScope>()
  readonly #streams = new Map<string, OutboundStream>()
  /** Ended POST streams still resumable, oldest first; bounded by {@link MAX_ENDED_STREAMS}. */
  readonly #endedStreams: string[] = []
  #idle: TimerHandle | undefined
  #closed = false

  constructor(
    id: string,
    principal: string,
    kind: SessionKind,
    protocolVersion: string,
    options: ResolvedOptions,
    metrics: Metrics,
    onEnd: (session: Session) => void,
  ) {
    this.id = id
    this.principal = principal
    this.kind = kind
    this.protocolVersion = protocolVersion
    this.#options = options
    this.#metrics = metrics
    this.#onEnd = onEnd
    this.transport = new McpTransport(id, this)
    this.standalone = this.createStream(kind === 'legacy')
    metrics.sessions++
    this.touch()
  }

  /** Whether the session has ended. */
  get closed(): boolean {
    return this.#closed
  }

  /** A new logical stream of this session, resumable when an event store is configured. */
  createStream(legacy = false): OutboundStream {
    const stream = new OutboundStream({
      streamId: crypto.randomUUID(),
      eventStore: legacy ? undefined : this.#options.eventStore,
      eventName: legacy ? 'message' : undefined,
      metrics: this.#metrics,
      onerror: this.#options.onerror,
    })
    this.#streams.set(stream.streamId, stream)
    return stream
  }

  /** The logical stream with this id, if it belongs to the session. */
  getStream(streamId: string): OutboundStream | undefined {
    return this.#streams.get(streamId)
  }

  /** Registers a POST's scope under its request ids; `false` when an id is already in flight. */
  addScope(scope: RequestScope, ids: readonly RequestId[]): boolean {
    if (ids.some((id) => this.#scopes.has(idKey(id)))) return false
    for (const id of ids) this.#scopes.set(idKey(id), scope)
    return true
  }

  /**
   * Forgets a finished scope. Its stream stays replayable (a client that lost the connection can
   * still fetch the final response) until {@link MAX_ENDED_STREAMS} newer streams have ended.
   */
  removeScope(scope: RequestScope, ids: readonly RequestId[]): void {
    for (const id of ids) {
      if (this.#scopes.get(idKey(id)) === scope) this.#scopes.delete(idKey(id))
    }
    if (scope.streamId !== undefined) {
      this.#endedStreams.push(scope.streamId)
      if (this.#endedStreams.length > MAX_ENDED_STREAMS) {
        const oldest = this.#endedStreams.shift()!
        this.#streams.delete(oldest)
        this.#deleteStored(oldest)
      }
    }
    this.touch()
  }

  #deleteStored(streamId: string): void {
    const store = this.#options.eventStore as { deleteStream?: (id: string) => void } | undefined
    store?.deleteStream?.(streamId)
  }

  /** The open scope of a request, if any. */
  scopeOf(id: RequestId): RequestScope | undefined {
    return this.#scopes.get(idKey(id))
  }

  async route(message: McpMessage, relatedRequestId: RequestId | undefined): Promise<void> {
    if (this.#closed) throw new Error('Session is closed')
    if (this.kind === 'legacy') return this.standalone.send(message)
    if (isResponse(message)) {
      const id = message.id as RequestId
      const scope = this.#scopes.get(idKey(id))
      if (scope === undefined) throw new Error('No open request for this response id')
      return scope.respond(id, message)
    }
    if (relatedRequestId !== undefined) {
      const scope = this.#scopes.get(idKey(relatedRequestId))
      if (scope !== undefined && !scope.done) return scope.related(message)
    }
    return this.standalone.send(message)
  }

  /** Restarts the idle timer: called on every request and whenever a stream closes. */
  touch(): void {
    if (this.#closed) return
    if (this.#idle !== undefined) this.#options.timers.clearTimeout(this.#idle)
    this.#idle = this.#options.timers.setTimeout(() => {
      this.#idle = undefined
      if (this.#busy()) this.touch()
      else void this.close()
    }, this.#options.sessionIdleMs)
  }

  /** How many logical streams the session keeps (for tests of its bounds). */
  get streamCount(): number {
    return this.#streams.size
  }

  #busy(): boolean {
    return this.#scopes.size > 0 || this.standaloneConnection?.open === true
  }

  /** Ends the session: scopes cancelled, streams closed, timers cleared, `onclose` fired once. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    if (this.#idle !== undefined) this.#options.timers.clearTimeout(this.#idle)
    this.#idle = undefined
    for (const scope of new Set(this.#scopes.values())) scope.cancel()
    this.#scopes.clear()
    for (const stream of this.#streams.values()) stream.abort()
    this.standaloneConnection?.end()
    this.standaloneConnection = undefined
    for (const streamId of this.#streams.keys()) this.#deleteStored(streamId)
    this.#streams.clear()
    this.#endedStreams.length = 0
    this.#metrics.sessions--
    this.#onEnd(this)
    this.transport.markClosed()
  }
}
