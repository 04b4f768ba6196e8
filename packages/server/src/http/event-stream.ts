import { encodeComment } from '@mcpwire/sse'
import type { Metrics } from '../metrics.js'
import type { TimerHandle, Timers } from '../timers.js'

/** Settings of one {@link EventStream}. */
export interface EventStreamOptions {
  /** Bytes queued for a slow client before the overflow policy closes the stream. */
  readonly maxBufferBytes: number
  /** Interval of keep-alive comments on a quiet stream; 0 disables them. */
  readonly keepAliveMs: number
  readonly timers: Timers
  readonly metrics: Metrics
  /** Called once when the stream stops accepting events, with the reason. */
  readonly onDetach?: ((reason: EventStreamCloseReason) => void) | undefined
}

/** Why an event stream stopped: ended by the server, client gone, or client too slow. */
export type EventStreamCloseReason = 'end' | 'disconnect' | 'overflow'

/**
 * What takes an event stream's bytes to the client: a `ReadableStream` (the Fetch `Response`
 * body) or a `node:http` response.
 */
export interface EventStreamConsumer {
  /**
   * Takes the next chunk.
   *
   * @returns Whether it takes another one at once; after `false`, the next chunk waits for
   *   {@link EventStream.resume}.
   */
  push(chunk: Uint8Array): boolean
  /** No chunk follows: the stream ended or was aborted. */
  close(): void
}

const encoder = new TextEncoder()

/** Headers of every event stream: no caching, no proxy buffering, no hop-by-hop headers. */
export const EVENT_STREAM_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
}

/**
 * One outgoing SSE connection: a pull-based byte source with a bounded queue.
 *
 * Events are handed to the {@link EventStreamConsumer} only while it asks for more, so a client
 * that stops reading leaves at most `maxBufferBytes` queued here.
 * (A single event larger than the bound is still queued when the queue is empty.)
 * Overflow policy: when a write would pass that bound, the queue is dropped and the stream closed
 * (reason `overflow`, counted in stats). Events of a resumable stream stay in the event store, so the
 * client resumes with `Last-Event-ID` and loses nothing.
 */
export class EventStream {
  readonly #maxBufferBytes: number
  readonly #keepAliveMs: number
  readonly #timers: Timers
  readonly #metrics: Metrics
  readonly #queue: Uint8Array[] = []
  #queuedBytes = 0
  #consumer: EventStreamConsumer | undefined
  #wanted = false
  #accepting = true
  #finished = false
  #keepAlive: TimerHandle | undefined
  #wroteSinceTick = false
  #roomWaiters: (() => void)[] = []
  // Dropped once the stream detaches, so a finished stream holds nothing of its request.
  #onDetach: ((reason: EventStreamCloseReason) => void) | undefined

  constructor(options: EventStreamOptions) {
    this.#maxBufferBytes = options.maxBufferBytes
    this.#keepAliveMs = options.keepAliveMs
    this.#timers = options.timers
    this.#metrics = options.metrics
    this.#onDetach = options.onDetach
    options.metrics.streams++
    this.#armKeepAlive()
  }

  /**
   * Attaches `consumer`; it gets chunks from its first {@link resume} on. Events written before
   * wait in the queue. Called once.
   */
  connect(consumer: EventStreamConsumer): void {
    this.#consumer = consumer
    if (this.#finished) consumer.close()
  }

  /** The consumer takes chunks (a pull, a Node response ready at first or after `drain`). */
  resume(): void {
    if (this.#consumer === undefined || this.#finished) return
    this.#wanted = true
    let chunk = this.#queue.shift()
    while (chunk !== undefined) {
      this.#queuedBytes -= chunk.byteLength
      this.#metrics.bufferedBytes -= chunk.byteLength
      this.#wanted = this.#consumer.push(chunk)
      if (!this.#wanted || this.#finished) break
      chunk = this.#queue.shift()
    }
    if (!this.#accepting && this.#queue.length === 0) this.#finish()
    this.#wakeWaiters()
  }

  /** Whether the stream still accepts events. */
  get open(): boolean {
    return this.#accepting
  }

  /** Bytes queued and not yet taken by the client. */
  get bufferedBytes(): number {
    return this.#queuedBytes
  }

  /**
   * Queues SSE text for the client.
   *
   * @returns `false` when the stream is closed or the write triggered the overflow policy.
   */
  write(text: string): boolean {
    if (!this.#accepting) return false
    const chunk = encoder.encode(text)
    this.#wroteSinceTick = true
    if (this.#wanted && this.#consumer !== undefined) {
      this.#wanted = this.#consumer.push(chunk)
      return true
    }
    if (this.#queuedBytes > 0 && this.#queuedBytes + chunk.byteLength > this.#maxBufferBytes) {
      this.#metrics.overflowClosedStreams++
      this.#metrics.log?.('warn', 'stream closed: client reads too slowly', {
        event: 'stream-overflow',
        queuedBytes: this.#queuedBytes + chunk.byteLength,
        maxBufferBytes: this.#maxBufferBytes,
      })
      this.abort('overflow')
      return false
    }
    this.#queue.push(chunk)
    this.#queuedBytes += chunk.byteLength
    this.#metrics.bufferedBytes += chunk.byteLength
    return true
  }

  /**
   * Resolves once `bytes` more fit in the queue (or the stream closed): lets a producer that can
   * wait, such as a replay, follow the client's pace instead of triggering the overflow policy.
   */
  waitForRoom(bytes: number): Promise<void> {
    if (!this.#accepting || this.#wanted || this.#queuedBytes === 0) return Promise.resolve()
    if (this.#queuedBytes + bytes <= this.#maxBufferBytes) return Promise.resolve()
    return new Promise((resolve) => this.#roomWaiters.push(resolve))
  }

  #wakeWaiters(): void {
    const waiters = this.#roomWaiters
    this.#roomWaiters = []
    for (const wake of waiters) wake()
  }

  /** Ends the stream once the client has read what is queued. */
  end(): void {
    if (!this.#accepting) return
    this.#detach('end')
    if (this.#queue.length === 0) this.#finish()
  }

  /** Closes the stream now, dropping anything queued. */
  abort(reason: EventStreamCloseReason = 'disconnect'): void {
    if (this.#accepting) this.#detach(reason)
    this.#dropQueue()
    this.#finish()
  }

  #armKeepAlive(): void {
    const ms = this.#keepAliveMs
    if (!(ms > 0) || !this.#accepting) return
    this.#keepAlive = this.#timers.setTimeout(() => {
      this.#keepAlive = undefined
      if (!this.#wroteSinceTick) this.write(encodeComment('keep-alive'))
      this.#wroteSinceTick = false
      this.#armKeepAlive()
    }, ms)
  }

  #detach(reason: EventStreamCloseReason): void {
    this.#accepting = false
    if (this.#keepAlive !== undefined) {
      this.#timers.clearTimeout(this.#keepAlive)
      this.#keepAlive = undefined
    }
    this.#wakeWaiters()
    const onDetach = this.#onDetach
    this.#onDetach = undefined
    onDetach?.(reason)
  }

  #dropQueue(): void {
    this.#metrics.bufferedBytes -= this.#queuedBytes
    this.#queuedBytes = 0
    this.#queue.length = 0
  }

  #finish(): void {
    if (this.#finished) return
    this.#finished = true
    this.#metrics.streams--
    this.#consumer?.close()
  }
}
