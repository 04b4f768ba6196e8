import { encode } from '@mcpwire/sse'
import type { EventStream } from '../http/event-stream.js'
import type { McpMessage, RequestId } from '../protocol/message.js'
import type { TimerHandle, Timers } from '../timers.js'
import { sessionOfStream } from './cluster-ids.js'
import { type ClusterNode, isStreamEnded, type StreamTail } from './cluster-node.js'
import { releaseStandaloneLease, STANDALONE_LEASE } from './standalone-lease.js'

/** Events read per page. */
const PAGE = 64

/** The error a request gets when the instance running it stopped before answering. */
export const INTERRUPTED_MESSAGE = 'Request interrupted: the instance running it stopped; retry'

/** Settings of a {@link ClusterStreamRelay}. */
export interface ClusterStreamRelayOptions {
  readonly node: ClusterNode
  readonly connection: EventStream
  readonly streamId: string
  /** The last event the client has: the relay writes what follows. */
  readonly cursor: string
  /** The session's standalone stream: never ends; each tick also keeps the session alive. */
  readonly standalone: boolean
  /** The session's idle TTL, refreshed on each tick of a standalone stream. */
  readonly ttlMs: number
  /** The standalone stream's lease this connection holds: renewed each tick, released at the end. */
  readonly lease?: string
  readonly timers: Timers
  readonly onerror: (error: unknown) => void
}

/** The request id a {@link requestKey} names. */
function idOfKey(key: string): RequestId {
  return key.startsWith('n') ? Number(key.slice(1)) : key.slice(1)
}

/**
 * Carries a stream stored in the cluster event store on one client connection, whichever
 * instance produces it: writes the events after the client's cursor at the client's pace, then
 * every new one when the bus says there is one (`ev`) and once per heartbeat in case a nudge was
 * lost, until the stream's end marker. A POST stream whose producing instance stopped sending
 * heartbeats is reaped: each request it still owes gets a JSON-RPC error, then the end marker,
 * so the client is answered instead of waiting forever.
 */
export class ClusterStreamRelay implements StreamTail {
  readonly streamId: string
  readonly connectionId: string = crypto.randomUUID()
  readonly #options: ClusterStreamRelayOptions
  #cursor: string
  #pumping = false
  #again = false
  #timer: TimerHandle | undefined
  #started = false
  #stopped = false

  constructor(options: ClusterStreamRelayOptions) {
    this.#options = options
    this.streamId = options.streamId
    this.#cursor = options.cursor
  }

  /**
   * Starts relaying: the session's topic is heard and the relay registered for nudges, then it
   * reads at once, and again on every nudge and heartbeat.
   */
  async start(): Promise<void> {
    const { node, connection, streamId } = this.#options
    if (this.#stopped || !connection.open) return
    await node.retain(sessionOfStream(streamId))
    this.#started = true
    if (this.#stopped || !connection.open) return this.#release()
    node.addTail(this)
    this.#arm()
    this.nudge()
  }

  #release(): void {
    if (!this.#started) return
    this.#started = false
    this.#options.node.release(sessionOfStream(this.#options.streamId))
  }

  nudge(): void {
    void this.#pump()
  }

  close(): void {
    this.#options.connection.end()
    this.stop()
  }

  /** Stops relaying (the connection went away). */
  stop(): void {
    if (this.#stopped) return
    this.#stopped = true
    this.#options.node.removeTail(this)
    this.#options.timers.clearTimeout(this.#timer)
    this.#release()
    const { lease, node, streamId } = this.#options
    if (lease !== undefined) releaseStandaloneLease(node, sessionOfStream(streamId), lease)
  }

  #arm(): void {
    const { node, timers } = this.#options
    this.#timer = timers.setTimeout(() => {
      if (this.#stopped) return
      void this.#tick().finally(() => {
        if (!this.#stopped) this.#arm()
      })
    }, node.heartbeatMs)
  }

  async #tick(): Promise<void> {
    const { node, standalone, streamId, ttlMs, lease } = this.#options
    try {
      if (standalone) {
        const { sessions } = node.backend
        const sessionId = sessionOfStream(streamId)
        const [touched, renewed] = await Promise.all([
          node.call(() => sessions.touch(sessionId, ttlMs)),
          lease === undefined
            ? undefined
            : node.call(() =>
                sessions.lease(sessionId, STANDALONE_LEASE, lease, node.livenessMs, 'renew'),
              ),
        ])
        // Gone, or another connection took the stream over: the client has moved on.
        if (touched === 'gone' || renewed?.ok === false) return this.close()
      } else {
        await this.#reapIfOrphaned()
      }
    } catch (error) {
      this.#options.onerror(error)
    }
    await this.#pump()
  }

  /** Answers the requests of a POST stream whose producer is dead with an error, and ends it. */
  async #reapIfOrphaned(): Promise<void> {
    const { node, streamId } = this.#options
    const { events, sessions } = node.backend
    const info = await node.call(() => events.info(streamId))
    if (info === undefined || info.ended) return
    const producer = info.producer
    if (producer === undefined || producer === node.instanceId) return
    if (await node.call(() => sessions.isAlive(producer))) return
    const errors: McpMessage[] = info.pending.map((key) => ({
      jsonrpc: '2.0',
      id: idOfKey(key),
      error: { code: -32603, message: INTERRUPTED_MESSAGE },
    }))
    try {
      await node.call(() => events.end(streamId, errors, node.instanceId, node.nextSeq()))
    } catch (error) {
      if (!isStreamEnded(error)) throw error // the producer's answer won the race
    }
  }

  async #pump(): Promise<void> {
    if (this.#pumping) {
      this.#again = true
      return
    }
    this.#pumping = true
    try {
      do {
        this.#again = false
        await this.#readOn()
      } while (this.#again && !this.#stopped)
    } catch (error) {
      // The stream is gone (deleted, expired, trimmed past the cursor) or the backend failed:
      // closing lets the client resume, and get a clear answer then.
      if (!(error instanceof RangeError)) this.#options.onerror(error)
      this.close()
    } finally {
      this.#pumping = false
    }
  }

  async #readOn(): Promise<void> {
    const { node, connection, streamId } = this.#options
    for (;;) {
      if (this.#stopped || !connection.open) return
      const cursor = this.#cursor
      const page = await node.call(() => node.backend.events.read(streamId, cursor, PAGE))
      for (const event of page.events) {
        if (this.#stopped || !connection.open) return
        if ('jsonrpc' in event.message) {
          const text = encode({ id: event.id, data: JSON.stringify(event.message) })
          await connection.waitForRoom(text.length * 3)
          if (!connection.open) return
          connection.write(text)
        }
        this.#cursor = event.id
      }
      if (page.ended) return this.close()
      if (page.events.length < PAGE) return
    }
  }
}
