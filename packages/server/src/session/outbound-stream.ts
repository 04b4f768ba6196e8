import { encode } from '@mcpwire/sse'
import type { EventStream } from '../http/event-stream.js'
import type { Metrics } from '../metrics.js'
import type { McpMessage } from '../protocol/message.js'
import type { EventStore } from './event-store.js'

/** Where a message for a client goes: an SSE stream or a JSON body. */
export interface MessageSink {
  /** Delivers one message; returns once it is stored and queued. */
  send(message: McpMessage): Promise<void>
  /** Ends the sink after everything sent so far. */
  end(): void
  /** Notes that a request of the sink was cancelled by the client, so gets no response. */
  abandoned?(): void
}

/** Settings of an {@link OutboundStream}. */
export interface OutboundStreamOptions {
  readonly streamId: string
  /** Present when the stream is resumable: every event is stored and carries an id. */
  readonly eventStore?: EventStore | undefined
  /** The SSE event name; `message` on legacy streams, none on Streamable HTTP. */
  readonly eventName?: string | undefined
  readonly metrics: Metrics
  readonly onerror: (error: unknown) => void
  /** Runs once when the stream ends, after its last event is stored (a cluster's end marker). */
  readonly onEnd?: (() => Promise<void>) | undefined
}

/**
 * A logical outgoing stream of one session: outlives its HTTP connections.
 *
 * A resumable stream stores each event before writing it to the current connection (if any), so a
 * client that lost the connection (dropped, closed for polling, or closed by the overflow policy)
 * gets every later event by resuming with `Last-Event-ID`, once and in order.
 */
export class OutboundStream implements MessageSink {
  readonly streamId: string
  readonly #options: OutboundStreamOptions
  #connection: EventStream | undefined
  #chain: Promise<void> = Promise.resolve()
  #ended = false
  #replay: { missed: boolean; ids: Set<string> } | undefined
  #replayedIds: Set<string> | undefined
  #storedBytes = 0

  constructor(options: OutboundStreamOptions) {
    this.streamId = options.streamId
    this.#options = options
  }

  /** The store the stream's events go to, when it is resumable. */
  get eventStore(): EventStore | undefined {
    return this.#options.eventStore
  }

  /** Whether events get ids and can be replayed. */
  get resumable(): boolean {
    return this.#options.eventStore !== undefined
  }

  /** Bytes of JSON this stream has sent to the event store (the store may have dropped some). */
  get storedBytes(): number {
    return this.#storedBytes
  }

  /** Whether the stream has ended (its last response was sent). */
  get ended(): boolean {
    return this.#ended
  }

  /** Whether a connection currently carries the stream. */
  get connected(): boolean {
    return this.#connection?.open === true
  }

  /** Makes `connection` carry the stream from now on. */
  attach(connection: EventStream): void {
    this.#connection = connection
  }

  /** Writes a priming event (an id and empty data, plus `retry`) on the current connection. */
  prime(retryMs: number | undefined): Promise<void> {
    return this.#enqueue(async () => {
      const store = this.#options.eventStore
      if (store === undefined) return
      const id = await store.storeEvent(this.streamId, {})
      this.#connection?.write(
        encode(retryMs === undefined ? { id, data: '' } : { id, retry: retryMs, data: '' }),
      )
    })
  }

  /**
   * Stores an opening event (`{}`, as a priming event is) without writing it: a stream whose
   * client is too old for priming events still opens in the store before its requests run.
   */
  storeOpening(): Promise<void> {
    return this.#enqueue(async () => {
      await this.#options.eventStore?.storeEvent(this.streamId, {})
    })
  }

  /** Writes raw SSE text (such as the legacy `endpoint` event) on the current connection. */
  writeRaw(text: string): void {
    this.#connection?.write(text)
  }

  send(message: McpMessage): Promise<void> {
    // Serialized now, so storedBytes counts a message from the moment it is sent.
    const data = JSON.stringify(message)
    if (this.#options.eventStore !== undefined) this.#storedBytes += data.length
    return this.#enqueue(async () => {
      const store = this.#options.eventStore
      if (store === undefined) {
        if (!this.#connection?.write(this.#frame(data, undefined))) {
          this.#options.metrics.droppedMessages++
        }
        return
      }
      const id = await store.storeEvent(this.streamId, message)
      const text = this.#frame(data, id)
      if (this.#replay !== undefined) this.#replay.missed = true
      else if (this.#replayedIds?.has(id) !== true) this.#connection?.write(text)
    })
  }

  end(): void {
    if (this.#ended) return
    this.#ended = true
    void this.#enqueue(async () => {
      this.#replayedIds = undefined
      try {
        await this.#options.onEnd?.()
      } catch (error) {
        this.#options.onerror(error) // the connection still ends: the client is not left waiting
      }
      if (this.#replay !== undefined) return // the replay ends the connection when it finishes
      this.#connection?.end()
      this.#connection = undefined
    })
  }

  /** Closes the current connection without ending the stream (SSE polling), after a `retry` hint. */
  closeConnection(): void {
    void this.#enqueue(async () => {
      const connection = this.#connection
      this.#connection = undefined
      connection?.end()
    })
  }

  /** Drops the connection at once (session end): no more events are written. */
  abort(): void {
    this.#ended = true
    this.#connection?.end()
    this.#connection = undefined
  }

  /**
   * Carries the stream on `connection` again: replays the events stored after `lastEventId` at the
   * client's pace, then continues live. Events sent meanwhile are only stored, and caught up by a
   * further replay pass, so each event reaches the client once and in order.
   */
  async resume(connection: EventStream, lastEventId: string): Promise<void> {
    const store = this.#options.eventStore
    if (store === undefined) return
    const previous = this.#connection
    if (previous !== undefined && previous !== connection) previous.end()
    this.#connection = connection
    const replay = { missed: false, ids: new Set<string>() }
    this.#replay = replay
    let cursor = lastEventId
    try {
      do {
        replay.missed = false
        await store.replayEventsAfter(cursor, {
          send: async (id, message) => {
            if (!connection.open || this.#connection !== connection) return
            const text = this.#frame(JSON.stringify(message), id)
            await connection.waitForRoom(text.length * 3)
            replay.ids.add(id)
            connection.write(text)
            cursor = id
          },
        })
      } while (replay.missed && connection.open && this.#connection === connection)
    } catch (error) {
      this.#options.onerror(error)
    } finally {
      if (this.#replay === replay) {
        this.#replay = undefined
        this.#replayedIds = replay.ids
      }
      if (this.#ended && this.#connection === connection) connection.end()
    }
  }

  #frame(data: string, id: string | undefined): string {
    const event = this.#options.eventName
    if (event === undefined) return encode(id === undefined ? { data } : { id, data })
    return encode(id === undefined ? { event, data } : { event, id, data })
  }

  #enqueue(task: () => Promise<void>): Promise<void> {
    const next = this.#chain.then(task).catch((error: unknown) => this.#options.onerror(error))
    this.#chain = next
    return next
  }
}
