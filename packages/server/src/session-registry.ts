import type { Metrics } from './metrics.js'
import type { ResolvedOptions } from './options.js'
import { Session, type SessionKind } from './session.js'

/** The outcome of looking a session up for a request. */
export type SessionLookup =
  | { readonly ok: true; readonly session: Session }
  | { readonly ok: false; readonly status: 400 | 404 }

/**
 * The open sessions of a handler, keyed by their CSPRNG id (`crypto.randomUUID()`), capped at
 * `maxSessions`. A session is found only by the principal that created it.
 */
export class SessionRegistry {
  readonly #sessions = new Map<string, Session>()
  readonly #options: ResolvedOptions
  readonly #metrics: Metrics

  constructor(options: ResolvedOptions, metrics: Metrics) {
    this.#options = options
    this.#metrics = metrics
  }

  /** Whether another session fits under `maxSessions`. */
  get full(): boolean {
    return this.#sessions.size >= this.#options.maxSessions
  }

  /** Opens a new session. */
  create(principal: string, kind: SessionKind, protocolVersion: string): Session {
    const session = new Session(
      crypto.randomUUID(),
      principal,
      kind,
      protocolVersion,
      this.#options,
      this.#metrics,
      (ended) => this.#sessions.delete(ended.id),
    )
    this.#sessions.set(session.id, session)
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

  /** Closes every session. */
  async closeAll(): Promise<void> {
    await Promise.all([...this.#sessions.values()].map((session) => session.close()))
  }
}
