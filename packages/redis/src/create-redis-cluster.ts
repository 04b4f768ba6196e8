import type { ClusterBackend, Timers } from '@mcpwire/server'
import { globalTimers } from '@mcpwire/server'
import { CommandRunner } from './command-runner.js'
import { KeyLayout } from './key-layout.js'
import { RedisBus } from './redis-bus.js'
import type { RedisConnection } from './redis-connection.js'
import { RedisEventStore } from './redis-event-store.js'
import { RedisSessionStore } from './redis-session-store.js'

/** Options of {@link createRedisCluster}. */
export interface RedisClusterOptions {
  /** Prefix of every key and channel. Default: `mw`. */
  readonly prefix?: string
  /** Events kept per stream (exact `MAXLEN`). Default: 256. */
  readonly maxEventsPerStream?: number
  /** Ended streams kept per session; older ones are deleted. Default: 16. */
  readonly maxEndedStreams?: number
  /** Idle TTL of a stream that `storeEvent` opens. Default: 30 minutes. */
  readonly defaultTtlMs?: number
  /** A command with no answer after this long fails with `RedisUnavailableError`. Default: 2000. */
  readonly commandTimeoutMs?: number
  /** The timers the command timeout runs on. Default: the global timers. */
  readonly timers?: Timers
}

/** What {@link createRedisCluster} returns: the three parts, plus a round-trip counter. */
export interface RedisCluster extends ClusterBackend {
  /** Commands sent to Redis so far (each one round trip; scripts included). */
  readonly roundTrips: () => number
}

/**
 * Sessions, events and a bus for an `@mcpwire/server` cluster, on the Redis (or Valkey) client
 * the application already has. Needs Redis 6 or later (or Valkey); uses no blocking
 * command, and only `EVALSHA`/`EVAL`, `HMGET`, `SET`, `DEL`, `EXISTS` and `PUBLISH` on the command
 * connection.
 *
 * @param connection The client, through a shim: {@link fromNodeRedis}, {@link fromIoredis},
 *   {@link fromBun}, or any `{ commands, subscriber }` of your own.
 * @example
 * ```ts
 * import { createClient } from 'redis'
 * import { createRedisCluster, fromNodeRedis } from '@mcpwire/redis'
 *
 * const client = await createClient({ url: process.env.REDIS_URL }).connect()
 * const subscriber = await client.duplicate().connect()
 * const cluster = createRedisCluster(fromNodeRedis(client, subscriber))
 * await cluster.sessions.isAlive('a1')
 * ```
 */
export function createRedisCluster(
  connection: RedisConnection,
  options: RedisClusterOptions = {},
): RedisCluster {
  const maxEventsPerStream = options.maxEventsPerStream ?? 256
  const maxEndedStreams = options.maxEndedStreams ?? 16
  const defaultTtlMs = options.defaultTtlMs ?? 30 * 60 * 1000
  const commandTimeoutMs = options.commandTimeoutMs ?? 2000
  for (const [name, value, least] of [
    ['maxEventsPerStream', maxEventsPerStream, 1],
    ['maxEndedStreams', maxEndedStreams, 0],
    ['defaultTtlMs', defaultTtlMs, 1],
    ['commandTimeoutMs', commandTimeoutMs, 1],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < least) {
      throw new RangeError(`${name} must be a whole number, at least ${least}`)
    }
  }
  const keys = new KeyLayout(options.prefix ?? 'mw')
  const run = new CommandRunner(
    connection.commands,
    options.timers ?? globalTimers,
    commandTimeoutMs,
  )
  return {
    sessions: new RedisSessionStore(run, keys),
    events: new RedisEventStore(run, keys, { maxEventsPerStream, maxEndedStreams, defaultTtlMs }),
    bus: new RedisBus(run, keys, connection.subscriber),
    roundTrips: () => run.roundTrips,
  }
}
