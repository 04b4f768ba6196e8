/**
 * At-most-once messages between the instances of a cluster, one topic per session. Redis pub/sub,
 * Postgres NOTIFY and NATS core all fit. Messages published while an instance is not subscribed,
 * or lost with a connection, are gone: pair the bus with the stores and read them again.
 *
 * @example
 * ```ts
 * const { bus } = createMemoryCluster()
 * const unsubscribe = await bus.subscribe('s.abc', (payload) => console.log(payload))
 * await bus.publish('s.abc', '{"t":"ended"}') // 1
 * await unsubscribe()
 * ```
 */
export interface ClusterBus {
  /**
   * Publishes `payload` to every current subscriber of `topic`.
   *
   * @returns How many subscribers got it when the transport can tell (Redis counts subscribed
   *   connections, the memory bus counts subscriptions), else `undefined`.
   */
  publish(topic: string, payload: string): Promise<number | undefined>
  /** Resolves once subscribed; the returned function unsubscribes this listener. */
  subscribe(topic: string, listener: (payload: string) => void): Promise<() => Promise<void>>
  /** Lets the core reconcile (read the stores again) after the transport reconnects. */
  onReconnect?(listener: () => void): () => void
}
