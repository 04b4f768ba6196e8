// Cluster mode for the Node, Deno and Bun samples: each opens its own runtime's Redis client and
// hands the connection here, which turns it into the handler's `cluster` option.
import { createRedisCluster, type RedisConnection } from '@mcpwire/redis'
import type { ExampleHandlerOptions } from './example-handler.js'

/**
 * The handler options for cluster mode on `connection`: the sessions, events and bus shared
 * through Redis, `INSTANCE_ID` as the instance's id (default: random) and `hibernateAfterMs`
 * 60 s unless `HIBERNATE_AFTER_MS` set one, as cluster mode needs one. Tests shorten the clocks:
 * `CLUSTER_HEARTBEAT_MS` (`cluster.heartbeatMs`, default 5000: an instance silent 3 times this is
 * dead), `SESSION_IDLE_MS` (`sessionIdleMs`) and `RETRY_MS` (`retryMs`, the SSE `retry` hint).
 *
 * @example
 * ```ts
 * const options = withClusterConnection(env, handlerOptions(env), fromBun(client, subscriber))
 * ```
 *
 * @param env The process environment.
 * @param options The options without a cluster ({@link handlerOptions}).
 * @param connection The runtime's Redis client, through one of the `@mcpwire/redis` shims.
 */
export function withClusterConnection(
  env: Record<string, string | undefined>,
  options: ExampleHandlerOptions,
  connection: RedisConnection,
): ExampleHandlerOptions {
  const backend = createRedisCluster(connection)
  const instanceId = env.INSTANCE_ID
  const heartbeatMs = positive(env, 'CLUSTER_HEARTBEAT_MS')
  const sessionIdleMs = positive(env, 'SESSION_IDLE_MS')
  const retryMs = positive(env, 'RETRY_MS')
  return {
    ...options,
    hibernateAfterMs: options.hibernateAfterMs ?? 60_000,
    ...(sessionIdleMs === undefined ? {} : { sessionIdleMs }),
    ...(retryMs === undefined ? {} : { retryMs }),
    cluster: {
      ...backend,
      ...(instanceId === undefined || instanceId === '' ? {} : { instanceId }),
      ...(heartbeatMs === undefined ? {} : { heartbeatMs }),
    },
  }
}

/** A whole number of ms >= 1 from `env[name]`, or undefined when unset. */
function positive(env: Record<string, string | undefined>, name: string): number | undefined {
  const text = env[name]
  if (text === undefined || text === '') return undefined
  const value = Number(text)
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`Invalid ${name} ${text}`)
  return value
}
