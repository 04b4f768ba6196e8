import type { Timers } from '../timers.js'

/** A session as the memory cluster keeps it. */
export interface MemorySession {
  /** The record's fields that never change, as JSON text (id, principal, kind, version, owner). */
  readonly fixed: string
  replay: string
  version: number
  expiresAt: number
  /** Request key → instance running it. */
  readonly inFlight: Map<string, string>
  readonly leases: Map<string, { holder: string; expiresAt: number }>
  /** Every stream of the session. */
  readonly streams: Set<string>
  /** Ended streams, newest first. */
  readonly ended: string[]
  /** The mailbox (`storeAnswer`): key → message and when it runs out; created on first use. */
  answers?: Map<string, { readonly message: string; readonly expiresAt: number }> | undefined
}

/** One event stream as the memory cluster keeps it. */
export interface MemoryStream {
  readonly sessionId: string
  readonly producer: string | undefined
  readonly pending: Set<string>
  ended: boolean
  /** The call that ended the stream, so repeating it answers the same. */
  endedBy: { producer: string; seq: number; ids: (string | null)[] } | undefined
  ttlMs: number
  expiresAt: number
  /** The number of the next event. */
  next: number
  /** Kept events, oldest first, as JSON text. */
  readonly events: { n: number; data: string }[]
  /** Per producer: its latest seq and the id that seq got. */
  readonly latest: Map<string, { seq: number; id: string }>
}

/** Limits of the memory cluster. */
export interface MemoryStateLimits {
  readonly maxEventsPerStream: number
  readonly maxEndedStreams: number
}

/**
 * The shared data behind the memory cluster's session store and event store, with idle expiry
 * read from the injected clock: expired entries are invisible at once and swept at most once a
 * second, on the next call.
 */
export class MemoryState {
  readonly sessions: Map<string, MemorySession> = new Map()
  readonly streams: Map<string, MemoryStream> = new Map()
  readonly heartbeats: Map<string, number> = new Map()
  readonly limits: MemoryStateLimits
  readonly #timers: Timers
  #lastSweep: number

  constructor(timers: Timers, limits: MemoryStateLimits) {
    this.#timers = timers
    this.limits = limits
    this.#lastSweep = timers.now()
  }

  now(): number {
    const now = this.#timers.now()
    if (now - this.#lastSweep >= 1000) {
      this.#lastSweep = now
      this.#sweep(now)
    }
    return now
  }

  /** A live session, or `undefined`. */
  session(id: string): MemorySession | undefined {
    const now = this.now()
    const session = this.sessions.get(id)
    if (session === undefined) return undefined
    if (session.expiresAt <= now) {
      this.deleteSession(id)
      return undefined
    }
    return session
  }

  /** A live stream whose session is live too, or `undefined`. */
  stream(id: string): MemoryStream | undefined {
    const now = this.now()
    const stream = this.streams.get(id)
    if (stream === undefined) return undefined
    if (stream.expiresAt <= now || this.session(stream.sessionId) === undefined) {
      this.deleteStream(id)
      return undefined
    }
    return stream
  }

  deleteSession(id: string): boolean {
    const session = this.sessions.get(id)
    if (session === undefined) return false
    this.sessions.delete(id)
    for (const streamId of session.streams) this.streams.delete(streamId)
    return true
  }

  deleteStream(id: string): void {
    const stream = this.streams.get(id)
    if (stream === undefined) return
    this.streams.delete(id)
    const session = this.sessions.get(stream.sessionId)
    if (session === undefined) return
    session.streams.delete(id)
    const at = session.ended.indexOf(id)
    if (at >= 0) session.ended.splice(at, 1)
  }

  /** Restarts the idle TTL of a session and all its streams. */
  refresh(session: MemorySession, ttlMs: number, now: number): void {
    session.expiresAt = now + ttlMs
    for (const id of session.streams) {
      const stream = this.streams.get(id)
      if (stream !== undefined) {
        stream.ttlMs = ttlMs
        stream.expiresAt = now + ttlMs
      }
    }
  }

  /** Marks a stream ended and drops the oldest ended streams of its session past the limit. */
  markEnded(id: string, stream: MemoryStream): void {
    stream.ended = true
    const session = this.sessions.get(stream.sessionId)
    if (session === undefined) return
    session.ended.unshift(id)
    while (session.ended.length > this.limits.maxEndedStreams) {
      const oldest = session.ended.pop()
      if (oldest !== undefined) this.deleteStream(oldest)
    }
  }

  #sweep(now: number): void {
    for (const [id, session] of this.sessions) if (session.expiresAt <= now) this.deleteSession(id)
    for (const [id, stream] of this.streams) if (stream.expiresAt <= now) this.deleteStream(id)
    for (const [id, until] of this.heartbeats) if (until <= now) this.heartbeats.delete(id)
  }
}
