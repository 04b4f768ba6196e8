import type { ClusterNode } from '../cluster/cluster-node.js'
import { ClusterStreamWriter } from '../cluster/cluster-stream-writer.js'
import type { ReplayState } from '../cluster/session-store.js'
import type { EventStream } from '../http/event-stream.js'
import type { Metrics } from '../metrics.js'
import type { ResolvedOptions } from '../options.js'
import {
  cancelledRequestId,
  idKey,
  isResponse,
  type McpMessage,
  type RequestId,
} from '../protocol/message.js'
import { OutboundStream } from './outbound-stream.js'
import { type ReplayLog, replayDelta } from './replay-log.js'
import type { RequestScope } from './request-scope.js'
import { McpTransport, type MessageExtraInfo, type MessageRouter } from './transport.js'

/** How many ended POST streams a session keeps resumable. */
export const MAX_ENDED_STREAMS = 16

/** How long rebuilding a hibernated session's server may take before the session is ended. */
export const WAKE_TIMEOUT_MS = 10_000

/** Which transport a session speaks. */
export type SessionKind = 'streamable' | 'legacy'

/** What a session needs from the registry that holds it. */
export interface SessionHost {
  readonly options: ResolvedOptions
  readonly metrics: Metrics
  /** Records activity (restarts the idle deadline). */
  touch(session: Session): void
  /** Called once when the session has ended. */
  ended(session: Session): void
  /**
   * A new stream id, unique among the handler's streams (and so in a shared event store); in a
   * cluster, the session's standalone stream has a fixed one.
   */
  newStreamId(session: Session, standalone: boolean): string
  /** A new id for a request the server sends the client, unique among the handler's. */
  newServerRequestId(): string
  /** Called once when the client first uses the session after `initialize`. */
  used(session: Session): void
  /** In a cluster: this instance's part in it (sessions are shared, their events too). */
  readonly cluster?: ClusterNode | undefined
  /**
   * Called when the server answered `initialize` successfully, before the answer goes out: in a
   * cluster, the session is stored then, so a next request that lands elsewhere finds it.
   */
  initialized?(session: Session): Promise<void>
}

/**
 * One client session: its transport, the request scopes in flight and its standalone stream.
 * Routes the server's messages (never broadcast, never twice):
 * a response to its request's stream; a related message to that stream while it is open;
 * anything else to the standalone GET stream (or only to the event store when no GET is open).
 *
 * An idle session holds little: the standalone stream is created on first use, and an ended POST
 * stream is kept only as its id (its events are in the event store) until it is resumed.
 *
 * With a {@link ReplayLog} (the `hibernateAfterMs` option), an idle session can also let its
 * server go ({@link hibernate}): its transport closes, and {@link wake} later connects a new one
 * and replays the log into it, so the client sees one unbroken session.
 */
export class Session implements MessageRouter {
  readonly id: string
  readonly principal: string
  readonly kind: SessionKind
  /**
   * The session's protocol version: the one the client asked for at initialize, then the one the
   * server answered with (the negotiated version).
   */
  protocolVersion: string
  /** When the session was created, on the handler's clock (set by the registry). */
  createdAt = 0
  /** When the session was last active, on the handler's clock (set by the registry). */
  lastActive = 0
  /** The connection carrying the standalone stream, while open. */
  standaloneConnection: EventStream | undefined
  readonly #host: SessionHost
  /** The live server's transport; undefined while the session hibernates or wakes. */
  #transport: McpTransport | undefined
  /** What rebuilding the server takes; only where the session may hibernate. */
  #replayLog: ReplayLog | undefined
  #hibernated = false
  /** The rebuild in progress, shared by every request that waits for it. */
  #waking: Promise<boolean> | undefined
  /** While a rebuilt server is being replayed to: the answers awaited, by {@link idKey}. */
  #replayAnswers: Map<string, (answer: McpMessage) => void> | undefined
  #standalone: OutboundStream | undefined
  // Created on first use and dropped when empty: an idle session holds none of them.
  /** Open request scopes by request id ({@link idKey}). */
  #scopes: Map<string, RequestScope> | undefined
  /** Live POST streams by id (the standalone stream is kept apart). */
  #streams: Map<string, OutboundStream> | undefined
  /**
   * Ended POST streams still resumable, oldest first, with the bytes each stored: at most
   * {@link MAX_ENDED_STREAMS} of them and `maxSessionEventBytes` in all.
   */
  #endedStreams: Map<string, number> | undefined
  #endedBytes = 0
  #closed = false
  #used = false
  /** Rejects a rebuild in progress the moment the session ends. */
  #abortWake: ((reason: Error) => void) | undefined
  /** The key ({@link idKey}) of the client's `initialize` request until the server answers it. */
  #initializeKey: string | undefined
  /** In a cluster: the version of the stored replay log this session's log matches. */
  replayVersion = 0
  /** In a cluster: whether this instance hears the session's topic (released when it ends). */
  retained = false
  /** Replay requests sent to a live server (a change made on another instance), for their ids. */
  #liveReplays = 0

  constructor(
    id: string,
    principal: string,
    kind: SessionKind,
    protocolVersion: string,
    host: SessionHost,
    replayLog?: ReplayLog,
    adopted = false,
  ) {
    this.id = id
    this.principal = principal
    this.kind = kind
    this.protocolVersion = protocolVersion
    this.#host = host
    this.#replayLog = replayLog
    if (adopted && replayLog !== undefined) {
      // A session another instance created: its server is built by the first wake.
      this.#hibernated = true
      this.#used = true
      host.metrics.hibernatedSessions++
    } else {
      this.#transport = this.#newTransport()
    }
  }

  /** The replay log as data (for a shared store), when the session keeps one. */
  get replayState(): ReplayState | undefined {
    return this.#replayLog?.toState()
  }

  /**
   * Takes a newer replay log (another instance of a cluster changed the session's state). A
   * sleeping server is rebuilt from it at the next wake; a live one is sent what changed
   * (`notifications/initialized`, `logging/setLevel`, `resources/subscribe` or `unsubscribe`),
   * its answers kept from the client, as a rebuild does.
   */
  reload(log: ReplayLog, version: number): void {
    const before = this.#replayLog?.toState()
    if (this.#closed || before === undefined) return
    this.#replayLog = log
    this.replayVersion = version
    const transport = this.#transport
    if (this.#hibernated || transport === undefined) return
    for (const { message, awaitsAnswer } of replayDelta(before, log.toState())) {
      let sent = message
      if (awaitsAnswer) {
        const id = `mcpwire:replay:live:${++this.#liveReplays}`
        sent = { ...message, id }
        this.#replayAnswers ??= new Map()
        const answers = this.#replayAnswers
        answers.set(idKey(id), () => {
          answers.delete(idKey(id))
          if (answers.size === 0 && this.#replayAnswers === answers) this.#replayAnswers = undefined
        })
      }
      transport.receive(sent, {})
    }
  }

  /** Whether the live server awaits the client's answer with this wire id. */
  awaitsAnswer(id: RequestId): boolean {
    return this.#transport?.awaits(id) ?? false
  }

  /** The wire ids ({@link idKey}) of the live server's requests the client has not answered yet. */
  get awaitedAnswerKeys(): string[] {
    return this.#transport?.awaitedKeys ?? []
  }

  /** The ids ({@link idKey}) of the client's requests running here (their scopes are open). */
  get runningRequestKeys(): string[] {
    return this.#scopes === undefined ? [] : [...this.#scopes.keys()]
  }

  /** A POST stream this instance produces and that has not ended, if any. */
  liveStream(streamId: string): OutboundStream | undefined {
    return this.#streams?.get(streamId)
  }

  #newTransport(): McpTransport {
    return new McpTransport(this.id, this, () => this.#host.newServerRequestId())
  }

  /** Notes the client's `initialize` request, whose answer tells the negotiated version. */
  expectInitializeAnswer(id: RequestId): void {
    this.#initializeKey = idKey(id)
  }

  /** Whether the client has used the session since `initialize` (see {@link markUsed}). */
  get used(): boolean {
    return this.#used
  }

  /** Records that the client came back after `initialize`: the short unused-session TTL no longer applies. */
  markUsed(): void {
    if (this.#used || this.#closed) return
    this.#used = true
    this.#host.used(this)
  }

  /** Whether the session keeps a replay log, so its server may ever hibernate. */
  get canHibernate(): boolean {
    return this.#replayLog !== undefined
  }

  /** Whether the session has let its server go (see {@link hibernate}). */
  get hibernated(): boolean {
    return this.#hibernated
  }

  /** Calls `connect` with the session's first transport. */
  async connect(): Promise<void> {
    await this.#host.options.connect(this.#transport!)
  }

  /** Hands a client message to the server (which must be awake), noting what a replay needs. */
  receive(message: McpMessage, extra: MessageExtraInfo): void {
    this.#replayLog?.observe(message)
    this.#transport?.receive(message, extra)
    if (message.method === 'notifications/cancelled') {
      // A cancelled request gets no response (the SDK sends none): its scope must not wait for one.
      const requestId = cancelledRequestId(message)
      if (requestId !== undefined) this.#scopes?.get(idKey(requestId))?.abandon(requestId)
    }
  }

  /**
   * Lets the server go while nothing is in flight (no request open, no stream connected, no
   * server request awaiting the client's answer) and the replay log can rebuild it. The transport
   * closes (its `onclose` fires); the session keeps its id, streams and replay log.
   *
   * @returns Whether the session now hibernates.
   */
  hibernate(): boolean {
    const transport = this.#transport
    if (this.#replayLog?.replayable !== true || transport === undefined || this.#closed)
      return false
    if (this.busy || this.#streams !== undefined || transport.awaitingReplies) return false
    this.#transport = undefined
    this.#hibernated = true
    this.#host.metrics.hibernatedSessions++
    transport.markClosed()
    return true
  }

  /**
   * Makes sure the server is live: a hibernated session calls `connect` with a new transport and
   * replays its log into it (the server's answers to the replay never reach the client). Requests
   * that arrive meanwhile share the one rebuild.
   *
   * @returns `true` once the server is live; `false` when the session has ended, also because the
   * rebuild failed or took over {@link WAKE_TIMEOUT_MS} (the fault goes to `onerror`).
   */
  wake(): Promise<boolean> {
    if (this.#closed) return Promise.resolve(false)
    if (!this.#hibernated) return Promise.resolve(true)
    this.#waking ??= this.#rebuild().finally(() => {
      this.#waking = undefined
    })
    return this.#waking
  }

  async #rebuild(): Promise<boolean> {
    const transport = this.#newTransport()
    const answers = new Map<string, (answer: McpMessage) => void>()
    this.#replayAnswers = answers
    const { timers, connect, onerror } = this.#host.options
    let timer: unknown
    const deadline = new Promise<never>((_, reject) => {
      timer = timers.setTimeout(
        () => reject(new Error('Rebuilding a hibernated session took too long')),
        WAKE_TIMEOUT_MS,
      )
    })
    deadline.catch(() => {}) // observed through the races below
    // A DELETE or close() during the rebuild answers every waiting request at once.
    const ended = new Promise<never>((_, reject) => {
      this.#abortWake = reject
    })
    ended.catch(() => {})
    try {
      await Promise.race([connect(transport), deadline, ended])
      for (const { message, awaitsAnswer, mustSucceed } of this.#replayLog!.messages()) {
        const answer = awaitsAnswer
          ? new Promise<McpMessage>((resolve) =>
              answers.set(idKey(message.id as RequestId), resolve),
            )
          : undefined
        transport.receive(message, {})
        if (answer === undefined) continue
        if ('error' in (await Promise.race([answer, deadline, ended])) && mustSucceed) {
          throw new Error(`The rebuilt server refused the replayed ${String(message.method)}`)
        }
      }
    } catch (error) {
      if (!this.#closed) onerror(error)
      transport.markClosed()
      await this.close()
      return false
    } finally {
      timers.clearTimeout(timer)
      this.#replayAnswers = undefined
      this.#abortWake = undefined
    }
    if (this.#closed) {
      transport.markClosed() // ended while it woke: the new server goes too
      return false
    }
    this.#transport = transport
    this.#hibernated = false
    this.#host.metrics.hibernatedSessions--
    this.#host.metrics.rebuiltServers++
    return true
  }

  /** Whether the session has ended. */
  get closed(): boolean {
    return this.#closed
  }

  /** Whether a request is in flight, the standalone stream is connected or the server is waking. */
  get busy(): boolean {
    return (
      this.#scopes !== undefined ||
      this.standaloneConnection?.open === true ||
      this.#waking !== undefined
    )
  }

  /** The standalone stream (GET on Streamable HTTP, the only stream on legacy), created on first use. */
  get standalone(): OutboundStream {
    this.#standalone ??= this.#newStream(
      this.#host.newStreamId(this, true),
      this.kind === 'legacy',
      undefined,
    )
    return this.#standalone
  }

  /** Whether `stream` is this session's standalone stream. */
  isStandalone(stream: OutboundStream): boolean {
    return stream === this.#standalone
  }

  /**
   * A new logical POST stream, resumable when an event store is configured. It belongs to the
   * session once {@link addScope} accepts the scope it carries.
   */
  createStream(requestIds: readonly RequestId[] = []): OutboundStream {
    return this.#newStream(this.#host.newStreamId(this, false), false, requestIds)
  }

  /**
   * The logical stream with this id, if it belongs to the session. An ended POST stream comes
   * back as a new ended {@link OutboundStream}: resuming it replays its stored events, then ends.
   */
  getStream(streamId: string): OutboundStream | undefined {
    if (this.#standalone?.streamId === streamId) return this.#standalone
    const live = this.#streams?.get(streamId)
    if (live !== undefined) return live
    if (this.#endedStreams?.has(streamId) !== true) return undefined
    const stream = this.#newStream(streamId, false, undefined)
    stream.end()
    return stream
  }

  /** Records activity on the session (restarts its idle deadline). */
  touch(): void {
    this.#host.touch(this)
  }

  /**
   * Registers a POST's scope under its request ids, with the stream that carries its answers;
   * `false`, and nothing kept, when an id is already in flight.
   */
  addScope(
    scope: RequestScope,
    ids: readonly RequestId[],
    stream?: OutboundStream,
  ): true | 'in-use' | 'closed' {
    // Ended while the POST waited (for a wake, say): nothing would ever answer the scope.
    if (this.#closed || this.#transport === undefined) return 'closed'
    this.#scopes ??= new Map()
    const scopes = this.#scopes
    if (ids.some((id) => scopes.has(idKey(id)))) {
      if (scopes.size === 0) this.#scopes = undefined
      return 'in-use'
    }
    for (const id of ids) scopes.set(idKey(id), scope)
    if (stream !== undefined) {
      this.#streams ??= new Map()
      this.#streams.set(stream.streamId, stream)
    }
    return true
  }

  /**
   * Forgets a finished scope. Its stream stays replayable (a client that lost the connection can
   * still fetch the final response) until {@link MAX_ENDED_STREAMS} newer streams have ended.
   */
  removeScope(scope: RequestScope, ids: readonly RequestId[]): void {
    const scopes = this.#scopes
    if (scopes !== undefined) {
      for (const id of ids) {
        if (scopes.get(idKey(id)) === scope) scopes.delete(idKey(id))
      }
      if (scopes.size === 0) this.#scopes = undefined
    }
    const streamId = scope.streamId
    const streams = this.#streams
    const stream = streamId === undefined ? undefined : streams?.get(streamId)
    if (streamId !== undefined && stream !== undefined && streams !== undefined) {
      streams.delete(streamId)
      if (streams.size === 0) this.#streams = undefined
      if (this.#host.options.eventStore !== undefined) {
        this.#endedStreams ??= new Map()
        const ended = this.#endedStreams
        const bytes = stream.storedBytes
        ended.set(streamId, bytes)
        this.#endedBytes += bytes
        // Over a bound, the session forgets its own oldest streams, never another session's.
        const maxBytes = this.#host.options.maxSessionEventBytes
        for (const [oldest, oldestBytes] of ended) {
          if (ended.size <= MAX_ENDED_STREAMS && this.#endedBytes <= maxBytes) break
          if (oldest === streamId) break // the newest stays resumable, whatever its size
          ended.delete(oldest)
          this.#endedBytes -= oldestBytes
          this.#host.metrics.evictedStreams++
          this.#deleteStored(oldest)
        }
      }
    }
    this.touch()
  }

  /** The open scope of a request, if any. */
  scopeOf(id: RequestId): RequestScope | undefined {
    return this.#scopes?.get(idKey(id))
  }

  async route(message: McpMessage, relatedRequestId: RequestId | undefined): Promise<void> {
    if (this.#closed) throw new Error('Session is closed')
    if (this.kind === 'legacy') return this.standalone.send(message)
    if (isResponse(message)) {
      const id = message.id as RequestId
      const replayed = this.#replayAnswers?.get(idKey(id))
      if (replayed !== undefined) {
        this.#replayAnswers!.delete(idKey(id))
        return replayed(message)
      }
      if (this.#initializeKey === idKey(id)) {
        this.#initializeKey = undefined
        const version = (message.result as { protocolVersion?: unknown } | undefined)
          ?.protocolVersion
        if (typeof version === 'string') this.protocolVersion = version
        if ('result' in message && this.#host.cluster !== undefined && this.#host.initialized) {
          try {
            await this.#host.initialized(this)
          } catch (error) {
            // The session could not be shared: the client is told, and starts over.
            this.#host.options.onerror(error)
            const scope = this.#scopes?.get(idKey(id))
            const refusal: McpMessage = {
              jsonrpc: '2.0',
              id,
              error: {
                code: -32603,
                message: 'Service unavailable: the session could not be stored',
              },
            }
            await scope?.respond(id, refusal)
            await this.close()
            return
          }
        }
      }
      const scope = this.#scopes?.get(idKey(id))
      if (scope === undefined) {
        // Its request was cancelled, or is unknown: there is nobody to answer.
        this.#host.metrics.droppedMessages++
        return
      }
      return scope.respond(id, message)
    }
    if (relatedRequestId !== undefined) {
      const scope = this.#scopes?.get(idKey(relatedRequestId))
      if (scope !== undefined && !scope.done) return scope.related(message)
    }
    return this.standalone.send(message)
  }

  /** How many logical streams the session keeps, ended ones included (for tests of its bounds). */
  get streamCount(): number {
    const standalone = this.#standalone === undefined ? 0 : 1
    return (this.#streams?.size ?? 0) + (this.#endedStreams?.size ?? 0) + standalone
  }

  /** Ends the session: scopes cancelled, streams closed, stored events deleted, `onclose` fired once. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#abortWake?.(new Error('Session ended while its server was being rebuilt'))
    const scopes = this.#scopes
    const streams = this.#streams
    this.#scopes = undefined
    this.#streams = undefined
    if (scopes !== undefined) for (const scope of new Set(scopes.values())) scope.cancel()
    for (const stream of streams?.values() ?? []) stream.abort()
    this.#standalone?.abort()
    this.standaloneConnection?.end()
    this.standaloneConnection = undefined
    for (const streamId of streams?.keys() ?? []) this.#deleteStored(streamId)
    for (const streamId of this.#endedStreams?.keys() ?? []) this.#deleteStored(streamId)
    if (this.#standalone !== undefined) this.#deleteStored(this.#standalone.streamId)
    this.#endedStreams = undefined
    this.#endedBytes = 0
    if (this.#hibernated) {
      this.#hibernated = false
      this.#host.metrics.hibernatedSessions--
    }
    this.#host.ended(this)
    this.#transport?.markClosed()
  }

  #newStream(
    streamId: string,
    legacy: boolean,
    requestIds: readonly RequestId[] | undefined,
  ): OutboundStream {
    const { eventStore, onerror, sessionIdleMs } = this.#host.options
    const node = this.#host.cluster
    // In a cluster, the stream answering initialize comes before the session is stored: it is
    // not resumable (it carries one short answer).
    const unstored = node !== undefined && requestIds !== undefined && this.replayVersion === 0
    if (node === undefined || legacy || this.kind === 'legacy' || unstored) {
      return new OutboundStream({
        streamId,
        eventStore: legacy || unstored ? undefined : eventStore,
        eventName: legacy ? 'message' : undefined,
        metrics: this.#host.metrics,
        onerror,
      })
    }
    const standalone = requestIds === undefined
    const writer = new ClusterStreamWriter({
      node,
      sessionId: this.id,
      streamId,
      standalone,
      pending: (requestIds ?? []).map(idKey),
      ttlMs: sessionIdleMs,
    })
    const stream = new OutboundStream({
      streamId,
      eventStore: writer,
      metrics: this.#host.metrics,
      // A request on a session gone from the store gets 404; its stream's failure is no error.
      onerror: (error) => {
        if (!writer.sessionGone) onerror(error)
      },
      onEnd: () => writer.finish(),
    })
    writer.connected = () => stream.connected
    if (!standalone) writer.onFailure = () => stream.abort()
    return stream
  }

  #deleteStored(streamId: string): void {
    // A cluster's store deletes a session's streams with it, and trims ended ones itself.
    if (this.#host.cluster !== undefined) return
    const store = this.#host.options.eventStore as
      | { deleteStream?: (id: string) => void }
      | undefined
    store?.deleteStream?.(streamId)
  }
}
