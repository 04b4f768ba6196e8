import type { ServerResponse } from 'node:http'

/**
 * Corks a Node response until the pending microtasks have run, so what is written within one tick
 * (headers, events already produced, the end) leaves in one socket write.
 */
export class TickCork {
  readonly #res: ServerResponse
  #corked = false

  constructor(res: ServerResponse) {
    this.#res = res
  }

  /** Corks now (once per tick); the writes are flushed on the next tick. */
  cork(): void {
    if (this.#corked) return
    this.#corked = true
    this.#res.cork()
    process.nextTick(() => this.uncork())
  }

  /** Flushes what is corked now, for example before destroying the response. */
  uncork(): void {
    if (!this.#corked) return
    this.#corked = false
    this.#res.uncork()
  }
}
