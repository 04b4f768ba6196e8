import type { ClusterBus } from './cluster-bus.js'

/**
 * The memory cluster's {@link ClusterBus}: delivery is asynchronous (a microtask later), like a
 * remote bus, to the listeners subscribed when `publish` was called.
 */
export class MemoryBus implements ClusterBus {
  readonly #topics = new Map<string, Set<{ listener: (payload: string) => void }>>()

  async publish(topic: string, payload: string): Promise<number> {
    const subscriptions = [...(this.#topics.get(topic) ?? [])]
    for (const subscription of subscriptions) {
      queueMicrotask(() => subscription.listener(payload))
    }
    return subscriptions.length
  }

  async subscribe(
    topic: string,
    listener: (payload: string) => void,
  ): Promise<() => Promise<void>> {
    const subscription = { listener }
    let subscriptions = this.#topics.get(topic)
    if (subscriptions === undefined) {
      subscriptions = new Set()
      this.#topics.set(topic, subscriptions)
    }
    subscriptions.add(subscription)
    return async () => {
      const current = this.#topics.get(topic)
      if (current === undefined) return
      current.delete(subscription)
      if (current.size === 0) this.#topics.delete(topic)
    }
  }

  /** How many topics have a subscriber (for leak checks). */
  get topics(): number {
    return this.#topics.size
  }
}
