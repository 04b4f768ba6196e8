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
  /** Sends `PING` (allowed in subscriber mode); its reply comes after those of earlier commands. */
  ping?(): Promise<unknown>
}

/**
 * Adapts ioredis (5, 6) and iovalkey: commands through `call`, pub/sub on a `duplicate()`
 * (whose message listener takes the channel first).
 *
 * After a reconnect, ioredis emits `'ready'` once it has sent its `SUBSCRIBE` again, not once
 * Redis confirmed it; the shim's `onReconnect` waits for a `PING` on the subscriber, whose reply
 * comes after the `SUBSCRIBE`'s, so what the listener reads then cannot miss a message published
 * after it.
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
        const ready = (): void => {
          if (subscriber.ping === undefined) listener()
          else subscriber.ping().then(listener, listener)
        }
        subscriber.on('ready', ready)
        return () => subscriber.off('ready', ready)
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
  /** Unsubscribes from `channel`, or only removes `listener` from it. */
  unsubscribe(
    channel: string,
    listener?: (message: string, channel: string) => void,
  ): Promise<unknown>
  /** Called each time the connection is (re)established; the shim sets it, keeping yours. */
  onconnect?: ((this: never) => void) | null | undefined
}

/**
 * Adapts Bun's built-in `RedisClient`: commands through `send`, pub/sub on `await
 * client.duplicate()` (a subscribed Bun client refuses other commands, so it must be its own).
 *
 * Bun reconnects a dropped subscriber but does not subscribe again (Bun 1.4.5), while it keeps
 * the listeners: the shim takes over the subscriber's `onconnect` (calling the one it had), swaps
 * each channel's listener for itself and subscribes again, and calls its `onReconnect`
 * listeners once Redis confirmed every channel.
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
  /** The channels subscribed through the shim, each with the one listener it gave Bun. */
  const channels = new Map<string, (message: string) => void>()
  const reconnected = new Set<() => void>()
  const resubscribe = async (channel: string, dispatch: (message: string) => void) => {
    // Bun still holds the listener: without this, each message would reach it twice.
    await subscriber.unsubscribe(channel, dispatch)
    if (channels.get(channel) !== dispatch) return
    await subscriber.subscribe(channel, dispatch)
    // Left while this ran: the unsubscribe came first, so leave again.
    if (channels.get(channel) !== dispatch) await subscriber.unsubscribe(channel, dispatch)
  }
  const previous = subscriber.onconnect
  subscriber.onconnect = function (this: never) {
    previous?.call(this)
    const again = [...channels].map(([channel, dispatch]) =>
      resubscribe(channel, dispatch).catch(() => {}),
    )
    // A failure here means the connection dropped again: its next onconnect tries again.
    void Promise.all(again).then(() => {
      for (const listener of [...reconnected]) listener()
    })
  }
  return {
    commands: { send: (command, args) => client.send(command, [...args]) },
    subscriber: {
      subscribe(channel, listener) {
        const dispatch = (message: string) => listener(message)
        channels.set(channel, dispatch)
        return subscriber.subscribe(channel, dispatch)
      },
      unsubscribe(channel) {
        channels.delete(channel)
        return subscriber.unsubscribe(channel)
      },
      onReconnect(listener) {
        reconnected.add(listener)
        return () => reconnected.delete(listener)
      },
    },
  }
}
