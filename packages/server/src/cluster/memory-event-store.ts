import type { McpMessage } from '../protocol/message.js'
import type {
  ClusterEventPage,
  ClusterEventStore,
  StreamInfo,
  StreamOpening,
  TouchedOpen,
} from './cluster-event-store.js'
import {
  readPosition,
  replayClusterEvents,
  StreamEndedError,
  streamOfClusterEvent,
} from './cluster-event-store.js'
import { answeredKey, clusterEventId, sessionOfStream } from './cluster-ids.js'
import type { MemoryState, MemoryStream } from './memory-state.js'
import { checkTtlMs } from './session-store.js'

type Message = McpMessage | Record<string, never>

/**
 * The memory cluster's {@link ClusterEventStore}. Events are kept as JSON text, at most
 * `maxEventsPerStream` per stream (the oldest go first).
 */
export class MemoryEventStore implements ClusterEventStore {
  readonly #state: MemoryState
  readonly #defaultTtlMs: number

  constructor(state: MemoryState, defaultTtlMs: number) {
    this.#state = state
    this.#defaultTtlMs = defaultTtlMs
  }

  async open(
    streamId: string,
    opening: StreamOpening,
    first: Message,
    producer: string,
    seq: number,
    ttlMs: number,
  ): Promise<string> {
    const sessionId = sessionOfStream(streamId)
    let stream = this.#state.stream(streamId)
    if (stream === undefined) {
      const session = this.#state.session(sessionId)
      if (session === undefined) throw new StreamEndedError(streamId)
      stream = {
        sessionId,
        producer: opening.producer,
        pending: new Set(opening.pending),
        ended: false,
        endedBy: undefined,
        ttlMs,
        expiresAt: this.#state.now() + ttlMs,
        next: 1,
        events: [],
        latest: new Map(),
      }
      this.#state.streams.set(streamId, stream)
      session.streams.add(streamId)
    }
    return this.#append(streamId, stream, first, producer, seq)
  }

  async touchAndOpen(
    streamId: string,
    opening: StreamOpening,
    first: Message,
    producer: string,
    seq: number,
    ttlMs: number,
  ): Promise<TouchedOpen | 'gone' | 'duplicate'> {
    checkTtlMs(ttlMs)
    const session = this.#state.session(sessionOfStream(streamId))
    if (session === undefined) return 'gone'
    const ids = opening.pending
    if (new Set(ids).size !== ids.length || ids.some((key) => session.inFlight.has(key))) {
      return 'duplicate'
    }
    for (const key of ids) session.inFlight.set(key, opening.producer ?? producer)
    this.#state.refresh(session, ttlMs, this.#state.now())
    const id = await this.open(streamId, opening, first, producer, seq, ttlMs)
    return { id, replayVersion: session.version }
  }

  async append(streamId: string, message: Message, producer: string, seq: number): Promise<string> {
    const stream = this.#state.stream(streamId)
    if (stream === undefined) throw new StreamEndedError(streamId)
    return this.#append(streamId, stream, message, producer, seq)
  }

  async read(streamId: string, afterId: string | null, limit: number): Promise<ClusterEventPage> {
    const after = readPosition(streamId, afterId, limit)
    const stream = this.#state.stream(streamId)
    if (stream === undefined) throw new RangeError('Unknown stream')
    const oldest = stream.events[0]
    if (after > 0 && oldest !== undefined && oldest.n > after + 1) {
      throw new RangeError('Events after the cursor were dropped')
    }
    const later = stream.events.filter((event) => event.n > after)
    const page = later.slice(0, limit)
    return {
      events: page.map((event) => ({
        id: clusterEventId(streamId, event.n),
        message: JSON.parse(event.data) as Message,
      })),
      ended: stream.ended && page.length === later.length,
    }
  }

  async end(
    streamId: string,
    last: readonly McpMessage[],
    producer: string,
    seq: number,
  ): Promise<(string | null)[]> {
    const stream = this.#state.stream(streamId)
    if (stream === undefined) throw new StreamEndedError(streamId)
    if (stream.ended) {
      const by = stream.endedBy
      if (by !== undefined && by.producer === producer && by.seq === seq) return [...by.ids]
      throw new StreamEndedError(streamId)
    }
    const ids: (string | null)[] = []
    let n = seq
    for (const message of last) {
      const answered = answeredKey(message)
      if (answered !== undefined && !stream.pending.has(answered)) {
        ids.push(null)
        this.#noteLatest(stream, producer, n++, '')
        continue
      }
      ids.push(this.#append(streamId, stream, message, producer, n++))
    }
    const session = this.#state.session(stream.sessionId)
    for (const key of stream.pending) session?.inFlight.delete(key)
    stream.pending.clear()
    stream.endedBy = { producer, seq, ids }
    this.#state.markEnded(streamId, stream)
    return [...ids]
  }

  async info(streamId: string): Promise<StreamInfo | undefined> {
    const stream = this.#state.stream(streamId)
    if (stream === undefined) return undefined
    const info = { sessionId: stream.sessionId, pending: [...stream.pending], ended: stream.ended }
    return stream.producer === undefined ? info : { ...info, producer: stream.producer }
  }

  async deleteStream(streamId: string): Promise<void> {
    this.#state.deleteStream(streamId)
  }

  async storeEvent(streamId: string, message: Message): Promise<string> {
    const ttl = this.#defaultTtlMs
    return this.open(streamId, { pending: [] }, message, '', 0, ttl)
  }

  getStreamIdForEventId(eventId: string): Promise<string | undefined> {
    return streamOfClusterEvent(this, eventId)
  }

  replayEventsAfter(
    lastEventId: string,
    sink: { send: (eventId: string, message: McpMessage) => Promise<void> },
  ): Promise<string> {
    return replayClusterEvents(this, lastEventId, sink)
  }

  #append(
    streamId: string,
    stream: MemoryStream,
    message: Message,
    producer: string,
    seq: number,
  ): string {
    const latest = producer === '' ? undefined : stream.latest.get(producer)
    if (latest !== undefined && seq === latest.seq && latest.id !== '') return latest.id
    if (latest !== undefined && seq <= latest.seq) {
      throw new RangeError('A producer sequence number must increase')
    }
    if (stream.ended) throw new StreamEndedError(streamId)
    const n = stream.next++
    stream.events.push({ n, data: JSON.stringify(message) })
    if (stream.events.length > this.#state.limits.maxEventsPerStream) stream.events.shift()
    const id = clusterEventId(streamId, n)
    this.#noteLatest(stream, producer, seq, id)
    const answered = answeredKey(message)
    if (answered !== undefined && stream.pending.delete(answered)) {
      this.#state.session(stream.sessionId)?.inFlight.delete(answered)
    }
    const now = this.#state.now()
    stream.expiresAt = now + stream.ttlMs
    return id
  }

  #noteLatest(stream: MemoryStream, producer: string, seq: number, id: string): void {
    if (producer !== '') stream.latest.set(producer, { seq, id })
  }
}
