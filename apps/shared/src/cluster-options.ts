// Cluster mode for the Deno and Bun samples: each opens its own runtime's Redis client and hands
// the connection here, which turns it into the handler's `cluster` option.
import { createRedisCluster, type RedisConnection } from '@mcpwire/redis'
import type { ExampleHandlerOptions } from './example-handler.js'

/**
 * The handler options for cluster mode on `connection`: the sessions, events and bus shared
 * through Redis, `INSTANCE_ID` as the instance's id (default: random) and `hibernateAfterMs`
 * 60 s unless `HIBERNATE_AFTER_MS` set one, as cluster mode needs one.
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
  return {
    ...options,
    hibernateAfterMs: options.hibernateAfterMs ?? 60_000,
    cluster: instanceId === undefined || instanceId === '' ? backend : { ...backend, instanceId },
  }
}
