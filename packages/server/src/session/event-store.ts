import type { McpMessage } from '../protocol/message.js'

/**
 * Where outgoing events are kept so a client can resume a stream with `Last-Event-ID`.
 *
 * The shape matches the official SDK's `EventStore`, so an SDK-compatible store can be passed as is.
 * Event ids must be unique across all streams and must identify their stream.
 *
 * @see https://modelcontextprotocol.io/specification/2025-11-25/basic/transports#resumability-and-redelivery
 */
export interface EventStore {
  /** Stores one message of a stream and returns its new event id. An empty object is a priming event. */
  storeEvent(streamId: string, message: McpMessage | Record<string, never>): Promise<string>
  /** The stream an event id belongs to, or `undefined` when the id is unknown. */
  getStreamIdForEventId?(eventId: string): Promise<string | undefined>
  /** Sends, in order, the events of the same stream stored after `lastEventId`; returns that stream's id. */
  replayEventsAfter(
    lastEventId: string,
    handlers: { send: (eventId: string, message: McpMessage) => Promise<void> },
  ): Promise<string>
}

/** Limits of {@link InMemoryEventStore}. */
export interface InMemoryEventStoreOptions {
  /** Events kept per stream; older ones are dropped first. Default: 256. */
  readonly maxEventsPerStream?: number
  /** Streams kept; the least recently written is dropped first. Default: 10,000. */
  readonly maxStreams?: number
}

interface StoredEvent {
  readonly seq: number
  readonly message: McpMessage | Record<string, never>
}

interface StoredStream {
  nextSeq: number
  readonly events: StoredEvent[]
}

/**
 * A bounded in-memory {@link EventStore}: the default of `createMcpHandler`.
 *
 * Event ids are `<streamId>_<sequence>`, so the stream of an id is read from the id itself.
 * Memory is bounded by `maxEventsPerStream` times `maxStreams`; a client resuming after events
 * were dropped receives only those still kept.
 *
 * @example
 * ```ts
 * const mcp = createMcpHandler({ connect, eventStore: new InMemoryEventStore({ maxStreams: 1000 }) })
 * ```
 */
export class InMemoryEventStore implements EventStore {
  readonly #maxEvents: number
  readonly #maxStreams: number
  readonly #streams = new Map<string, StoredStream>()

  constructor(options: InMemoryEventStoreOptions = {}) {
    this.#maxEvents = options.maxEventsPerStream ?? 256
    this.#maxStreams = options.maxStreams ?? 10_000
    if (!(this.#maxEvents >= 1) || !(this.#maxStreams >= 1)) {
      throw new RangeError('Event store limits must be at least 1')
    }
  }

  /** How many streams are held. */
  get size(): number {
    return this.#streams.size
  }

  async storeEvent(streamId: string, message: McpMessage | Record<string, never>): Promise<string> {
    let stream = this.#streams.get(streamId)
    if (stream === undefined) {
      stream = { nextSeq: 1, events: [] }
      if (this.#streams.size >= this.#maxStreams) {
        const oldest = this.#streams.keys().next().value
        if (oldest !== undefined) this.#streams.delete(oldest)
      }
    } else {
      this.#streams.delete(streamId)
    }
    this.#streams.set(streamId, stream)
    const seq = stream.nextSeq++
    stream.events.push({ seq, message })
    if (stream.events.length > this.#maxEvents) stream.events.shift()
    return `${streamId}_${seq}`
  }

  async getStreamIdForEventId(eventId: string): Promise<string | undefined> {
    const parsed = parseEventId(eventId)
    return parsed !== undefined && this.#streams.has(parsed.streamId) ? parsed.streamId : undefined
  }

  async replayEventsAfter(
    lastEventId: string,
    { send }: { send: (eventId: string, message: McpMessage) => Promise<void> },
  ): Promise<string> {
    const parsed = parseEventId(lastEventId)
    if (parsed === undefined) throw new RangeError('Unknown event id')
    const stream = this.#streams.get(parsed.streamId)
    if (stream === undefined) throw new RangeError('Unknown event id')
    for (const event of stream.events.slice()) {
      if (event.seq <= parsed.seq || !('jsonrpc' in event.message)) continue
      await send(`${parsed.streamId}_${event.seq}`, event.message as McpMessage)
    }
    return parsed.streamId
  }

  /** Forgets a stream's events (called when its session ends). */
  deleteStream(streamId: string): void {
    this.#streams.delete(streamId)
  }
}

function parseEventId(eventId: string): { streamId: string; seq: number } | undefined {
  const at = eventId.lastIndexOf('_')
  if (at <= 0) return undefined
  const seq = Number(eventId.slice(at + 1))
  if (!Number.isSafeInteger(seq) || seq < 1) return undefined
  return { streamId: eventId.slice(0, at), seq }
}
