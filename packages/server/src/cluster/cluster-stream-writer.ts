import type { McpMessage } from '../protocol/message.js'
import type { EventStore } from '../session/event-store.js'
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
  /** Whether a local connection carries the stream now (set by the stream's owner). */
  connected: () => boolean = () => false
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
        id = await node.call(() => events.open(streamId, opening, message, me, seq, ttlMs))
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
    if (standalone || this.#ended || !this.#opened) return
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
