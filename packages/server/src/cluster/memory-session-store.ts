import type { MemoryState } from './memory-state.js'
import type {
  LeaseMode,
  LeaseResult,
  ReplayState,
  RequestClaim,
  SessionRecord,
  SessionStore,
} from './session-store.js'
import {
  checkTtlMs,
  MAX_STORED_ANSWER_BYTES,
  MAX_STORED_ANSWERS,
  replayStateText,
  sessionRecordText,
} from './session-store.js'

/**
 * The memory cluster's {@link SessionStore}: one process, several handlers. Records are kept as
 * JSON text, so what a caller gets back is a copy, as from a remote store.
 */
export class MemorySessionStore implements SessionStore {
  readonly #state: MemoryState

  constructor(state: MemoryState) {
    this.#state = state
  }

  async create(record: SessionRecord, ttlMs: number): Promise<boolean> {
    checkTtlMs(ttlMs)
    if (this.#state.session(record.id) !== undefined) return false
    this.#state.sessions.set(record.id, {
      ...sessionRecordText(record),
      version: record.replayVersion,
      expiresAt: this.#state.now() + ttlMs,
      inFlight: new Map(),
      leases: new Map(),
      streams: new Set(),
      ended: [],
    })
    return true
  }

  async get(id: string): Promise<SessionRecord | undefined> {
    const session = this.#state.session(id)
    if (session === undefined) return undefined
    return {
      ...JSON.parse(session.fixed),
      replay: JSON.parse(session.replay),
      replayVersion: session.version,
    }
  }

  async touch(
    id: string,
    ttlMs: number,
    claim?: RequestClaim,
  ): Promise<number | 'gone' | 'duplicate'> {
    checkTtlMs(ttlMs)
    const session = this.#state.session(id)
    if (session === undefined) return 'gone'
    const ids = claim?.requestIds ?? []
    if (new Set(ids).size !== ids.length || ids.some((key) => session.inFlight.has(key))) {
      return 'duplicate'
    }
    for (const key of ids) session.inFlight.set(key, claim!.instance)
    this.#state.refresh(session, ttlMs, this.#state.now())
    return session.version
  }

  async updateReplay(
    id: string,
    replay: ReplayState,
    expected: number,
  ): Promise<number | undefined> {
    const session = this.#state.session(id)
    if (session === undefined || session.version !== expected) return undefined
    session.replay = replayStateText(replay)
    session.version += 1
    return session.version
  }

  async delete(id: string): Promise<boolean> {
    return this.#state.session(id) !== undefined && this.#state.deleteSession(id)
  }

  async lease(
    sessionId: string,
    name: string,
    holder: string,
    ttlMs: number,
    mode: LeaseMode,
  ): Promise<LeaseResult> {
    checkTtlMs(ttlMs)
    const session = this.#state.session(sessionId)
    if (session === undefined) return { ok: false }
    const now = this.#state.now()
    const current = session.leases.get(name)
    const live = current !== undefined && current.expiresAt > now ? current.holder : undefined
    const other = live !== undefined && live !== holder ? live : undefined
    const ok =
      mode === 'takeover' ||
      (mode === 'claim' && other === undefined) ||
      (mode === 'renew' && current?.holder === holder)
    if (ok) session.leases.set(name, { holder, expiresAt: now + ttlMs })
    return other === undefined ? { ok } : { ok, previous: other }
  }

  async releaseLease(sessionId: string, name: string, holder: string): Promise<void> {
    const session = this.#state.session(sessionId)
    if (session?.leases.get(name)?.holder === holder) session.leases.delete(name)
  }

  async heartbeat(instance: string, ttlMs: number): Promise<void> {
    if (ttlMs > 0) this.#state.heartbeats.set(instance, this.#state.now() + ttlMs)
    else this.#state.heartbeats.delete(instance)
  }

  async isAlive(instance: string): Promise<boolean> {
    const until = this.#state.heartbeats.get(instance)
    return until !== undefined && until > this.#state.now()
  }

  async storeAnswer(
    sessionId: string,
    key: string,
    message: string,
    ttlMs: number,
  ): Promise<boolean> {
    checkTtlMs(ttlMs)
    const session = this.#state.session(sessionId)
    if (session === undefined || message.length > MAX_STORED_ANSWER_BYTES) return false
    const now = this.#state.now()
    session.answers ??= new Map()
    const answers = session.answers
    answers.delete(key)
    let bytes = message.length
    for (const [stored, answer] of answers) {
      if (answer.expiresAt <= now) answers.delete(stored)
      else bytes += answer.message.length
    }
    // Past a bound, the messages that run out first give way.
    const byExpiry = [...answers].sort((x, y) => x[1].expiresAt - y[1].expiresAt)
    for (const [stored, answer] of byExpiry) {
      if (answers.size < MAX_STORED_ANSWERS && bytes <= MAX_STORED_ANSWER_BYTES) break
      answers.delete(stored)
      bytes -= answer.message.length
    }
    // Never past the session: its expiry ends the mailbox with it.
    answers.set(key, { message, expiresAt: Math.min(now + ttlMs, session.expiresAt) })
    return true
  }

  async takeAnswers(sessionId: string, keys: readonly string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>()
    const session = this.#state.session(sessionId)
    const answers = session?.answers
    if (session === undefined || answers === undefined) return found
    const now = this.#state.now()
    for (const key of keys) {
      const answer = answers.get(key)
      if (answer === undefined) continue
      answers.delete(key)
      if (answer.expiresAt > now) found.set(key, answer.message)
    }
    if (answers.size === 0) session.answers = undefined
    return found
  }
}
