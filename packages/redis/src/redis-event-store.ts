import type {
  ClusterEventPage,
  ClusterEventStore,
  McpMessage,
  StreamInfo,
  StreamOpening,
  TouchedOpen,
} from '@mcpwire/server'
import {
  answeredKey,
  checkTtlMs,
  clusterEventId,
  readPosition,
  replayClusterEvents,
  StreamEndedError,
  sessionOfStream,
  streamOfClusterEvent,
} from '@mcpwire/server'
import type { CommandRunner } from './command-runner.js'
import type { KeyLayout } from './key-layout.js'
import { APPEND, DELETE_STREAM, END, INFO, OPEN, READ, TOUCH_OPEN } from './lua-scripts.js'

type Message = McpMessage | Record<string, never>

/** Limits of {@link RedisEventStore}. */
export interface RedisEventLimits {
  readonly maxEventsPerStream: number
  readonly maxEndedStreams: number
  readonly defaultTtlMs: number
}

/**
 * The Redis {@link ClusterEventStore}: one list per event stream whose entries are
 * `<n>:<json>`, numbered without gaps so a read after a cursor is an `LRANGE` by index, trimmed
 * with `LTRIM`, plus a metadata hash. (Lists rather than Redis Streams: a short stream costs
 * about 4.7 KB in Redis 7, a short list about 250 bytes; see the README.)
 */
export class RedisEventStore implements ClusterEventStore {
  readonly #run: CommandRunner
  readonly #keys: KeyLayout
  readonly #limits: RedisEventLimits

  constructor(run: CommandRunner, keys: KeyLayout, limits: RedisEventLimits) {
    this.#run = run
    this.#keys = keys
    this.#limits = limits
  }

  async open(
    streamId: string,
    opening: StreamOpening,
    first: Message,
    producer: string,
    seq: number,
    ttlMs: number,
  ): Promise<string> {
    const key = this.#keys.session(sessionOfStream(streamId))
    const args = this.#openArgs(streamId, opening, first, producer, seq, ttlMs)
    return this.#eventId(streamId, await this.#run.script(OPEN, key, args))
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
    const key = this.#keys.session(sessionOfStream(streamId))
    const args = this.#openArgs(streamId, opening, first, producer, seq, ttlMs)
    const reply = (await this.#run.script(TOUCH_OPEN, key, args)) as unknown[]
    if (Number(reply[0]) === -1) return 'gone'
    if (Number(reply[0]) === -2) return 'duplicate'
    return { id: this.#eventId(streamId, reply[1]), replayVersion: Number(reply[0]) }
  }

  async append(streamId: string, message: Message, producer: string, seq: number): Promise<string> {
    const key = this.#keys.session(sessionOfStream(streamId))
    const args = [
      streamId,
      this.#limits.maxEventsPerStream,
      JSON.stringify(message),
      producer,
      seq,
      answeredKey(message) ?? '',
    ]
    return this.#eventId(streamId, await this.#run.script(APPEND, key, args))
  }

  async read(streamId: string, afterId: string | null, limit: number): Promise<ClusterEventPage> {
    const after = readPosition(streamId, afterId, limit)
    const key = this.#keys.session(sessionOfStream(streamId))
    const reply = (await this.#run.script(READ, key, [streamId, after, limit])) as unknown[]
    if (Number(reply[0]) === -4) throw new RangeError('Events after the cursor were dropped')
    if (Number(reply[0]) !== 1) throw new RangeError('Unknown stream')
    const events = []
    for (let i = 2; i < reply.length; i += 2) {
      const n = Number(reply[i])
      events.push({
        id: clusterEventId(streamId, n),
        message: JSON.parse(String(reply[i + 1])) as Message,
      })
    }
    return { events, ended: Number(reply[1]) === 1 }
  }

  async end(
    streamId: string,
    last: readonly McpMessage[],
    producer: string,
    seq: number,
  ): Promise<(string | null)[]> {
    const key = this.#keys.session(sessionOfStream(streamId))
    const args: (string | number)[] = [
      streamId,
      this.#limits.maxEventsPerStream,
      this.#limits.maxEndedStreams,
      producer,
      seq,
    ]
    for (const message of last) args.push(JSON.stringify(message), answeredKey(message) ?? '')
    const reply = (await this.#run.script(END, key, args)) as unknown[]
    const status = Number(reply[0])
    if (status === -3) throw new RangeError('A producer sequence number must increase')
    if (status !== 1) throw new StreamEndedError(streamId)
    return reply.slice(1).map((n) => (Number(n) > 0 ? clusterEventId(streamId, Number(n)) : null))
  }

  async info(streamId: string): Promise<StreamInfo | undefined> {
    const key = this.#keys.session(sessionOfStream(streamId))
    const reply = (await this.#run.script(INFO, key, [streamId])) as unknown[]
    if (Number(reply[0]) !== 1) return undefined
    const producer = String(reply[1])
    const info = {
      sessionId: sessionOfStream(streamId),
      pending: reply.slice(3).map(String),
      ended: Number(reply[2]) === 1,
    }
    return producer === '' ? info : { ...info, producer }
  }

  async deleteStream(streamId: string): Promise<void> {
    const key = this.#keys.session(sessionOfStream(streamId))
    await this.#run.script(DELETE_STREAM, key, [streamId])
  }

  async storeEvent(streamId: string, message: Message): Promise<string> {
    return this.open(streamId, { pending: [] }, message, '', 0, this.#limits.defaultTtlMs)
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

  /** The ARGV of the OPEN and TOUCH_OPEN scripts. */
  #openArgs(
    streamId: string,
    opening: StreamOpening,
    first: Message,
    producer: string,
    seq: number,
    ttlMs: number,
  ): (string | number)[] {
    return [
      streamId,
      opening.producer ?? '',
      ttlMs,
      this.#limits.maxEventsPerStream,
      JSON.stringify(first),
      producer,
      seq,
      answeredKey(first) ?? '',
      ...opening.pending,
    ]
  }

  #eventId(streamId: string, reply: unknown): string {
    const n = Number(reply)
    if (n === -3) throw new RangeError('A producer sequence number must increase')
    if (!(n > 0)) throw new StreamEndedError(streamId)
    return clusterEventId(streamId, n)
  }
}
