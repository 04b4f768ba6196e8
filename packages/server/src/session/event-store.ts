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
  /** Events kept per stream; older ones are dropped first (and counted). Default: 4096. */
  readonly maxEventsPerStream?: number
  /** Bytes of JSON kept per stream; older events are dropped first (and counted). Default: 1 MiB. */
  readonly maxBytesPerStream?: number
  /**
   * Streams kept; past it the least recently written is dropped. Default: `Infinity`: the handler
   * already deletes a session's streams when it ends and keeps few ended ones per session, and a
   * shared cap would let one client's streams push out another's.
   */
  readonly maxStreams?: number
}

interface StoredEvent {
  readonly seq: number
  readonly bytes: number
  readonly message: McpMessage | Record<string, never>
}

interface StoredStream {
  nextSeq: number
  bytes: number
  /** The sequence number of the newest event dropped past the bounds (0: none). */
  droppedThrough: number
  readonly events: StoredEvent[]
}

/**
 * A bounded in-memory {@link EventStore}: the default of `createMcpHandler`.
 *
 * Event ids are `<streamId>_<sequence>`, so the stream of an id is read from the id itself.
 * Each stream has its own bounds (`maxEventsPerStream`, `maxBytesPerStream`), so what one stream
 * (one client) stores never drops another's events. Past its bound a stream drops its oldest
 * events and counts them ({@link evictedEvents}); a client resuming from before a dropped event
 * is refused (`getStreamIdForEventId` answers `undefined`, `replayEventsAfter` throws a
 * `RangeError`), never silently handed a stream with a gap.
 *
 * @example
 * ```ts
 * const mcp = createMcpHandler({ connect, eventStore: new InMemoryEventStore({ maxBytesPerStream: 256 * 1024 }) })
 * ```
 */
export class InMemoryEventStore implements EventStore {
  readonly #maxEvents: number
  readonly #maxBytes: number
  readonly #maxStreams: number
  readonly #streams = new Map<string, StoredStream>()
  #evictedEvents = 0
  #evictedStreams = 0

  constructor(options: InMemoryEventStoreOptions = {}) {
    this.#maxEvents = options.maxEventsPerStream ?? 4096
    this.#maxBytes = options.maxBytesPerStream ?? 1024 * 1024
    this.#maxStreams = options.maxStreams ?? Number.POSITIVE_INFINITY
    if (!(this.#maxEvents >= 1) || !(this.#maxStreams >= 1) || !(this.#maxBytes >= 1)) {
      throw new RangeError('Event store limits must be at least 1')
    }
  }

  /** How many streams are held. */
  get size(): number {
    return this.#streams.size
  }

  /** Events dropped because their stream passed `maxEventsPerStream` or `maxBytesPerStream`. */
  get evictedEvents(): number {
    return this.#evictedEvents
  }

  /** Streams dropped because the store passed `maxStreams`. */
  get evictedStreams(): number {
    return this.#evictedStreams
  }

  async storeEvent(streamId: string, message: McpMessage | Record<string, never>): Promise<string> {
    let stream = this.#streams.get(streamId)
    if (stream === undefined) {
      stream = { nextSeq: 1, bytes: 0, droppedThrough: 0, events: [] }
      if (this.#streams.size >= this.#maxStreams) {
        const oldest = this.#streams.keys().next().value
        if (oldest !== undefined) {
          this.#streams.delete(oldest)
          this.#evictedStreams++
        }
      }
    } else {
      this.#streams.delete(streamId)
    }
    this.#streams.set(streamId, stream)
    const seq = stream.nextSeq++
    const bytes = utf8Length(JSON.stringify(message))
    stream.events.push({ seq, bytes, message })
    stream.bytes += bytes
    // The newest event always stays, even alone over the byte bound.
    while (
      stream.events.length > 1 &&
      (stream.events.length > this.#maxEvents || stream.bytes > this.#maxBytes)
    ) {
      const dropped = stream.events.shift()!
      stream.bytes -= dropped.bytes
      stream.droppedThrough = dropped.seq
      this.#evictedEvents++
    }
    return `${streamId}_${seq}`
  }

  /** The stream of an event id, or `undefined` when it is unknown or events after it were dropped. */
  async getStreamIdForEventId(eventId: string): Promise<string | undefined> {
    const parsed = parseEventId(eventId)
    if (parsed === undefined) return undefined
    const stream = this.#streams.get(parsed.streamId)
    if (stream === undefined || !isResumable(stream, parsed.seq)) return undefined
    return parsed.streamId
  }

  async replayEventsAfter(
    lastEventId: string,
    { send }: { send: (eventId: string, message: McpMessage) => Promise<void> },
  ): Promise<string> {
    const parsed = parseEventId(lastEventId)
    if (parsed === undefined) throw new RangeError('Unknown event id')
    const stream = this.#streams.get(parsed.streamId)
    if (stream === undefined) throw new RangeError('Unknown event id')
    if (!isResumable(stream, parsed.seq)) {
      throw new RangeError('Events after this id are no longer stored')
    }
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

/** Whether every event after `seq` is still stored (and `seq` was ever minted). */
function isResumable(stream: StoredStream, seq: number): boolean {
  return seq >= stream.droppedThrough && seq < stream.nextSeq
}

/** The UTF-8 length of a string, without encoding it. */
function utf8Length(text: string): number {
  let bytes = text.length
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c >= 0x80) bytes += c >= 0x800 && (c < 0xd800 || c > 0xdfff) ? 2 : 1
  }
  return bytes
}

function parseEventId(eventId: string): { streamId: string; seq: number } | undefined {
  const at = eventId.lastIndexOf('_')
  if (at <= 0) return undefined
  const seq = Number(eventId.slice(at + 1))
  if (!Number.isSafeInteger(seq) || seq < 1) return undefined
  return { streamId: eventId.slice(0, at), seq }
}
