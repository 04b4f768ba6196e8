// Cluster mode for the Node sample: with REDIS_URL set, the handler shares its sessions, events
// and bus through Redis (node-redis), so several instances can sit behind a round-robin load
// balancer with no sticky sessions. Without it, the sample stays in memory and needs nothing.
import type { ExampleHandlerOptions } from '@mcpwire/app-shared'
import { createRedisCluster, fromNodeRedis } from '@mcpwire/redis'
import { createClient } from 'redis'

let redisCommandsSent = 0

/** Commands this process sent to Redis on its command connection (round trips), for benchmarks. */
export function redisCommands(): number {
  return redisCommandsSent
}

/**
 * The handler options for cluster mode when `env.REDIS_URL` is set, else `options` unchanged.
 * `INSTANCE_ID` names the instance (default: random); `hibernateAfterMs` defaults to 60 s, as
 * cluster mode needs one. Redis connection errors are logged, and requests answer 503 meanwhile.
 * Tests shorten the clocks: `CLUSTER_HEARTBEAT_MS` (`cluster.heartbeatMs`, default 5000: an
 * instance silent 3 times this is dead), `SESSION_IDLE_MS` (`sessionIdleMs`) and `RETRY_MS`
 * (`retryMs`, the SSE `retry` hint).
 */
export async function withRedisCluster(
  env: Record<string, string | undefined>,
  options: ExampleHandlerOptions,
): Promise<ExampleHandlerOptions> {
  const url = env.REDIS_URL
  if (url === undefined || url === '') return options
  const client = createClient({ url })
  client.on('error', (error) => console.error('redis:', error))
  await client.connect()
  const subscriber = client.duplicate()
  subscriber.on('error', (error) => console.error('redis subscriber:', error))
  await subscriber.connect()
  const connection = fromNodeRedis(client, subscriber)
  const backend = createRedisCluster({
    ...connection,
    commands: {
      send(command, args) {
        redisCommandsSent++
        return connection.commands.send(command, args)
      },
    },
  })
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
      ...(instanceId === undefined ? {} : { instanceId }),
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
