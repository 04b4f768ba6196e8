/**
 * Sends one Redis command and resolves with its reply. The only command interface the adapter
 * needs: node-redis `sendCommand`, ioredis `call`, Bun `send` and Deno clients all fit in a line.
 *
 * @example
 * ```ts
 * const commands: RedisCommands = { send: (command, args) => client.sendCommand([command, ...args]) }
 * ```
 */
export interface RedisCommands {
  /** Sends `command` with its `args` and resolves with Redis's reply. */
  send(command: string, args: readonly string[]): Promise<unknown>
}

/**
 * A connection in subscriber mode (node-redis and Bun need a dedicated one, as does RESP2).
 *
 * @example
 * ```ts
 * const subscriber: RedisSubscriber = {
 *   subscribe: (channel, listener) => sub.subscribe(channel, (message) => listener(message)),
 *   unsubscribe: (channel) => sub.unsubscribe(channel),
 * }
 * ```
 */
export interface RedisSubscriber {
  /** Subscribes to `channel`; the adapter calls it once per channel before any unsubscribe. */
  subscribe(channel: string, listener: (message: string) => void): Promise<unknown>
  /** Unsubscribes from `channel`, so its listener gets no more messages. */
  unsubscribe(channel: string): Promise<unknown>
  /**
   * Calls `listener` each time the connection is back after a drop (messages may have been lost),
   * once its channels are subscribed again: the server then reads from the stores what the bus may
   * have lost, and a message published after that must be heard live. Without it, the server
   * finds lost answers at its next heartbeat.
   */
  onReconnect?(listener: () => void): () => void
}

/**
 * The user's Redis client as the adapter sees it: a command connection and a subscriber
 * connection. The shims ({@link fromNodeRedis}, {@link fromIoredis}, {@link fromBun}) build one.
 *
 * @example
 * ```ts
 * const connection: RedisConnection = fromNodeRedis(client, subscriber)
 * ```
 */
export interface RedisConnection {
  /** The connection that runs ordinary commands. */
  readonly commands: RedisCommands
  /** The dedicated connection in subscriber mode, for pub/sub. */
  readonly subscriber: RedisSubscriber
}
