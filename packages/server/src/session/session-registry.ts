import { clusterStreamId, standaloneStreamId } from '../cluster/cluster-ids.js'
import type { ClusterNode } from '../cluster/cluster-node.js'
import type { SessionRecord } from '../cluster/session-store.js'
import { errorReply, type Reply } from '../http/reply.js'
import type { Metrics } from '../metrics.js'
import type { ResolvedOptions } from '../options.js'
import type { McpMessage } from '../protocol/message.js'
import type { TimerHandle } from '../timers.js'
import { ReplayLog } from './replay-log.js'
import { Session, type SessionHost, type SessionKind } from './session.js'

const MAX_TIMER_MS = 2 ** 31 - 1

/** The outcome of looking a session up for a request. */
export type SessionLookup =
  | { readonly ok: true; readonly session: Session }
  | { readonly ok: false; readonly status: 400 | 404 }

/**
 * The open sessions of a handler, keyed by their CSPRNG id (`crypto.randomUUID()`), capped at
 * `maxSessions`. A session is found only by the principal that created it.
 *
 * Idle expiry costs one timer per handler, not one per session: the map keeps sessions in order of
 * their last activity (a touch moves a session to the end), and one timer wakes at the oldest
 * session's deadline, closes what is idle and sleeps until the next deadline.
 *
 * Hibernation (`hibernateAfterMs`) rides on the same timer: a second map, in the same order, holds
 * the Streamable HTTP sessions whose server is live, and the oldest of them sets the other deadline.
 */
export class SessionRegistry implements SessionHost {
  readonly options: ResolvedOptions
  readonly metrics: Metrics
  /** Open sessions, least recently active first. */
  readonly #sessions = new Map<string, Session>()
  /** Sessions that may hibernate and whose server is live, least recently active first. */
  readonly #awake: Map<string, Session> | undefined
  #sweep: TimerHandle | undefined
  /** When the armed sweep fires, on the handler's clock. */
  #sweepAt = Number.POSITIVE_INFINITY
  // Stream ids: a random prefix per handler and a counter (short, and unique in a shared store).
  readonly #streamIdPrefix = crypto.randomUUID().slice(0, 8)
  #streamCount = 0
  #serverRequestCount = 0
  /** Streamable HTTP sessions not used since `initialize`, oldest first (`unusedSessionIdleMs`). */
  readonly #unused = new Map<string, Session>()
  /** Open sessions per principal (for `maxSessionsPerPrincipal`). */
  readonly #perPrincipal = new Map<string, number>()

  /** In a cluster: this instance's part in it. */
  readonly cluster: ClusterNode | undefined

  constructor(options: ResolvedOptions, metrics: Metrics, cluster?: ClusterNode) {
    this.options = options
    this.metrics = metrics
    this.cluster = cluster
    if (options.hibernateAfterMs !== Number.POSITIVE_INFINITY) this.#awake = new Map()
  }

  /** The open session with this id held here, whoever it belongs to. */
  local(id: string): Session | undefined {
    const session = this.#sessions.get(id)
    return session === undefined || session.closed ? undefined : session
  }

  /** Every open session held here. */
  open(): IterableIterator<Session> {
    return this.#sessions.values()
  }

  /**
   * Holds a session another instance of the cluster created, as a hibernated one: the first wake
   * builds its server from `replayLog`.
   */
  adopt(record: SessionRecord, replayLog: ReplayLog): Session {
    const session = new Session(
      record.id,
      record.principal,
      'streamable',
      record.protocolVersion,
      this,
      replayLog,
      true,
    )
    session.replayVersion = record.replayVersion
    session.retained = true
    this.metrics.sessions++
    this.#perPrincipal.set(record.principal, (this.#perPrincipal.get(record.principal) ?? 0) + 1)
    session.createdAt = this.options.timers.now()
    this.touch(session)
    return session
  }

  /** In a cluster: stores the new session and hears its topic before `initialize` is answered. */
  async initialized(session: Session): Promise<void> {
    const node = this.cluster
    const replay = session.replayState
    if (node === undefined || session.kind !== 'streamable' || replay === undefined) return
    const record: SessionRecord = {
      id: session.id,
      principal: session.principal,
      kind: 'streamable',
      protocolVersion: session.protocolVersion,
      replay,
      replayVersion: 1,
    }
    const ttl = this.options.sessionIdleMs
    if (!(await node.call(() => node.backend.sessions.create(record, ttl)))) {
      throw new Error('A session with this id is already stored')
    }
    session.replayVersion = 1
    await node.retain(session.id)
    session.retained = true
  }

  /** Whether another session fits under `maxSessions`. */
  get full(): boolean {
    return this.#sessions.size >= this.options.maxSessions
  }

  /**
   * Why a new session for `principal` is refused, as the answer to send: 503 past `maxSessions`,
   * 429 past `maxSessionsPerPrincipal`; `undefined` when it may be created.
   */
  refuseNew(principal: string): Reply | undefined {
    if (this.full) return errorReply(503, -32000, 'Too many sessions', { 'retry-after': '5' })
    if ((this.#perPrincipal.get(principal) ?? 0) >= this.options.maxSessionsPerPrincipal) {
      return errorReply(429, -32000, 'Too many sessions for this client', { 'retry-after': '5' })
    }
    return undefined
  }

  /**
   * Opens a new session.
   *
   * @param initialize The client's `initialize` request, kept for rebuilding the server when
   * Streamable HTTP sessions may hibernate.
   */
  create(
    principal: string,
    kind: SessionKind,
    protocolVersion: string,
    initialize?: McpMessage,
  ): Session {
    const replayLog =
      this.#awake !== undefined && kind === 'streamable' && initialize !== undefined
        ? new ReplayLog(initialize)
        : undefined
    const session = new Session(
      crypto.randomUUID(),
      principal,
      kind,
      protocolVersion,
      this,
      replayLog,
    )
    this.metrics.sessions++
    this.#perPrincipal.set(principal, (this.#perPrincipal.get(principal) ?? 0) + 1)
    session.createdAt = this.options.timers.now()
    // A legacy session lives as long as its stream; a Streamable HTTP one must be used soon.
    if (kind === 'streamable') this.#unused.set(session.id, session)
    this.metrics.log?.('info', 'session created', {
      event: 'session-created',
      sessionId: session.id,
      transport: kind === 'legacy' ? 'legacy-sse' : 'streamable-http',
      protocolVersion,
    })
    this.touch(session) // adds it to the map, as the most recently active
    return session
  }

  /** Finds a session for a principal: 400 when no id was sent, 404 when unknown, ended or not theirs. */
  find(id: string | null, principal: string, kind: SessionKind): SessionLookup {
    if (id === null || id === '') return { ok: false, status: 400 }
    const session = this.#sessions.get(id)
    if (session === undefined || session.closed || session.principal !== principal) {
      return { ok: false, status: 404 }
    }
    if (session.kind !== kind) return { ok: false, status: 404 }
    return { ok: true, session }
  }

  newServerRequestId(): string {
    this.#serverRequestCount++
    return `${this.#streamIdPrefix}.${this.#serverRequestCount.toString(36)}`
  }

  used(session: Session): void {
    if (!this.#unused.delete(session.id)) return
    // The sweep may have been armed for this session's short deadline: aim it again.
    if (this.#sweep !== undefined) this.#arm(this.#nextDeadline())
  }

  newStreamId(session: Session, standalone: boolean): string {
    if (this.cluster !== undefined && session.kind === 'streamable') {
      if (standalone) return standaloneStreamId(session.id)
      this.#streamCount++
      return clusterStreamId(session.id, `${this.#streamIdPrefix}${this.#streamCount.toString(36)}`)
    }
    this.#streamCount++
    return `${this.#streamIdPrefix}${this.#streamCount.toString(36)}`
  }

  /** Records activity: the session's idle deadline starts again from now. */
  touch(session: Session): void {
    if (session.closed) return
    session.lastActive = this.options.timers.now()
    this.#sessions.delete(session.id)
    this.#sessions.set(session.id, session)
    let hibernateAt = Number.POSITIVE_INFINITY
    if (this.#awake !== undefined && session.canHibernate && !session.hibernated) {
      this.#awake.delete(session.id)
      this.#awake.set(session.id, session)
      hibernateAt = session.lastActive + this.options.hibernateAfterMs
    }
    // A new session not used yet must go after the short unused-session delay.
    const unusedAt = this.#unused.has(session.id)
      ? session.createdAt + this.options.unusedSessionIdleMs
      : Number.POSITIVE_INFINITY
    // Deadlines are now plus a fixed delay, so an armed sweep is late only for a session that
    // has no hibernation deadline in it yet (one that just woke), or a new one: then this one is
    // the earliest.
    const soonest = Math.min(hibernateAt, unusedAt)
    if (this.#sweep === undefined) this.#arm(this.#nextDeadline())
    else if (soonest < this.#sweepAt) this.#arm(soonest)
  }

  /** Forgets an ended session; the idle timer stops with the last one. */
  ended(session: Session): void {
    if (session.retained) this.cluster?.release(session.id)
    if (this.#sessions.get(session.id) === session) this.#sessions.delete(session.id)
    this.#awake?.delete(session.id)
    this.#unused.delete(session.id)
    const count = (this.#perPrincipal.get(session.principal) ?? 1) - 1
    if (count === 0) this.#perPrincipal.delete(session.principal)
    else this.#perPrincipal.set(session.principal, count)
    this.metrics.sessions--
    if (this.#sessions.size === 0) this.#disarm()
  }

  /** Closes every session. */
  async closeAll(): Promise<void> {
    await Promise.all([...this.#sessions.values()].map((session) => session.close()))
  }

  #arm(deadline: number): void {
    this.#disarm()
    if (deadline === Number.POSITIVE_INFINITY) return // sessionIdleMs: Infinity, never idle
    // Timers fire at once past 2^31 - 1 ms; a far deadline is reached in several steps.
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, deadline - this.options.timers.now()))
    this.#sweepAt = this.options.timers.now() + delay
    this.#sweep = this.options.timers.setTimeout(() => this.#expire(), delay)
  }

  #disarm(): void {
    if (this.#sweep === undefined) return
    this.options.timers.clearTimeout(this.#sweep)
    this.#sweep = undefined
  }

  /** The earliest deadline, expiry or hibernation: the first session of each map has it. */
  #nextDeadline(): number {
    let deadline = Number.POSITIVE_INFINITY
    for (const session of this.#sessions.values()) {
      deadline = session.lastActive + this.options.sessionIdleMs
      break
    }
    for (const session of this.#awake?.values() ?? []) {
      deadline = Math.min(deadline, session.lastActive + this.options.hibernateAfterMs)
      break
    }
    for (const session of this.#unused.values()) {
      deadline = Math.min(deadline, session.createdAt + this.options.unusedSessionIdleMs)
      break
    }
    return deadline
  }

  /**
   * Lets the servers of sessions idle past `hibernateAfterMs` go, then closes the sessions idle
   * past `sessionIdleMs`. A busy session (request in flight, stream connected) is kept awake and
   * open; for expiry it moves to the end with a new deadline, where the loop meets it again and stops.
   */
  #expire(): void {
    this.#sweep = undefined
    const now = this.options.timers.now()
    const awake = this.#awake
    if (awake !== undefined) {
      const hibernateMs = this.options.hibernateAfterMs
      for (const session of awake.values()) {
        if (session.lastActive + hibernateMs > now) break
        // Hibernated, or busy: a busy session comes back here with the touch that ends its work.
        if (session.hibernate()) {
          this.metrics.log?.('info', 'session hibernated', {
            event: 'session-hibernated',
            sessionId: session.id,
          })
        }
        awake.delete(session.id)
      }
    }
    const unusedMs = this.options.unusedSessionIdleMs
    for (const session of this.#unused.values()) {
      if (session.createdAt + unusedMs > now) break
      this.#unused.delete(session.id)
      // Still answering its initialize: the client is there, the usual idle rule applies.
      if (!session.busy) void session.close()
    }
    const idleMs = this.options.sessionIdleMs
    for (const session of this.#sessions.values()) {
      if (session.lastActive + idleMs > now) break
      if (session.busy) this.touch(session)
      else {
        this.metrics.log?.('info', 'session expired', {
          event: 'session-expired',
          sessionId: session.id,
          idleMs: now - session.lastActive,
        })
        void session.close()
      }
    }
    if (this.#sessions.size > 0) this.#arm(this.#nextDeadline())
  }
}
