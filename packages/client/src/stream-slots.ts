/** One slot taken from {@link StreamSlots}; `release()` gives it back (only the first call counts). */
export interface StreamSlot {
  release(): void
}

/**
 * A bound on the requests and event streams a transport keeps open at once, with a first-come
 * queue for the rest (rule R-B2). Browsers allow about six HTTP/1.1 connections per origin, and
 * each open SSE response holds one: without a bound, a few long tool calls and the listen stream
 * starve every later request of the page.
 *
 * @example
 * ```ts
 * const slots = new StreamSlots(4)
 * const slot = await slots.acquire(signal) // undefined when aborted or closed
 * try { await work() } finally { slot?.release() }
 * ```
 */
export class StreamSlots {
  /** The bound (`Infinity` for none). */
  readonly limit: number
  #used = 0
  readonly #waiting: Array<(slot: StreamSlot | undefined) => void> = []

  /** @param limit At least 1, or `Infinity`. */
  constructor(limit: number) {
    if (!(limit >= 1)) throw new RangeError('maxConcurrentStreams must be at least 1')
    this.limit = limit
  }

  /** Whether there is a finite bound at all. */
  get limited(): boolean {
    return this.limit !== Number.POSITIVE_INFINITY
  }

  /** Gauge: slots taken. */
  get used(): number {
    return this.#used
  }

  /** Gauge: callers waiting for a slot. */
  get queued(): number {
    return this.#waiting.length
  }

  /** Takes a slot, waiting for one when all are taken; `undefined` if `signal` aborts first. */
  acquire(signal?: AbortSignal): Promise<StreamSlot | undefined> {
    if (signal?.aborted) return Promise.resolve(undefined)
    if (this.#used < this.limit) return Promise.resolve(this.#take())
    return new Promise((resolve) => {
      const waiter = (slot: StreamSlot | undefined) => {
        signal?.removeEventListener('abort', onAbort)
        resolve(slot)
      }
      const onAbort = () => {
        const index = this.#waiting.indexOf(waiter)
        if (index !== -1) this.#waiting.splice(index, 1)
        resolve(undefined)
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.#waiting.push(waiter)
    })
  }

  /** Answers every waiter with `undefined` (the transport is closing). */
  close(): void {
    for (const waiter of this.#waiting.splice(0)) waiter(undefined)
  }

  #take(): StreamSlot {
    this.#used++
    let released = false
    return {
      release: () => {
        if (released) return
        released = true
        const next = this.#waiting.shift()
        if (next !== undefined) next(this.#takeOver())
        else this.#used--
      },
    }
  }

  /** Hands a released slot straight to the next waiter (the count does not change). */
  #takeOver(): StreamSlot {
    this.#used--
    return this.#take()
  }
}

/**
 * The default bound: 4 in a browser page talking plain `http:` (which browsers only speak as
 * HTTP/1.1, six connections per origin), otherwise none. Over `https:` a browser may use HTTP/2,
 * which multiplexes; set `maxConcurrentStreams` yourself when you know the server speaks HTTP/1.1.
 */
export function defaultMaxConcurrentStreams(url: URL): number {
  const inBrowser = typeof (globalThis as { document?: unknown }).document !== 'undefined'
  return inBrowser && url.protocol === 'http:' ? 4 : Number.POSITIVE_INFINITY
}
