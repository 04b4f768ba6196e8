import type { RedisConnection } from './redis-connection.js'

/** The part of a node-redis (4, 5, 6) client the shim uses. */
export interface NodeRedisClientLike {
  /** Sends one command, given as `[command, ...args]`, and resolves with the reply. */
  sendCommand(args: string[]): Promise<unknown>
}

/** The part of a connected node-redis duplicate the shim uses for pub/sub. */
export interface NodeRedisSubscriberLike {
  /** Subscribes to `channel`, calling `listener` with each message. */
  subscribe(channel: string, listener: (message: string, channel: string) => void): Promise<unknown>
  /** Unsubscribes from `channel`. */
  unsubscribe(channel: string): Promise<unknown>
  /** Adds a listener for `'ready'`, emitted each time the connection is (re)established. */
  on(event: 'ready', listener: () => void): unknown
  /** Removes a `'ready'` listener added with `on`. */
  off(event: 'ready', listener: () => void): unknown
}

/**
 * Adapts node-redis (`redis` 4 to 6, also under Deno as `npm:redis`): commands through
 * `sendCommand`, pub/sub on a connected `duplicate()`.
 *
 * @example
 * ```ts
 * const client = await createClient({ url }).connect()
 * const cluster = createRedisCluster(fromNodeRedis(client, await client.duplicate().connect()))
 * ```
 */
export function fromNodeRedis(
  client: NodeRedisClientLike,
  subscriber: NodeRedisSubscriberLike,
): RedisConnection {
  return {
    commands: { send: (command, args) => client.sendCommand([command, ...args]) },
    subscriber: {
      subscribe: (channel, listener) =>
        subscriber.subscribe(channel, (message) => listener(message)),
      unsubscribe: (channel) => subscriber.unsubscribe(channel),
      onReconnect(listener) {
        subscriber.on('ready', listener)
        return () => subscriber.off('ready', listener)
      },
    },
  }
}

/** The part of an ioredis (5, 6) or iovalkey client the shim uses. */
export interface IoredisClientLike {
  /** Sends `command` with its `args` and resolves with the reply. */
  call(command: string, ...args: string[]): Promise<unknown>
}

/** The part of an ioredis or iovalkey `duplicate()` the shim uses for pub/sub. */
export interface IoredisSubscriberLike {
  /** Subscribes to `channel`; its messages arrive through the `'message'` event. */
  subscribe(channel: string): Promise<unknown>
  /** Unsubscribes from `channel`. */
  unsubscribe(channel: string): Promise<unknown>
  /** Adds a listener for `'message'`, called with the channel and the message of every subscription. */
  on(event: 'message', listener: (channel: string, message: string) => void): unknown
  /** Adds a listener for `'ready'`, emitted each time the connection is (re)established. */
  on(event: 'ready', listener: () => void): unknown
  /** Removes a `'ready'` listener added with `on`. */
  off(event: 'ready', listener: () => void): unknown
}

/**
 * Adapts ioredis (5, 6) and iovalkey: commands through `call`, pub/sub on a `duplicate()`
 * (whose message listener takes the channel first).
 *
 * @example
 * ```ts
 * const client = new Redis(url)
 * const cluster = createRedisCluster(fromIoredis(client, client.duplicate()))
 * ```
 */
export function fromIoredis(
  client: IoredisClientLike,
  subscriber: IoredisSubscriberLike,
): RedisConnection {
  const listeners = new Map<string, (message: string) => void>()
  subscriber.on('message', (channel, message) => listeners.get(channel)?.(message))
  return {
    commands: { send: (command, args) => client.call(command, ...args) },
    subscriber: {
      subscribe(channel, listener) {
        listeners.set(channel, listener)
        return subscriber.subscribe(channel)
      },
      unsubscribe(channel) {
        listeners.delete(channel)
        return subscriber.unsubscribe(channel)
      },
      onReconnect(listener) {
        subscriber.on('ready', listener)
        return () => subscriber.off('ready', listener)
      },
    },
  }
}

/** The part of Bun's `RedisClient` the shim uses. */
export interface BunRedisClientLike {
  /** Sends `command` with its `args` and resolves with the reply. */
  send(command: string, args: string[]): Promise<unknown>
}

/** The part of a Bun `RedisClient` duplicate (in subscriber mode) the shim uses. */
export interface BunRedisSubscriberLike {
  /** Subscribes to `channel`, calling `listener` with each message. */
  subscribe(channel: string, listener: (message: string, channel: string) => void): Promise<unknown>
  /** Unsubscribes from `channel`. */
  unsubscribe(channel: string): Promise<unknown>
}

/**
 * Adapts Bun's built-in `RedisClient`: commands through `send`, pub/sub on `await
 * client.duplicate()` (a subscribed Bun client refuses other commands, so it must be its own).
 *
 * @example
 * ```ts
 * import { RedisClient } from 'bun'
 * const client = new RedisClient(url)
 * const cluster = createRedisCluster(fromBun(client, await client.duplicate()))
 * ```
 */
export function fromBun(
  client: BunRedisClientLike,
  subscriber: BunRedisSubscriberLike,
): RedisConnection {
  return {
    commands: { send: (command, args) => client.send(command, [...args]) },
    subscriber: {
      subscribe: (channel, listener) =>
        subscriber.subscribe(channel, (message) => listener(message)),
      unsubscribe: (channel) => subscriber.unsubscribe(channel),
    },
  }
}
