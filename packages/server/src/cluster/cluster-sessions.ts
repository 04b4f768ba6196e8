import {
  cancelledRequestId,
  idKey,
  isResponse,
  type McpMessage,
  type RequestId,
} from '../protocol/message.js'
import { ReplayLog } from '../session/replay-log.js'
import type { Session } from '../session/session.js'
import type { SessionLookup, SessionRegistry } from '../session/session-registry.js'
import type { MessageExtraInfo } from '../session/transport.js'
import { answeredKey } from './cluster-ids.js'
import type { BusListener, BusMessage, ClusterNode } from './cluster-node.js'
import { replayStateText } from './session-store.js'

/** Client messages that change what a rebuilt server is replayed. */
const REPLAYED = new Set([
  'notifications/initialized',
  'logging/setLevel',
  'resources/subscribe',
  'resources/unsubscribe',
])

/** Tries of the replay log's compare-and-set before giving up (another instance kept winning). */
const REPLAY_TRIES = 5

/**
 * The mailbox key of a cancel: `c` and the cancelled request's key (as `requestKey` writes it),
 * apart from answers' keys.
 */
function cancelKey(requestKey: string): string {
  return `c${requestKey}`
}

/** The mailbox key of an answer or a cancel; none when it names no request. */
function mailboxKey(message: McpMessage): string | undefined {
  if (isResponse(message)) return answeredKey(message)
  const requestId = cancelledRequestId(message)
  return requestId === undefined ? undefined : cancelKey(idKey(requestId))
}

/**
 * Streamable HTTP sessions of a cluster as one instance sees them: sessions are data in the
 * shared store, and this instance's `Session` objects are a cache of them.
 *
 * A request naming a session this instance does not hold adopts it: the record is read, a
 * hibernated local session is made from its replay log, and the usual wake path rebuilds the
 * server. Every request touches the record before anything runs for it (restarting its idle TTL;
 * `gone` is a 404 everywhere; a POST's stream may do it with its first event, see `find`),
 * and a local server older than the record's replay version is rebuilt when idle.
 */
export class ClusterSessions implements BusListener {
  readonly #node: ClusterNode
  readonly #registry: SessionRegistry

  constructor(node: ClusterNode, registry: SessionRegistry) {
    this.#node = node
    this.#registry = registry
    node.listen(this)
  }

  /**
   * Finds a session for a principal here or in the store: 400 without an id, 404 when gone or not
   * theirs. With `deferTouch`, an awake session held here comes back untouched (`untouched: true`):
   * the caller must touch it ({@link touch}, or a stream's first event with
   * `touchOnOpen`) and {@link settle} the outcome before running anything for it.
   */
  async find(
    id: string | null,
    principal: string,
    deferTouch = false,
  ): Promise<
    SessionLookup | { readonly ok: true; readonly session: Session; readonly untouched: true }
  > {
    if (id === null || id === '') return { ok: false, status: 400 }
    const node = this.#node
    const { sessions } = node.backend
    const ttl = this.#registry.options.sessionIdleMs
    const local = this.#registry.local(id)
    if (local !== undefined) {
      if (local.principal !== principal || local.kind !== 'streamable') {
        return { ok: false, status: 404 }
      }
      if (deferTouch && !local.hibernated && !local.closed) {
        return { ok: true, session: local, untouched: true }
      }
      const touched = await node.call(() => sessions.touch(id, ttl))
      if (!(await this.settle(local, touched))) return { ok: false, status: 404 }
      return { ok: true, session: local }
    }
    const record = await node.call(() => sessions.get(id))
    if (record === undefined || record.kind !== 'streamable' || record.principal !== principal) {
      return { ok: false, status: 404 }
    }
    if ((await node.call(() => sessions.touch(id, ttl))) === 'gone') {
      return { ok: false, status: 404 }
    }
    // Another request may have adopted it while this one waited.
    const again = this.#registry.local(id)
    if (again !== undefined && !again.closed) return { ok: true, session: again }
    const session = this.#registry.adopt(record, ReplayLog.fromState(record.replay))
    try {
      await node.retain(id)
    } catch (error) {
      await session.close()
      throw error
    }
    return { ok: true, session }
  }

  /** Touches a session {@link find} handed out untouched; `false` (answer 404) when it is gone. */
  async touch(session: Session): Promise<boolean> {
    const ttl = this.#registry.options.sessionIdleMs
    const touched = await this.#node.call(() => this.#node.backend.sessions.touch(session.id, ttl))
    return this.settle(session, touched)
  }

  /**
   * Acts on what a touch of a session held here found: closes it when gone, and brings it up to
   * a newer replay version. `false` (answer 404) when the session is gone or closed.
   */
  async settle(session: Session, touched: number | 'gone' | 'duplicate'): Promise<boolean> {
    if (touched === 'gone') {
      await session.close()
      return false
    }
    if (typeof touched === 'number' && touched > session.replayVersion) {
      const record = await this.#node.call(() => this.#node.backend.sessions.get(session.id))
      if (record !== undefined)
        session.reload(ReplayLog.fromState(record.replay), record.replayVersion)
    }
    return !session.closed
  }

  /**
   * Stores the replay changes `messages` made to the session's log (compare-and-set, merged into
   * the stored state when another instance changed it first), before the client gets an answer,
   * so a request that lands elsewhere next finds them.
   */
  async syncReplay(session: Session, messages: readonly McpMessage[]): Promise<void> {
    const changing = messages.filter((m) => typeof m.method === 'string' && REPLAYED.has(m.method))
    if (changing.length === 0) return
    const { sessions } = this.#node.backend
    let state = session.replayState
    if (state === undefined) return
    let expected = session.replayVersion
    let merged: ReplayLog | undefined
    for (let tries = 0; tries < REPLAY_TRIES; tries++) {
      const next = state
      const version = await this.#node.call(() => sessions.updateReplay(session.id, next, expected))
      if (version !== undefined) {
        if (merged === undefined) session.replayVersion = version
        else session.reload(merged, version) // this server missed the other instance's change
        return
      }
      const record = await this.#node.call(() => sessions.get(session.id))
      if (record === undefined) return // gone: the next request gets 404
      merged = ReplayLog.fromState(record.replay)
      for (const message of changing) merged.observe(message)
      state = merged.toState()
      expected = record.replayVersion
      if (replayStateText(state) === replayStateText(record.replay)) {
        session.reload(merged, record.replayVersion)
        return
      }
    }
    throw new Error('The session replay log kept changing under this instance')
  }

  /**
   * Hands a POST's notifications and responses to the session: locally when this instance's
   * server awaits the answer or runs the cancelled request, else to the other instances: stored
   * in the session's mailbox (when the store has one), then published on the bus. Needs no live
   * server here.
   */
  async deliverWithoutRequests(
    session: Session,
    messages: readonly McpMessage[],
    extra: MessageExtraInfo,
  ): Promise<void> {
    const published: Promise<unknown>[] = []
    for (const message of messages) {
      const answer = isResponse(message)
      if (answer || message.method === 'notifications/cancelled') {
        if (!this.#deliver(session, message, extra)) {
          const t = answer ? 'answer' : 'cancel'
          published.push(this.#post(session.id, mailboxKey(message), { t, message }))
        }
        continue
      }
      session.receive(message, extra) // a sleeping server here only notes it in its replay log
      if (!REPLAYED.has(String(message.method))) {
        published.push(this.#node.publish(session.id, { t: 'notify', message }))
      }
    }
    await Promise.all(published)
    await this.syncReplay(session, messages)
  }

  /** DELETE: the session is removed from the store, every instance is told, and the local copy ends. */
  async delete(session: Session): Promise<void> {
    await this.#node.call(() => this.#node.backend.sessions.delete(session.id))
    await this.#node.publish(session.id, { t: 'ended' }).catch(() => undefined)
    await session.close()
  }

  onSessionMessage(sessionId: string, message: BusMessage): void {
    const session = this.#registry.local(sessionId)
    if (session === undefined || session.closed) return
    if (message.t === 'ended') {
      void session.close()
    } else if (message.t === 'answer' || message.t === 'cancel') {
      const key = mailboxKey(message.message)
      // Delivered: its stored copy is of no use any more (and would only wait for its TTL).
      if (this.#deliver(session, message.message, {}) && key !== undefined) {
        this.#take(session, [key]).catch(() => {})
      }
    } else if (message.t === 'notify') {
      if (!session.hibernated) session.receive(message.message, {})
    }
  }

  /**
   * Takes the answers and cancels stored for the sessions held here (which the bus may have
   * lost): the answers their servers await at every call, and the cancels of the requests they
   * run too after a reconnect.
   */
  onCatchUp(reconnected: boolean): void {
    if (this.#node.backend.sessions.takeAnswers === undefined) return
    for (const session of this.#registry.open()) {
      if (session.kind !== 'streamable') continue
      const keys = session.awaitedAnswerKeys
      if (reconnected) for (const key of session.runningRequestKeys) keys.push(cancelKey(key))
      if (keys.length === 0) continue
      this.#take(session, keys)
        .then((found) => {
          for (const text of found.values()) {
            if (!session.closed) this.#deliver(session, JSON.parse(text) as McpMessage, {})
          }
        })
        .catch((error: unknown) => this.#registry.options.onerror(error))
    }
  }

  /**
   * Hands an answer or a cancel to the session when it is for this instance: its server awaits
   * the answer, or runs the cancelled request. Either is delivered once: the server stops
   * awaiting an answer it got, and a cancelled request's scope closes.
   *
   * @returns Whether it was delivered here.
   */
  #deliver(session: Session, message: McpMessage, extra: MessageExtraInfo): boolean {
    if (isResponse(message)) {
      if (answeredKey(message) === undefined || !session.awaitsAnswer(message.id as RequestId))
        return false
    } else {
      const requestId = cancelledRequestId(message)
      if (requestId === undefined || session.scopeOf(requestId) === undefined) return false
    }
    session.receive(message, extra)
    return true
  }

  /** Takes what the session's mailbox holds under `keys` (nothing without a mailbox). */
  #take(session: Session, keys: readonly string[]): Promise<ReadonlyMap<string, string>> {
    const { sessions } = this.#node.backend
    if (sessions.takeAnswers === undefined) return Promise.resolve(new Map())
    return this.#node.call(() => sessions.takeAnswers!(session.id, keys))
  }

  /**
   * Sends an answer or a cancel to the instance that awaits it: stored under `key` first (so a
   * waiter whose subscriber is away finds it when it is back), then published.
   */
  async #post(sessionId: string, key: string | undefined, message: BusMessage): Promise<void> {
    const { sessions } = this.#node.backend
    if (key !== undefined && sessions.storeAnswer !== undefined && 'message' in message) {
      const text = JSON.stringify(message.message)
      const ttl = this.#node.answerTtlMs
      await this.#node.call(() => sessions.storeAnswer!(sessionId, key, text, ttl))
    }
    await this.#node.publish(sessionId, message)
  }
}
