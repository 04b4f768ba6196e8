import type { McpMessage } from '../protocol/message.js'
import type { EventStore } from '../session/event-store.js'

/**
 * What a cluster knows about one event stream.
 *
 * @example
 * ```ts
 * const info: StreamInfo | undefined = await events.info(streamId)
 * ```
 */
export interface StreamInfo {
  /** The session the stream belongs to. */
  readonly sessionId: string
  /** POST streams: the instance running their requests. Standalone stream: `undefined` (any instance). */
  readonly producer?: string
  /** Request ids (as {@link requestKey} writes them) the stream still owes a response. */
  readonly pending: readonly string[]
  /** Whether the stream has ended (its end marker is written). */
  readonly ended: boolean
}

/** How a stream starts: see {@link ClusterEventStore.open}. */
export interface StreamOpening {
  /** POST streams: the instance running their requests. */
  readonly producer?: string
  /** Request ids (as {@link requestKey} writes them) the stream owes a response. */
  readonly pending: readonly string[]
}

/**
 * One stored event. An empty object is a priming event (it carries only an id).
 *
 * @example
 * ```ts
 * const { events } = await store.read(streamId, null, 64) // [{ id: '….g_1', message: {} }, …]
 * ```
 */
export interface ClusterEvent {
  /** The event id, `<streamId>_<n>` (see {@link clusterEventId}). */
  readonly id: string
  /** The stored message, or `{}` for a priming event. */
  readonly message: McpMessage | Record<string, never>
}

/** A page of {@link ClusterEventStore.read}. */
export interface ClusterEventPage {
  /** The events of the page, oldest first. */
  readonly events: ClusterEvent[]
  /** The stream has ended and this page holds its last event: nothing more will come. */
  readonly ended: boolean
}

/**
 * The events of every stream of a cluster's sessions, appended by any instance and read by any
 * other. Stream ids are `<sessionId>.<suffix>` ({@link clusterStreamId}); event ids
 * `<streamId>_<n>` with `n` counting from 1 per stream.
 *
 * Still an SDK-compatible {@link EventStore}: `storeEvent` opens the stream when needed and appends,
 * `replayEventsAfter` pages through `read`.
 *
 * @example
 * ```ts
 * const { events } = createMemoryCluster()
 * const s = clusterStreamId(sessionId, 'p1')
 * await events.open(s, { producer: 'a', pending: [requestKey(1)] }, {}, 'a', 1, 60_000)
 * await events.append(s, progress, 'a', 2)
 * await events.end(s, [response], 'a', 3)
 * ```
 */
export interface ClusterEventStore extends EventStore {
  /**
   * Registers a stream (under its session, which must exist) with its first event, the priming
   * event or the first message. On a stream that exists it appends `first` like {@link append}.
   *
   * @returns The first event's id.
   * @throws {StreamEndedError} When the stream has ended or the session is gone.
   */
  open(
    streamId: string,
    opening: StreamOpening,
    first: McpMessage | Record<string, never>,
    producer: string,
    seq: number,
    ttlMs: number,
  ): Promise<string>
  /**
   * Appends one event, idempotent per (producer, seq): repeating a producer's latest `seq` returns
   * the first id and stores nothing. A producer's `seq` must increase on each stream. A response
   * releases its request id (from the stream's pending ids and the session's ids in flight).
   *
   * @throws {StreamEndedError} Once the stream has ended, been reaped or deleted (fencing).
   * @throws {RangeError} For a `seq` older than the producer's latest.
   */
  append(
    streamId: string,
    message: McpMessage | Record<string, never>,
    producer: string,
    seq: number,
  ): Promise<string>
  /**
   * Up to `limit` events strictly after `afterId` (`null`: from the oldest kept), oldest first.
   *
   * @throws {RangeError} For an unknown stream, a cursor of another stream, or a cursor older than
   *   the events kept (some after it were trimmed: the reader would miss them).
   */
  read(streamId: string, afterId: string | null, limit: number): Promise<ClusterEventPage>
  /**
   * Appends the last messages (sequence numbers `seq`, `seq + 1`, …), releases their request ids and
   * writes the end marker, atomically. A response to an id the stream no longer owes is skipped,
   * so a reaper that lost a race to the producer's own answer adds no second one.
   *
   * @returns Per message, its event id, or `null` when skipped.
   * @throws {StreamEndedError} When another producer or seq ended the stream first, or it is gone.
   *   Repeating the very call that ended it resolves with the ids again.
   */
  end(
    streamId: string,
    last: readonly McpMessage[],
    producer: string,
    seq: number,
  ): Promise<(string | null)[]>
  /** The stream's metadata, or `undefined` when unknown (never opened, deleted or expired). */
  info(streamId: string): Promise<StreamInfo | undefined>
  /** Forgets a stream: its events and metadata. */
  deleteStream(streamId: string): Promise<void>
}

/**
 * Thrown by an append to a stream that has ended, was reaped or is gone: the writer lost its
 * stream and must stop (a producer fenced off after a pause longer than its heartbeat).
 *
 * @example
 * ```ts
 * try { await events.append(s, m, 'a', 9) } catch (e) { if (e instanceof StreamEndedError) abort() }
 * ```
 */
export class StreamEndedError extends Error {
  /** Always `'StreamEndedError'`. */
  override readonly name = 'StreamEndedError'
  /** The id of the stream the writer lost. */
  readonly streamId: string

  constructor(streamId: string) {
    super('The stream has ended or its session is gone')
    this.streamId = streamId
  }
}
