import type { ClusterBus } from '@mcpwire/server'
import type { CommandRunner } from './command-runner.js'
import type { KeyLayout } from './key-layout.js'
import type { RedisSubscriber } from './redis-connection.js'

interface Subscription {
  readonly listener: (payload: string) => void
}

interface Channel {
  readonly subscriptions: Set<Subscription>
  /** Settles once Redis confirmed the subscription. */
  readonly ready: Promise<unknown>
}

/**
 * The Redis {@link ClusterBus}: `PUBLISH` on the command connection, one `SUBSCRIBE` per topic on
 * the subscriber connection however many local listeners the topic has. Subscribing and
 * unsubscribing one channel run in order, so a quick leave-and-join ends subscribed.
 */
export class RedisBus implements ClusterBus {
  readonly #run: CommandRunner
  readonly #keys: KeyLayout
  readonly #subscriber: RedisSubscriber
  readonly #channels = new Map<string, Channel>()
  /** Per channel: the unsubscribe still under way, which a new subscribe waits for. */
  readonly #leaving = new Map<string, Promise<unknown>>()

  constructor(run: CommandRunner, keys: KeyLayout, subscriber: RedisSubscriber) {
    this.#run = run
    this.#keys = keys
    this.#subscriber = subscriber
  }

  async publish(topic: string, payload: string): Promise<number> {
    return Number(await this.#run.send('PUBLISH', [this.#keys.channel(topic), payload]))
  }

  async subscribe(
    topic: string,
    listener: (payload: string) => void,
  ): Promise<() => Promise<void>> {
    const name = this.#keys.channel(topic)
    let channel = this.#channels.get(name)
    if (channel === undefined) {
      const subscriptions = new Set<Subscription>()
      const dispatch = (message: string) => {
        for (const subscription of [...subscriptions]) subscription.listener(message)
      }
      const before = this.#leaving.get(name) ?? Promise.resolve()
      const ready = before.then(() =>
        this.#run.bounded('SUBSCRIBE', () => this.#subscriber.subscribe(name, dispatch)),
      )
      channel = { subscriptions, ready }
      this.#channels.set(name, channel)
    }
    const subscription = { listener }
    channel.subscriptions.add(subscription)
    const joined = channel
    try {
      await joined.ready
    } catch (error) {
      await this.#leave(name, joined, subscription)
      throw error
    }
    return () => this.#leave(name, joined, subscription)
  }

  onReconnect(listener: () => void): () => void {
    return this.#subscriber.onReconnect?.(listener) ?? (() => {})
  }

  /** How many channels this instance is subscribed to (for leak checks). */
  get channels(): number {
    return this.#channels.size
  }

  async #leave(name: string, channel: Channel, subscription: Subscription): Promise<void> {
    if (!channel.subscriptions.delete(subscription) || channel.subscriptions.size > 0) return
    if (this.#channels.get(name) === channel) this.#channels.delete(name)
    const leaving = channel.ready
      .catch(() => {})
      .then(() => this.#run.bounded('UNSUBSCRIBE', () => this.#subscriber.unsubscribe(name)))
    const settled = leaving.catch(() => {})
    this.#leaving.set(name, settled)
    try {
      await leaving
    } finally {
      if (this.#leaving.get(name) === settled) this.#leaving.delete(name)
    }
  }
}
