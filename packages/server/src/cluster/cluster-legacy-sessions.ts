import { BODYLESS_DROPPED_HEADERS } from '../http/incoming.js'
import { lazyRequest } from '../http/lazy-request.js'
import { deliverLegacyMessages } from '../legacy/legacy-delivery.js'
import type { AuthInfo } from '../options.js'
import type { McpMessage } from '../protocol/message.js'
import type { Session } from '../session/session.js'
import type { SessionRegistry } from '../session/session-registry.js'
import type { TimerHandle } from '../timers.js'
import type { ClusterInbox } from './cluster-inbox.js'
import type { ClusterNode } from './cluster-node.js'
import type { ReplayState, SessionRecord } from './session-store.js'

/** A legacy session keeps no replay log: its server lives and dies with its SSE stream. */
const NO_REPLAY: ReplayState = { initialize: '', initialized: false, subscriptions: [] }

/**
 * A legacy POST handed to the instance holding the session's SSE stream, as it goes over the
 * bus: the messages, and what the server is told of the HTTP request they came in.
 */
export interface ForwardedLegacyPost {
  /** What the question is: always `'legacy'`. */
  readonly t: 'legacy'
  /** The legacy session the messages are for. */
  readonly sessionId: string
  /** Who POSTed: the owner checks it is the session's principal. */
  readonly principal: string
  readonly messages: readonly McpMessage[]
  /** What `authenticate` returned, as JSON keeps it. */
  readonly authInfo?: AuthInfo
  /** The POST's headers (the body-less ones a server may read). */
  readonly headers: Readonly<Record<string, string>>
  /** The POST's URL. */
  readonly url: string
}

/**
 * What became of a legacy POST forwarded to its owner: taken into the session (answer 202), the
 * session is gone (404), or the owner is alive but did not answer in time (503; the message may
 * or may not have reached the session).
 */
export type ForwardOutcome = 'accepted' | 'gone' | 'unanswered'

/** What the owner answers a forwarded POST. */
type OwnerAnswer = 'taken' | 'gone'

/** A legacy session this instance owns: its record is kept alive while its stream is open. */
interface Owned {
  readonly session: Session
  readonly record: SessionRecord
  timer: TimerHandle | undefined
}

/**
 * Legacy HTTP+SSE sessions (2024-11-05) across a cluster, in owner mode: the SSE stream is the
 * session, so the instance holding it (the owner) holds the session and its server, and the
 * others forward it the POSTs that land on them.
 *
 * The owner stores a record naming itself (`kind: 'legacy'`, `owner`) before it announces the
 * POST endpoint, with the TTL of a heartbeat (3x `heartbeatMs`): it touches the record once per
 * `heartbeatMs` while the stream is open (stores it again if it was lost, say in a backend
 * outage) and deletes it when the stream closes, so the record of an instance that died, or of a
 * former run under the same instance id, runs out within a few heartbeats. Another instance that
 * gets a POST for the session reads the record, checks the principal, and asks the owner through
 * its bus inbox to take the messages; the owner delivers them exactly as a local POST and
 * answers, and only then does the POST get 202. When nobody hears the owner's inbox, or it does
 * not answer within `backendTimeoutMs`, the owner's heartbeat decides: gone, the record is
 * deleted and the POST gets 404 (its stream died with it; the client opens a new session);
 * alive, 503.
 */
export class ClusterLegacySessions {
  readonly #node: ClusterNode
  readonly #registry: SessionRegistry
  readonly #inbox: ClusterInbox
  readonly #owned = new Map<string, Owned>()
  /** Record deletions under way, awaited by {@link stop}. */
  readonly #deleting = new Set<Promise<void>>()

  constructor(node: ClusterNode, registry: SessionRegistry, inbox: ClusterInbox) {
    this.#node = node
    this.#registry = registry
    this.#inbox = inbox
    inbox.answerWith((body) => this.#take(body))
  }

  /**
   * Makes this instance the owner of a new legacy session: hears its inbox, then stores the
   * record, before the client learns the session id.
   *
   * @throws {ClusterUnavailableError} When the backend fails (the session must then be closed).
   */
  async own(session: Session): Promise<void> {
    const node = this.#node
    await this.#inbox.listen()
    const record: SessionRecord = {
      id: session.id,
      principal: session.principal,
      kind: 'legacy',
      protocolVersion: session.protocolVersion,
      replay: NO_REPLAY,
      replayVersion: 0,
      owner: node.instanceId,
    }
    const ttl = node.livenessMs
    if (!(await node.call(() => node.backend.sessions.create(record, ttl)))) {
      throw new Error('A session with this id is already stored')
    }
    const owned: Owned = { session, record, timer: undefined }
    this.#owned.set(session.id, owned)
    if (session.closed)
      this.disown(session) // the client left while the record was stored
    else this.#arm(owned)
  }

  /** The session's stream closed: its record is deleted, so other instances answer 404. */
  disown(session: Session): void {
    const owned = this.#owned.get(session.id)
    if (owned?.session !== session) return
    this.#owned.delete(session.id)
    this.#registry.options.timers.clearTimeout(owned.timer)
    this.#deleteRecord(session.id)
  }

  /**
   * The legacy record of a session another instance owns, if `principal` may use it;
   * `undefined` (answer 404) otherwise.
   */
  async find(id: string, principal: string): Promise<SessionRecord | undefined> {
    const node = this.#node
    const record = await node.call(() => node.backend.sessions.get(id))
    if (record?.kind !== 'legacy' || record.principal !== principal) return undefined
    if (record.owner === undefined || record.owner === node.instanceId) {
      // Says this instance holds it, which does not: left over from a former run.
      this.#deleteRecord(id)
      return undefined
    }
    return record
  }

  /**
   * Forwards a POST's messages to the owner of `record` and waits until it has taken them (at
   * most `backendTimeoutMs`).
   */
  async forward(
    record: SessionRecord,
    post: Omit<ForwardedLegacyPost, 't' | 'sessionId' | 'principal'>,
  ): Promise<ForwardOutcome> {
    const node = this.#node
    const owner = record.owner!
    const question: ForwardedLegacyPost = {
      t: 'legacy',
      sessionId: record.id,
      principal: record.principal,
      ...post,
    }
    const outcome = await this.#inbox.ask(owner, question)
    if (outcome.answered) {
      if (outcome.body === 'taken') return 'accepted'
      // The owner does not hold it: just closed, or a record of a former run under its id.
    } else if (await node.call(() => node.backend.sessions.isAlive(owner))) {
      return 'unanswered'
    }
    // The session is over everywhere (a dead owner's stream died with it): its record goes.
    await node.call(() => node.backend.sessions.delete(record.id))
    return 'gone'
  }

  /** Deletes the records of the sessions this instance still owns, and stops hearing its inbox. */
  async stop(): Promise<void> {
    for (const { session } of [...this.#owned.values()]) this.disown(session)
    await Promise.all([...this.#deleting])
    await this.#inbox.stop()
  }

  /** Owner side: delivers a forwarded POST into its session, as if it had been POSTed here. */
  #take(body: unknown): OwnerAnswer | undefined {
    const post = body as Partial<ForwardedLegacyPost> | null
    if (post?.t !== 'legacy' || typeof post.sessionId !== 'string') return undefined
    const owned = this.#owned.get(post.sessionId)
    const session = owned?.session
    if (session === undefined || session.closed || session.principal !== post.principal) {
      return 'gone'
    }
    const { messages, headers, url } = post
    if (!Array.isArray(messages) || typeof url !== 'string' || typeof headers !== 'object') {
      return 'gone'
    }
    const parsedUrl = new URL(url)
    deliverLegacyMessages(session, messages, {
      authInfo: post.authInfo,
      requestInfo: { headers: { ...headers }, url: parsedUrl },
      request: lazyForwardedRequest(url, headers),
    })
    return 'taken'
  }

  #arm(owned: Owned): void {
    const { timers } = this.#registry.options
    owned.timer = timers.setTimeout(() => void this.#keepAlive(owned), this.#node.heartbeatMs)
  }

  /**
   * Restarts the record's TTL while the stream is open. A record lost while this instance still
   * holds the stream (it ran out during a backend outage, or an instance that found this one's
   * heartbeat stale deleted it) is stored again: the stream is the session.
   */
  async #keepAlive(owned: Owned): Promise<void> {
    const node = this.#node
    const { id } = owned.session
    if (this.#owned.get(id) !== owned) return
    try {
      const { sessions } = node.backend
      const ttl = node.livenessMs
      if ((await node.call(() => sessions.touch(id, ttl))) === 'gone') {
        if (this.#owned.get(id) === owned) await node.call(() => sessions.create(owned.record, ttl))
      }
    } catch (error) {
      this.#registry.options.onerror(error)
    }
    if (this.#owned.get(id) === owned) this.#arm(owned)
  }

  #deleteRecord(id: string): void {
    const node = this.#node
    const deleting: Promise<void> = node
      .call(() => node.backend.sessions.delete(id))
      .then(
        () => {},
        (error: unknown) => this.#registry.options.onerror(error),
      )
      .finally(() => this.#deleting.delete(deleting))
    this.#deleting.add(deleting)
  }
}

/** The body-less `Request` of a forwarded POST, built when a server first reads it. */
function lazyForwardedRequest(url: string, headers: Readonly<Record<string, string>>): Request {
  return lazyRequest(() => {
    const kept = Object.entries(headers).filter(([name]) => !BODYLESS_DROPPED_HEADERS.has(name))
    return new Request(url, { method: 'POST', headers: kept })
  })
}
