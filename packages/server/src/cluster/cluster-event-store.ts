import type { McpMessage } from '../protocol/message.js'
import type { EventStore } from '../session/event-store.js'
import { parseClusterEventId } from './cluster-ids.js'

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

/** What {@link ClusterEventStore.touchAndOpen} returns for a live session. */
export interface TouchedOpen {
  /** The first event's id. */
  readonly id: string
  /** The session's replay version, as `SessionStore.touch` returns it. */
  readonly replayVersion: number
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
   * Optional: `SessionStore.touch` of the stream's session, claiming the stream's pending request
   * ids as in flight on `opening.producer`, and {@link open}, as one atomic step, so a POST's first
   * event costs one round trip instead of two. Checks that the session exists and that none of the
   * ids is in flight (in this call or another stream), restarts the idle TTL of the session and
   * everything under it, claims the ids, then opens the stream with `first`; the stream's end
   * releases them. Backends without it get the two calls, in that order (no claim).
   *
   * @returns The first event's id and the session's replay version, `'gone'` when the session
   *   does not exist, or `'duplicate'` when a request id is already in flight (nothing is written
   *   in either case).
   * @throws {StreamEndedError} When the stream exists and has ended.
   * @example
   * ```ts
   * const opened = await events.touchAndOpen?.(s, { producer: 'a', pending: [requestKey(1)] }, {}, 'a', 1, 60_000)
   * if (opened === 'gone') return notFound()
   * ```
   */
  touchAndOpen?(
    streamId: string,
    opening: StreamOpening,
    first: McpMessage | Record<string, never>,
    producer: string,
    seq: number,
    ttlMs: number,
  ): Promise<TouchedOpen | 'gone' | 'duplicate'>
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

/** Events asked of {@link ClusterEventStore.read} per page when replaying a stream. */
const REPLAY_PAGE = 64

/**
 * `EventStore.getStreamIdForEventId` for any {@link ClusterEventStore}, through its `read`: the
 * stream the id names, or `undefined` when the id is malformed or no longer readable (the stream is
 * gone, or the event was trimmed).
 *
 * @example
 * ```ts
 * streamOfClusterEvent(events, 'abc.p1:3') // 'abc.p1' while event 3 is still kept
 * ```
 */
export async function streamOfClusterEvent(
  events: Pick<ClusterEventStore, 'read'>,
  eventId: string,
): Promise<string | undefined> {
  const parsed = parseClusterEventId(eventId)
  if (parsed === undefined) return undefined
  try {
    await events.read(parsed.streamId, eventId, 1)
    return parsed.streamId
  } catch {
    return undefined
  }
}

/**
 * `EventStore.replayEventsAfter` for any {@link ClusterEventStore}: pages through `read` after
 * `lastEventId` and sends every stored message (the priming event, `{}`, is skipped).
 *
 * @returns The id of the stream replayed.
 * @throws {RangeError} For a malformed id, and as `read` does for one no longer readable.
 * @example
 * ```ts
 * await replayClusterEvents(events, lastEventId, { send: (id, message) => write(id, message) })
 * ```
 */
export async function replayClusterEvents(
  events: Pick<ClusterEventStore, 'read'>,
  lastEventId: string,
  { send }: { send: (eventId: string, message: McpMessage) => Promise<void> },
): Promise<string> {
  const parsed = parseClusterEventId(lastEventId)
  if (parsed === undefined) throw new RangeError('Unknown event id')
  let cursor = lastEventId
  for (;;) {
    const page = await events.read(parsed.streamId, cursor, REPLAY_PAGE)
    for (const event of page.events) {
      if ('jsonrpc' in event.message) await send(event.id, event.message as McpMessage)
      cursor = event.id
    }
    if (page.events.length < REPLAY_PAGE) return parsed.streamId
  }
}

/**
 * Checks the arguments of {@link ClusterEventStore.read} and returns the event number to read
 * after: 0 (from the oldest kept) for a `null` cursor, else the cursor's own number.
 *
 * @throws {RangeError} For a limit that is not a whole number of at least 1, or a cursor that is
 *   not an event id of `streamId`.
 * @example
 * ```ts
 * readPosition('abc.p1', 'abc.p1:3', 64) // 3
 * ```
 */
export function readPosition(streamId: string, afterId: string | null, limit: number): number {
  if (!(limit >= 1) || !Number.isSafeInteger(limit)) {
    throw new RangeError('A read limit is a whole number, at least 1')
  }
  if (afterId === null) return 0
  const parsed = parseClusterEventId(afterId)
  if (parsed === undefined || parsed.streamId !== streamId) {
    throw new RangeError('The cursor is not an event id of this stream')
  }
  return parsed.n
}
