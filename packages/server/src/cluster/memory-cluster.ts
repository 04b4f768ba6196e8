import { globalTimers, type Timers } from '../timers.js'
import type { ClusterBus } from './cluster-bus.js'
import type { ClusterEventStore } from './cluster-event-store.js'
import { MemoryBus } from './memory-bus.js'
import { MemoryEventStore } from './memory-event-store.js'
import { MemorySessionStore } from './memory-session-store.js'
import { MemoryState } from './memory-state.js'
import type { SessionStore } from './session-store.js'

/**
 * The three shared parts of a cluster, always created together by one backend
 * ({@link createMemoryCluster}, `createRedisCluster` in `@mcpwire/redis`): they may share keys.
 */
export interface ClusterBackend {
  /** The session records shared by every instance. */
  readonly sessions: SessionStore
  /** The events of every stream of the cluster's sessions. */
  readonly events: ClusterEventStore
  /** The pub/sub bus the instances signal each other on. */
  readonly bus: ClusterBus
}

/** Options of {@link createMemoryCluster}. */
export interface MemoryClusterOptions {
  /** The clock TTLs are measured on. Default: the global timers. */
  readonly timers?: Timers
  /** Events kept per stream; older ones are dropped first. Default: 256. */
  readonly maxEventsPerStream?: number
  /** Ended streams kept per session; older ones are deleted. Default: 16. */
  readonly maxEndedStreams?: number
  /** Idle TTL of a stream that `storeEvent` opens. Default: 30 minutes. */
  readonly defaultTtlMs?: number
}

/**
 * An in-memory cluster backend: sessions, events and a bus shared by several handlers in one
 * process, so cross-instance behaviour can be tested without Redis. Expiry follows `timers.now()`,
 * so fake timers drive it.
 *
 * @example
 * ```ts
 * const cluster = createMemoryCluster({ timers })
 * await cluster.sessions.create(record, 60_000)
 * await cluster.bus.publish(`s.${record.id}`, '{"t":"ended"}')
 * ```
 */
export function createMemoryCluster(options: MemoryClusterOptions = {}): ClusterBackend {
  const maxEventsPerStream = options.maxEventsPerStream ?? 256
  const maxEndedStreams = options.maxEndedStreams ?? 16
  const defaultTtlMs = options.defaultTtlMs ?? 30 * 60 * 1000
  if (!(maxEventsPerStream >= 1) || !(maxEndedStreams >= 0) || !(defaultTtlMs >= 1)) {
    throw new RangeError('Memory cluster limits must be positive')
  }
  const state = new MemoryState(options.timers ?? globalTimers, {
    maxEventsPerStream,
    maxEndedStreams,
  })
  return {
    sessions: new MemorySessionStore(state),
    events: new MemoryEventStore(state, defaultTtlMs),
    bus: new MemoryBus(),
  }
}
