import type { McpMessage } from '../protocol/message.js'
import type { TimerHandle, Timers } from '../timers.js'
import type { StreamEndedError } from './cluster-event-store.js'
import { sessionOfStream } from './cluster-ids.js'
import type { ClusterBackend } from './memory-cluster.js'

/**
 * The `cluster` option of `createMcpHandler`: a shared backend (`createMemoryCluster()`, or
 * `createRedisCluster()` from `@mcpwire/redis`) plus how this instance takes part in it.
 *
 * @example
 * ```ts
 * const cluster = createMemoryCluster()
 * const a = createMcpHandler({ connect, hibernateAfterMs: 60_000, cluster: { ...cluster, instanceId: 'a' } })
 * const b = createMcpHandler({ connect, hibernateAfterMs: 60_000, cluster: { ...cluster, instanceId: 'b' } })
 * ```
 */
export interface ClusterOptions extends ClusterBackend {
  /** This instance's id: letters, digits and `-`, at most 64. Default: random. */
  readonly instanceId?: string
  /**
   * How often this instance says it is alive and re-reads the streams it relays; an instance
   * silent for 3 times this is dead, and the requests it ran get an error. Default: 5000.
   */
  readonly heartbeatMs?: number
  /** How long one backend call may take before the request gets 503. Default: 5000. */
  readonly backendTimeoutMs?: number
}

/**
 * Thrown when the cluster backend fails or does not answer in time: the request is answered
 * with 503, `Retry-After` and a JSON-RPC error, and the session is kept.
 *
 * @example
 * ```ts
 * if (error instanceof ClusterUnavailableError) console.warn('backend down', error.cause)
 * ```
 */
export class ClusterUnavailableError extends Error {
  /** Always `'ClusterUnavailableError'`. */
  override readonly name = 'ClusterUnavailableError'

  constructor(cause: unknown) {
    super('The cluster backend is unavailable', { cause })
  }
}

/** What instances tell each other on a session's topic. */
export type BusMessage =
  /** A stream has new events: whoever relays it reads on. */
  | { readonly t: 'ev'; readonly stream: string }
  /** A client resumed a stream on connection `keep`: every other connection to it closes. */
  | { readonly t: 'drop'; readonly stream: string; readonly keep: string }
  /** The client's answer to a server request: the instance awaiting it delivers it. */
  | { readonly t: 'answer'; readonly message: McpMessage }
  /** `notifications/cancelled`: the instance running the request delivers it. */
  | { readonly t: 'cancel'; readonly message: McpMessage }
  /** Another client notification every live server of the session is given. */
  | { readonly t: 'notify'; readonly message: McpMessage }
  /** The session was deleted. */
  | { readonly t: 'ended' }

/** Where a node hands what it hears on the bus. */
export interface BusListener {
  /** A message for a session: answers, cancels, notifications, DELETE. */
  onSessionMessage(sessionId: string, message: BusMessage): void
  /**
   * Time to read what the bus may have lost from the stores: after the bus reconnected
   * (`reconnected`), and at every heartbeat.
   */
  onCatchUp?(reconnected: boolean): void
}

/** A connection that relays a stored stream: nudged on new events, closed by a drop. */
export interface StreamTail {
  /** The stream relayed. */
  readonly streamId: string
  /** The connection's id, as a `drop` message names it. */
  readonly connectionId: string
  /** New events may be stored. */
  nudge(): void
  /** Closes the connection. */
  close(): void
}

const TOPIC_PREFIX = 's.'

/**
 * One instance's part in a cluster: backend calls with a deadline (failures become
 * {@link ClusterUnavailableError}), its heartbeat, its subscriptions to session topics (counted,
 * so a session's topic is heard while anything of it is live here) and the tails it relays.
 */
export class ClusterNode {
  readonly instanceId: string
  readonly heartbeatMs: number
  readonly backend: ClusterBackend
  readonly #timers: Timers
  readonly #timeoutMs: number
  readonly #onerror: (error: unknown) => void
  /** Per session topic: how many users, and the subscription. */
  readonly #subscriptions = new Map<
    string,
    { count: number; ready: Promise<(() => Promise<void>) | undefined> }
  >()
  readonly #tails = new Map<string, Set<StreamTail>>()
  #listener: BusListener | undefined
  #heartbeat: TimerHandle | undefined
  #offReconnect: (() => void) | undefined
  #stopped = false
  /** Producer sequence numbers: increasing across restarts of an instance id. */
  #seq = Math.floor(Date.now())

  constructor(options: ClusterOptions, timers: Timers, onerror: (error: unknown) => void) {
    const instanceId = options.instanceId ?? crypto.randomUUID().slice(0, 12)
    if (!/^[A-Za-z0-9-]{1,64}$/.test(instanceId)) {
      throw new TypeError('cluster.instanceId has letters, digits and - only (at most 64)')
    }
    this.instanceId = instanceId
    this.heartbeatMs = options.heartbeatMs ?? 5000
    this.#timeoutMs = options.backendTimeoutMs ?? 5000
    if (!(this.heartbeatMs >= 1) || !(this.#timeoutMs >= 1)) {
      throw new RangeError('cluster.heartbeatMs and cluster.backendTimeoutMs must be at least 1')
    }
    this.backend = { sessions: options.sessions, events: options.events, bus: options.bus }
    this.#timers = timers
    this.#onerror = onerror
  }

  /** How long one backend call, or an answer awaited over the bus, may take. */
  get backendTimeoutMs(): number {
    return this.#timeoutMs
  }

  /** How long a heartbeat lasts: 3 periods. */
  get livenessMs(): number {
    return this.heartbeatMs * 3
  }

  /**
   * How long a stored answer or cancel waits to be taken: 10 heartbeats, at least 30 s. Its
   * waiter takes it at the latest at its next heartbeat, or as soon as its bus is back.
   */
  get answerTtlMs(): number {
    return Math.max(30_000, this.heartbeatMs * 10)
  }

  /** Sets who hears the session messages. */
  listen(listener: BusListener): void {
    this.#listener = listener
  }

  /**
   * Runs one backend call with a deadline. A stream that ended and a read out of range pass as
   * they are; any other failure, or no answer in time, becomes {@link ClusterUnavailableError}.
   */
  async call<T>(work: () => Promise<T>): Promise<T> {
    let timer: TimerHandle | undefined
    const deadline = new Promise<never>((_, reject) => {
      timer = this.#timers.setTimeout(
        () => reject(new ClusterUnavailableError(new Error('No answer in time'))),
        this.#timeoutMs,
      )
    })
    try {
      return await Promise.race([work(), deadline])
    } catch (error) {
      if (isStreamEnded(error) || error instanceof RangeError) throw error
      if (error instanceof ClusterUnavailableError) throw error
      throw new ClusterUnavailableError(error)
    } finally {
      this.#timers.clearTimeout(timer)
    }
  }

  /** A new producer sequence number for this instance's appends. */
  nextSeq(): number {
    this.#seq++
    return this.#seq
  }

  /**
   * Starts the heartbeat, and the catch-up after a bus reconnect: what was published while the
   * subscriber was away is lost (pub/sub is at most once), so every stream relayed here reads
   * the event store again at once instead of at its next heartbeat, and the sessions take the
   * answers and cancels stored for them (see `SessionStore.storeAnswer`).
   */
  start(): void {
    this.#offReconnect = this.backend.bus.onReconnect?.(() => {
      this.catchUp()
      this.#listener?.onCatchUp?.(true)
    })
    let first = true
    const beat = (): void => {
      this.#heartbeat = undefined
      if (this.#stopped) return
      this.call(() => this.backend.sessions.heartbeat(this.instanceId, this.livenessMs)).catch(
        this.#onerror,
      )
      if (!first) this.#listener?.onCatchUp?.(false)
      first = false
      this.#heartbeat = this.#timers.setTimeout(beat, this.heartbeatMs)
    }
    beat()
  }

  /** Stops the heartbeat and marks this instance gone at once, so others reap its requests. */
  async stop(): Promise<void> {
    this.#stopped = true
    this.#offReconnect?.()
    this.#offReconnect = undefined
    this.#timers.clearTimeout(this.#heartbeat)
    this.#heartbeat = undefined
    await this.call(() => this.backend.sessions.heartbeat(this.instanceId, 0)).catch(this.#onerror)
  }

  /** Hears a session's topic (counted: each call needs one {@link release}). */
  async retain(sessionId: string): Promise<void> {
    let entry = this.#subscriptions.get(sessionId)
    if (entry === undefined) {
      const ready = this.call(() =>
        this.backend.bus.subscribe(TOPIC_PREFIX + sessionId, (payload) =>
          this.#hear(sessionId, payload),
        ),
      ).catch((error: unknown) => {
        this.#subscriptions.delete(sessionId)
        throw error
      })
      entry = { count: 0, ready }
      this.#subscriptions.set(sessionId, entry)
    }
    entry.count++
    try {
      await entry.ready
    } catch (error) {
      entry.count--
      throw error
    }
  }

  /** Stops hearing a session's topic once its last user lets go. */
  release(sessionId: string): void {
    const entry = this.#subscriptions.get(sessionId)
    if (entry === undefined || --entry.count > 0) return
    this.#subscriptions.delete(sessionId)
    entry.ready.then((unsubscribe) => unsubscribe?.()).catch(() => {})
  }

  /** Session topics heard now (for leak checks). */
  get subscriptions(): number {
    return this.#subscriptions.size
  }

  /** Tells every instance hearing the session; resolves with how many heard it, when known. */
  publish(sessionId: string, message: BusMessage): Promise<number | undefined> {
    return this.call(() =>
      this.backend.bus.publish(TOPIC_PREFIX + sessionId, JSON.stringify(message)),
    )
  }

  /** Registers a tail: it is nudged and dropped by what the bus says about its stream. */
  addTail(tail: StreamTail): void {
    let tails = this.#tails.get(tail.streamId)
    if (tails === undefined) {
      tails = new Set()
      this.#tails.set(tail.streamId, tails)
    }
    tails.add(tail)
  }

  removeTail(tail: StreamTail): void {
    const tails = this.#tails.get(tail.streamId)
    if (tails === undefined) return
    tails.delete(tail)
    if (tails.size === 0) this.#tails.delete(tail.streamId)
  }

  /** Nudges every stream relayed here: each reads on from its cursor in the event store. */
  catchUp(): void {
    for (const tails of [...this.#tails.values()]) for (const tail of [...tails]) tail.nudge()
  }

  #hear(sessionId: string, payload: string): void {
    let message: BusMessage
    try {
      message = JSON.parse(payload) as BusMessage
    } catch {
      return
    }
    if (message.t === 'ev') {
      for (const tail of this.#tails.get(message.stream) ?? []) tail.nudge()
    } else if (message.t === 'drop') {
      for (const tail of [...(this.#tails.get(message.stream) ?? [])]) {
        if (tail.connectionId !== message.keep) tail.close()
      }
    } else if (message.t === 'ended') {
      for (const [streamId, tails] of [...this.#tails]) {
        if (sessionOf(streamId) === sessionId) for (const tail of [...tails]) tail.close()
      }
    }
    this.#listener?.onSessionMessage(sessionId, message)
  }
}

/**
 * Whether `error` is a {@link StreamEndedError}, by name: a backend package may bring its own copy
 * of this module (a bundled or duplicated `@mcpwire/server`).
 */
export function isStreamEnded(error: unknown): boolean {
  return error instanceof Error && error.name === 'StreamEndedError'
}

function sessionOf(streamId: string): string | undefined {
  try {
    return sessionOfStream(streamId)
  } catch {
    return undefined
  }
}
