import type { Log } from './logger.js'

/**
 * A snapshot of what a handler holds, from `mcp.stats()`: every count returns to zero once
 * clients disconnect and sessions end.
 */
export interface McpHandlerStats {
  /** Open sessions (Streamable HTTP and legacy), hibernating ones included. */
  readonly sessions: number
  /** Open sessions whose server was let go until their next request (`hibernateAfterMs`). */
  readonly hibernatedSessions: number
  /** Open outgoing event streams (HTTP response bodies). */
  readonly streams: number
  /** Bytes queued in event streams and not yet read by their clients. */
  readonly bufferedBytes: number
  /** Streams closed because their client read too slowly (the overflow policy). */
  readonly overflowClosedStreams: number
  /** Server messages that had no stream and no event store to go to, so were dropped. */
  readonly droppedMessages: number
  /**
   * Ended streams a session stopped keeping resumable to stay within its bounds (16 streams,
   * `maxSessionEventBytes`); resuming one is answered 400. Grows in normal use.
   */
  readonly evictedStreams: number
  /**
   * Events the default event store dropped because their stream passed its bound
   * (`maxEventsPerStream`, `maxBytesPerStream`); resuming from before one is answered 400.
   * Always 0 with an `eventStore` of your own.
   */
  readonly evictedEvents: number
  /** Modern (2026-07-28+) requests in flight: handed to `modern` and not yet fully answered. */
  readonly modernRequests: number
  /** Open event streams relayed from `modern` (also counted in {@link streams}). */
  readonly modernStreams: number
  /**
   * Servers rebuilt from a session's replay log so far: a hibernated session woken, or (cluster
   * mode) a session adopted from the shared store. Grows in normal use.
   */
  readonly rebuiltServers: number
}

/** The mutable counters behind {@link McpHandlerStats}, and the `logger` option's events. */
export class Metrics {
  /** Reports structured events to the `logger` option; `undefined` when there is none. */
  log: Log | undefined
  sessions = 0
  hibernatedSessions = 0
  streams = 0
  bufferedBytes = 0
  overflowClosedStreams = 0
  droppedMessages = 0
  evictedStreams = 0
  /** Reads the event store's count of dropped events, when the store keeps one. */
  evictedEventsOf: () => number = () => 0
  modernRequests = 0
  modernStreams = 0
  rebuiltServers = 0

  snapshot(): McpHandlerStats {
    return {
      sessions: this.sessions,
      hibernatedSessions: this.hibernatedSessions,
      streams: this.streams,
      bufferedBytes: this.bufferedBytes,
      overflowClosedStreams: this.overflowClosedStreams,
      droppedMessages: this.droppedMessages,
      evictedStreams: this.evictedStreams,
      evictedEvents: this.evictedEventsOf(),
      modernRequests: this.modernRequests,
      modernStreams: this.modernStreams,
      rebuiltServers: this.rebuiltServers,
    }
  }
}
