// Cluster mode for the Deno sample: with REDIS_URL set, the handler shares its sessions, events
// and bus through Redis with node-redis (`redis` from npm, which Deno runs unchanged: commands,
// EVALSHA and pub/sub on a duplicate all work), so several instances can sit behind a
// round-robin load balancer. Without it, the sample stays in memory and needs nothing.
import { type ExampleHandlerOptions, withClusterConnection } from '@mcpwire/app-shared'
import { fromNodeRedis } from '@mcpwire/redis'

/**
 * The handler options for cluster mode when `env.REDIS_URL` is set, else `options` unchanged
 * (see `withClusterConnection` for `INSTANCE_ID` and `HIBERNATE_AFTER_MS`). The client is loaded
 * only then, so the in-memory sample never opens it. Connection errors are logged; requests answer
 * 503 while Redis is unreachable.
 */
export async function withRedisCluster(
  env: Record<string, string | undefined>,
  options: ExampleHandlerOptions,
): Promise<ExampleHandlerOptions> {
  const url = env.REDIS_URL
  if (url === undefined || url === '') return options
  const { createClient } = await import('redis')
  // As the @mcpwire/redis README recommends: the adapter bounds every command itself, so
  // node-redis need not arm its own timer per command, and a command sent while disconnected
  // fails at once (503) instead of waiting in an offline queue to run late.
  const client = createClient({ url, commandOptions: { timeout: 0 }, disableOfflineQueue: true })
  client.on('error', (error) => console.error('redis:', error))
  await client.connect()
  const subscriber = client.duplicate()
  subscriber.on('error', (error) => console.error('redis subscriber:', error))
  await subscriber.connect()
  return withClusterConnection(env, options, fromNodeRedis(client, subscriber))
}
