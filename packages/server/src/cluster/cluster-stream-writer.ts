import type { McpMessage } from '../protocol/message.js'
import type { EventStore } from '../session/event-store.js'
import { StreamEndedError, type StreamOpening, type TouchedOpen } from './cluster-event-store.js'
import { answeredKey } from './cluster-ids.js'
import { type ClusterNode, isStreamEnded } from './cluster-node.js'

/** What one stream's writer needs to know of its stream. */
export interface ClusterStreamWriterOptions {
  readonly node: ClusterNode
  readonly sessionId: string
  readonly streamId: string
  /** The standalone stream (any instance appends, never ends) or a POST stream (this instance produces). */
  readonly standalone: boolean
  /** POST streams: the keys ({@link requestKey}) of the requests the stream answers. */
  readonly pending: readonly string[]
  /** The stream's idle TTL in the store. */
  readonly ttlMs: number
}

/**
 * The event store one stream of a cluster session writes through (an `OutboundStream`'s
 * `eventStore`): the first event opens the stream in the cluster event store, the response that
 * answers the last pending request ends it in the same step, and other events are appended with
 * this instance's sequence numbers. A new event is announced on the bus (`ev`) when no local
 * connection carries the stream, so a connection on another instance relays it; the standalone
 * stream is always relayed, so each of its events is announced.
 */
export class ClusterStreamWriter implements EventStore {
  readonly #options: ClusterStreamWriterOptions
  readonly #pending: Set<string>
  #opened = false
  #ended = false
  #touch:
    | {
        resolve: (outcome: number | 'gone' | 'duplicate') => void
        reject: (error: unknown) => void
      }
    | undefined
  /** Whether a local connection carries the stream now (set by the stream's owner). */
  connected: () => boolean = () => false
  /**
   * Whether the first event was refused, the session gone or a request id in flight elsewhere (see
   * {@link touchOnOpen}): the request is answered 404 or 400, not an error to report.
   */
  sessionGone = false
  /** Called when the backend refused an event: the stream's connection must close. */
  onFailure: () => void = () => {}

  constructor(options: ClusterStreamWriterOptions) {
    this.#options = options
    this.#pending = new Set(options.pending)
  }

  async storeEvent(streamId: string, message: McpMessage | Record<string, never>): Promise<string> {
    const { node, ttlMs, standalone } = this.#options
    const { events } = node.backend
    const me = node.instanceId
    const seq = node.nextSeq()
    let id: string
    try {
      if (standalone) {
        id = await node.call(() => events.open(streamId, { pending: [] }, message, me, seq, ttlMs))
      } else if (!this.#opened) {
        this.#opened = true
        const opening = { producer: me, pending: [...this.#pending] }
        if (this.#touch === undefined) {
          id = await node.call(() => events.open(streamId, opening, message, me, seq, ttlMs))
        } else {
          id = await this.#touchAndOpen(opening, message, seq)
        }
        this.#settle(message)
      } else if (this.#settle(message) && this.#pending.size === 0) {
        this.#ended = true
        const ids = await node.call(() => events.end(streamId, [message as McpMessage], me, seq))
        id = ids[0] ?? ''
      } else {
        id = await node.call(() => events.append(streamId, message, me, seq))
      }
    } catch (error) {
      this.onFailure()
      throw error
    }
    if (standalone || !this.connected()) {
      node.publish(this.#options.sessionId, { t: 'ev', stream: streamId }).catch(() => {})
    }
    return id
  }

  /**
   * Makes the stream's first event also touch its session, in one backend step when the backend
   * has `touchAndOpen` (which also claims the stream's request ids as in flight, cluster-wide),
   * else touch then open. Call before the first event is stored; the first event must be stored
   * before the stream's requests run.
   *
   * @returns Settles when the first event is stored: the session's replay version, `'gone'` or
   *   `'duplicate'` (nothing stored; the first event fails with {@link StreamEndedError}).
   *   Rejects as the backend call does.
   */
  touchOnOpen(): Promise<number | 'gone' | 'duplicate'> {
    return new Promise((resolve, reject) => {
      this.#touch = { resolve, reject }
    })
  }

  async #touchAndOpen(
    opening: StreamOpening,
    message: McpMessage | Record<string, never>,
    seq: number,
  ): Promise<string> {
    const { node, ttlMs, streamId, sessionId } = this.#options
    const { events, sessions } = node.backend
    const me = node.instanceId
    const touch = this.#touch!
    this.#touch = undefined
    try {
      let opened: TouchedOpen | 'gone' | 'duplicate'
      if (events.touchAndOpen !== undefined) {
        opened = await node.call(() =>
          events.touchAndOpen!(streamId, opening, message, me, seq, ttlMs),
        )
      } else {
        const touched = await node.call(() => sessions.touch(sessionId, ttlMs))
        opened =
          typeof touched !== 'number'
            ? 'gone'
            : {
                id: await node.call(() => events.open(streamId, opening, message, me, seq, ttlMs)),
                replayVersion: touched,
              }
      }
      if (opened === 'gone' || opened === 'duplicate') {
        this.sessionGone = true
        touch.resolve(opened)
        throw new StreamEndedError(streamId)
      }
      touch.resolve(opened.replayVersion)
      return opened.id
    } catch (error) {
      touch.reject(error) // no effect once resolved
      throw error
    }
  }

  /** Notes a response; whether it answered a pending request. */
  #settle(message: McpMessage | Record<string, never>): boolean {
    const key = answeredKey(message)
    return key !== undefined && this.#pending.delete(key)
  }

  /**
   * Writes the end marker when the stream ended without its last response stored in the same step
   * (a cancelled request, or a first event that was already the last response).
   */
  async finish(): Promise<void> {
    const { node, standalone, streamId } = this.#options
    if (standalone || this.#ended || !this.#opened || this.sessionGone) return
    this.#ended = true
    const seq = node.nextSeq()
    try {
      await node.call(() => node.backend.events.end(streamId, [], node.instanceId, seq))
    } catch (error) {
      if (!isStreamEnded(error)) throw error
    }
  }

  getStreamIdForEventId(eventId: string): Promise<string | undefined> {
    const { node } = this.#options
    return node.call(async () => node.backend.events.getStreamIdForEventId?.(eventId))
  }

  replayEventsAfter(
    lastEventId: string,
    handlers: { send: (eventId: string, message: McpMessage) => Promise<void> },
  ): Promise<string> {
    return this.#options.node.backend.events.replayEventsAfter(lastEventId, handlers)
  }
}
