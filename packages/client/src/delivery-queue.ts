/**
 * Delivers messages one per microtask turn, in the order they were pushed.
 *
 * The official SDK's `Protocol` runs notification handlers one microtask after they arrive, but
 * resolves a response (and forgets its progress handler) at once. Handing it a progress
 * notification and the result in the same turn loses the progress; awaiting between deliveries
 * lets every handler run in order (rule R-D1).
 */
export class DeliveryQueue<T> {
  readonly #deliver: (item: T) => void
  readonly #onError: (error: unknown) => void
  #items: T[] = []
  #head = 0
  #draining: Promise<void> | undefined

  constructor(deliver: (item: T) => void, onError: (error: unknown) => void) {
    this.#deliver = deliver
    this.#onError = onError
  }

  /** Messages waiting to be delivered. */
  get size(): number {
    return this.#items.length - this.#head
  }

  push(item: T): void {
    this.#items.push(item)
    this.#draining ??= this.#drain()
  }

  /** Resolves once everything pushed so far has been delivered. */
  idle(): Promise<void> {
    return this.#draining ?? Promise.resolve()
  }

  /** Drops every message not yet delivered. */
  clear(): void {
    this.#items = []
    this.#head = 0
  }

  async #drain(): Promise<void> {
    while (this.#head < this.#items.length) {
      const item = this.#items[this.#head++] as T
      if (this.#head === this.#items.length) {
        this.#items = []
        this.#head = 0
      }
      try {
        this.#deliver(item)
      } catch (error) {
        this.#onError(error)
      }
      await undefined
    }
    this.#draining = undefined
  }
}
