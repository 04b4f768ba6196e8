// Cluster mode for the Node sample: with REDIS_URL set, the handler shares its sessions, events
// and bus through Redis (node-redis), so several instances can sit behind a round-robin load
// balancer with no sticky sessions. Without it, the sample stays in memory and needs nothing.
import type { ExampleHandlerOptions } from '@mcpwire/app-shared'
import { createRedisCluster, fromNodeRedis } from '@mcpwire/redis'
import { createClient } from 'redis'

/**
 * The handler options for cluster mode when `env.REDIS_URL` is set, else `options` unchanged.
 * `INSTANCE_ID` names the instance (default: random); `hibernateAfterMs` defaults to 60 s, as
 * cluster mode needs one. Redis connection errors are logged, and requests answer 503 meanwhile.
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
  const backend = createRedisCluster(fromNodeRedis(client, subscriber))
  const instanceId = env.INSTANCE_ID
  return {
    ...options,
    hibernateAfterMs: options.hibernateAfterMs ?? 60_000,
    cluster: instanceId === undefined ? backend : { ...backend, instanceId },
  }
}
