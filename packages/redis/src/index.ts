export type {
  RedisCluster,
  RedisClusterOptions,
} from './create-redis-cluster.js'
export { createRedisCluster } from './create-redis-cluster.js'
export type { RedisCommands, RedisConnection, RedisSubscriber } from './redis-connection.js'
export { RedisUnavailableError } from './redis-errors.js'
export type {
  BunRedisClientLike,
  BunRedisSubscriberLike,
  IoredisClientLike,
  IoredisSubscriberLike,
  NodeRedisClientLike,
  NodeRedisSubscriberLike,
} from './shims.js'
export { fromBun, fromIoredis, fromNodeRedis } from './shims.js'
