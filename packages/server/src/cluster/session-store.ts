/**
 * A session's `ReplayLog` as data: what a rebuilt server must be told to reach the state the
 * client left it in. Every field is plain JSON, so a store can keep it as text.
 *
 * @example
 * ```ts
 * const state: ReplayState = { initialize: '{"protocolVersion":"2025-11-25"}', initialized: true, subscriptions: [] }
 * ```
 */
export interface ReplayState {
  /** The `initialize` request's params, as JSON text. */
  readonly initialize: string
  /** Whether `notifications/initialized` followed. */
  readonly initialized: boolean
  /** The last `logging/setLevel` params, as JSON text. */
  readonly logLevel?: string
  /** The resource URIs the client is subscribed to. */
  readonly subscriptions: readonly string[]
}

/**
 * One session as every instance of a cluster sees it.
 *
 * @example
 * ```ts
 * const record: SessionRecord = {
 *   id: crypto.randomUUID(), principal: '', kind: 'streamable', protocolVersion: '2025-11-25',
 *   replay: { initialize: '{}', initialized: false, subscriptions: [] }, replayVersion: 1,
 * }
 * ```
 */
export interface SessionRecord {
  /** The session id (the `Mcp-Session-Id` the client sends). */
  readonly id: string
  /** Who the session belongs to (the auth principal; empty without auth). */
  readonly principal: string
  /** The transport: Streamable HTTP, or the legacy HTTP+SSE one. */
  readonly kind: 'streamable' | 'legacy'
  /** The MCP protocol version negotiated for the session. */
  readonly protocolVersion: string
  /** What a rebuilt server must be replayed to reach the session's state. */
  readonly replay: ReplayState
  /** Bumped by every replay change; a live server older than this is brought up to date. */
  readonly replayVersion: number
  /** Legacy sessions: the instance holding the SSE stream and the server. */
  readonly owner?: string
}

/** How {@link SessionStore.lease} treats a lease another holder may have. */
export type LeaseMode = 'claim' | 'renew' | 'takeover'

/** The outcome of {@link SessionStore.lease}. */
export interface LeaseResult {
  /** Whether `holder` holds the lease now. */
  readonly ok: boolean
  /** The live holder before this call, when it was another one. */
  readonly previous?: string
}

/** Request ids a request claims as in flight, in the same atomic step as a touch. */
export interface RequestClaim {
  /** The instance running the requests. */
  readonly instance: string
  /** The request ids, each as {@link requestKey} writes it. */
  readonly requestIds: readonly string[]
}

/**
 * Session records shared by the instances of a cluster: idle TTL, request ids in flight, the replay
 * log with compare-and-set, leases and instance heartbeats.
 *
 * Every key of a session (its record, in-flight ids, leases and streams) lives and dies with it:
 * a touch restarts the idle TTL of all of them, and {@link SessionStore.delete} removes all of them.
 *
 * @example
 * ```ts
 * const { sessions } = createMemoryCluster()
 * await sessions.create(record, 60_000)
 * await sessions.touch(record.id, 60_000, { instance: 'a', requestIds: [requestKey(7)] }) // 1
 * ```
 */
export interface SessionStore {
  /** Stores a new record with an idle TTL; `false` when the id exists (nothing changes then). */
  create(record: SessionRecord, ttlMs: number): Promise<boolean>
  /** The record, with its current replay state and version; `undefined` once gone. */
  get(id: string): Promise<SessionRecord | undefined>
  /**
   * Restarts the idle TTL of the session and everything under it and, in the same atomic step,
   * claims `claim.requestIds` as in flight on `claim.instance`.
   *
   * @returns The `replayVersion`, `'gone'` (answer 404) or `'duplicate'` when one of the ids is
   *   already in flight (answer 400; nothing is claimed).
   */
  touch(id: string, ttlMs: number, claim?: RequestClaim): Promise<number | 'gone' | 'duplicate'>
  /**
   * Compare-and-set of the replay state.
   *
   * @returns The new version, or `undefined` when `expected` is stale or the session is gone.
   */
  updateReplay(id: string, replay: ReplayState, expected: number): Promise<number | undefined>
  /** Ends the session: the record and every key under it, streams included. `false` if gone. */
  delete(id: string): Promise<boolean>
  /**
   * Takes or keeps the lease `name` of a session (the standalone GET holder is `'get'`) for `ttlMs`.
   * `'claim'` succeeds when no live holder has it; `'renew'` only for the current holder;
   * `'takeover'` always, reporting the live holder it replaced. Fails once the session is gone.
   */
  lease(
    sessionId: string,
    name: string,
    holder: string,
    ttlMs: number,
    mode: LeaseMode,
  ): Promise<LeaseResult>
  /** Lets a lease go, only if `holder` still holds it. */
  releaseLease(sessionId: string, name: string, holder: string): Promise<void>
  /** Marks `instance` alive for `ttlMs`; `ttlMs <= 0` marks it gone at once (graceful shutdown). */
  heartbeat(instance: string, ttlMs: number): Promise<void>
  /** Whether `instance` sent a heartbeat that has not run out. */
  isAlive(instance: string): Promise<boolean>
  /**
   * Keeps a client message for the instance that awaits it, in the session's mailbox: the answer
   * to a server request (under {@link requestKey} of the request's id) or a
   * `notifications/cancelled` (under `c` and the cancelled request's key). The instance that got
   * the POST stores it before it publishes it on the bus, so one that missed the publication (its
   * subscriber was reconnecting) still finds it. Optional: without it, such messages go over the
   * bus only, at most once.
   *
   * The mailbox is bounded: a message lives `ttlMs` (at most as long as the session), a mailbox
   * keeps at most {@link MAX_STORED_ANSWERS} messages of {@link MAX_STORED_ANSWER_BYTES} in all
   * (storing one more drops those that expire first), and it goes with the session.
   *
   * @returns `false` (nothing stored) when the session is gone, or the message alone is longer
   *   than {@link MAX_STORED_ANSWER_BYTES}.
   */
  storeAnswer?(sessionId: string, key: string, message: string, ttlMs: number): Promise<boolean>
  /**
   * Reads and deletes, in one atomic step, the stored messages under `keys` that have not run
   * out: each is handed out once, whichever instances ask.
   *
   * @returns The messages found, by key.
   */
  takeAnswers?(sessionId: string, keys: readonly string[]): Promise<ReadonlyMap<string, string>>
}

/**
 * How many messages a session's mailbox ({@link SessionStore.storeAnswer}) keeps at most: an
 * answer is taken once, so only answers nobody awaits any more would fill it.
 *
 * @example
 * ```ts
 * MAX_STORED_ANSWERS // 64
 * ```
 */
export const MAX_STORED_ANSWERS = 64

/**
 * How long the messages of a session's mailbox may be in all, in characters of their JSON text
 * (bytes for ASCII), so that a client cannot park large bodies in the store: 1 MiB. A longer
 * answer still goes over the bus, at most once.
 *
 * @example
 * ```ts
 * MAX_STORED_ANSWER_BYTES // 1048576
 * ```
 */
export const MAX_STORED_ANSWER_BYTES: number = 1024 * 1024

/**
 * The text a store keeps for a record: `fixed` (id, principal, kind, protocol version, owner),
 * written once, and `replay` ({@link replayStateText}), rewritten by `updateReplay`. Every backend
 * keeps the same text, so a record reads back the same from any of them.
 *
 * @example
 * ```ts
 * const { fixed, replay } = sessionRecordText(record) // JSON.parse(fixed).id === record.id
 * ```
 */
export function sessionRecordText(record: SessionRecord): {
  /** The part written once: id, principal, kind, protocol version and owner, as JSON. */
  fixed: string
  /** The replay state as {@link replayStateText} writes it. */
  replay: string
} {
  const fixed: Record<string, unknown> = {
    id: record.id,
    principal: record.principal,
    kind: record.kind,
    protocolVersion: record.protocolVersion,
  }
  if (record.owner !== undefined) fixed.owner = record.owner
  return { fixed: JSON.stringify(fixed), replay: replayStateText(record.replay) }
}

/**
 * A {@link ReplayState} as the JSON text a store keeps (no `logLevel` key when none was set).
 *
 * @example
 * ```ts
 * replayStateText({ initialize: '{}', initialized: false, subscriptions: [] })
 * // '{"initialize":"{}","initialized":false,"subscriptions":[]}'
 * ```
 */
export function replayStateText(replay: ReplayState): string {
  const state: Record<string, unknown> = {
    initialize: replay.initialize,
    initialized: replay.initialized,
    subscriptions: [...replay.subscriptions],
  }
  if (replay.logLevel !== undefined) state.logLevel = replay.logLevel
  return JSON.stringify(state)
}

/**
 * Checks a TTL given to a {@link SessionStore}: a whole number of milliseconds, at least 1.
 *
 * @throws {RangeError} Otherwise.
 * @example
 * ```ts
 * checkTtlMs(30 * 60_000) // fine; checkTtlMs(0) throws
 * ```
 */
export function checkTtlMs(ttlMs: number): void {
  if (!(ttlMs >= 1) || !Number.isSafeInteger(ttlMs)) {
    throw new RangeError('A TTL is a whole number of milliseconds, at least 1')
  }
}
