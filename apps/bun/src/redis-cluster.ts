// Cluster mode for the Bun sample: with REDIS_URL set, the handler shares its sessions, events
// and bus through Redis with Bun's built-in RedisClient (commands through `send`, pub/sub on a
// duplicate, since a subscribed Bun client refuses other commands), so several instances can sit
// behind a round-robin load balancer. Without it, the sample stays in memory and needs nothing.
import { type ExampleHandlerOptions, withClusterConnection } from '@mcpwire/app-shared'
import { type BunRedisClientLike, type BunRedisSubscriberLike, fromBun } from '@mcpwire/redis'

/** The part of Bun's `RedisClient` the sample uses (the app has no Bun types). */
interface BunRedisClient extends BunRedisClientLike {
  connect(): Promise<void>
  duplicate(): Promise<BunRedisClient & BunRedisSubscriberLike>
  onclose: ((error: Error) => void) | null
}

declare const Bun: { RedisClient: new (url: string) => BunRedisClient }

/**
 * The handler options for cluster mode when `env.REDIS_URL` is set, else `options` unchanged
 * (see `withClusterConnection` for `INSTANCE_ID` and `HIBERNATE_AFTER_MS`). Connection drops are
 * logged (Bun reconnects on its own); requests answer 503 while Redis is unreachable.
 */
export async function withRedisCluster(
  env: Record<string, string | undefined>,
  options: ExampleHandlerOptions,
): Promise<ExampleHandlerOptions> {
  const url = env.REDIS_URL
  if (url === undefined || url === '') return options
  const client = new Bun.RedisClient(url)
  client.onclose = (error) => console.error('redis:', error)
  await client.connect()
  const subscriber = await client.duplicate()
  subscriber.onclose = (error) => console.error('redis subscriber:', error)
  return withClusterConnection(env, options, fromBun(client, subscriber))
}
