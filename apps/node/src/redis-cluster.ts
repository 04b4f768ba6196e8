// Cluster mode for the Node sample: with REDIS_URL set, the handler shares its sessions, events
// and bus through Redis (node-redis), so several instances can sit behind a round-robin load
// balancer with no sticky sessions. Without it, the sample stays in memory and needs nothing.
import { type ExampleHandlerOptions, withClusterConnection } from '@mcpwire/app-shared'
import { fromNodeRedis } from '@mcpwire/redis'
import { createClient } from 'redis'

let redisCommandsSent = 0

/** Commands this process sent to Redis on its command connection (round trips), for benchmarks. */
export function redisCommands(): number {
  return redisCommandsSent
}

/**
 * The handler options for cluster mode when `env.REDIS_URL` is set, else `options` unchanged
 * (see `withClusterConnection` for `INSTANCE_ID`, `HIBERNATE_AFTER_MS` and the test clocks).
 * Redis connection errors are logged, and requests answer 503 meanwhile. Every command sent is
 * counted for {@link redisCommands}.
 */
export async function withRedisCluster(
  env: Record<string, string | undefined>,
  options: ExampleHandlerOptions,
): Promise<ExampleHandlerOptions> {
  const url = env.REDIS_URL
  if (url === undefined || url === '') return options
  // As the @mcpwire/redis README recommends: the adapter bounds every command itself, so
  // node-redis need not arm its own timer per command, and a command sent while disconnected
  // fails at once (503) instead of waiting in an offline queue to run late.
  const client = createClient({ url, commandOptions: { timeout: 0 }, disableOfflineQueue: true })
  client.on('error', (error) => console.error('redis:', error))
  await client.connect()
  const subscriber = client.duplicate()
  subscriber.on('error', (error) => console.error('redis subscriber:', error))
  await subscriber.connect()
  const connection = fromNodeRedis(client, subscriber)
  return withClusterConnection(env, options, {
    ...connection,
    commands: {
      send(command, args) {
        redisCommandsSent++
        return connection.commands.send(command, args)
      },
    },
  })
}
