/** One slot taken from {@link StreamSlots}; `release()` gives it back (only the first call counts). */
export interface StreamSlot {
  release(): void
}

interface Waiter {
  readonly giveBack: (() => void) | undefined
  resolve(slot: StreamSlot | undefined): void
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
  readonly #waiting: Waiter[] = []
  /** Callers of {@link acquireSpare}: served only when no request waits. */
  readonly #spareWaiting: Waiter[] = []
  /** How to ask each holder of a spare slot to give it back. */
  readonly #lenders = new Set<() => void>()

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
    return this.#waiting.length + this.#spareWaiting.length
  }

  /**
   * Takes a slot, waiting for one when all are taken (then a holder of a spare slot is asked to
   * give its slot back); `undefined` if `signal` aborts first.
   */
  acquire(signal?: AbortSignal): Promise<StreamSlot | undefined> {
    const slot = this.#wait(this.#waiting, signal, undefined)
    const [giveBack] = this.#waiting.length > 0 ? this.#lenders : []
    if (giveBack !== undefined) {
      this.#lenders.delete(giveBack)
      giveBack()
    }
    return slot
  }

  /**
   * Takes a slot for a stream that can close and reopen later (the listen stream), only when no
   * request waits for one. When a request later finds every slot taken, `giveBack` is called
   * once: the holder should then release its slot soon.
   */
  acquireSpare(signal: AbortSignal, giveBack: () => void): Promise<StreamSlot | undefined> {
    return this.#wait(this.#spareWaiting, signal, giveBack)
  }

  /** Answers every waiter with `undefined` (the transport is closing). */
  close(): void {
    for (const waiter of this.#waiting.splice(0)) waiter.resolve(undefined)
    for (const waiter of this.#spareWaiting.splice(0)) waiter.resolve(undefined)
  }

  #wait(
    queue: Waiter[],
    signal: AbortSignal | undefined,
    giveBack: (() => void) | undefined,
  ): Promise<StreamSlot | undefined> {
    if (signal?.aborted) return Promise.resolve(undefined)
    if (this.#used < this.limit) return Promise.resolve(this.#take(giveBack))
    return new Promise((resolve) => {
      const waiter: Waiter = {
        giveBack,
        resolve: (slot) => {
          signal?.removeEventListener('abort', onAbort)
          resolve(slot)
        },
      }
      const onAbort = () => {
        const index = queue.indexOf(waiter)
        if (index !== -1) queue.splice(index, 1)
        resolve(undefined)
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      queue.push(waiter)
    })
  }

  #take(giveBack: (() => void) | undefined): StreamSlot {
    this.#used++
    if (giveBack !== undefined) this.#lenders.add(giveBack)
    let released = false
    return {
      release: () => {
        if (released) return
        released = true
        if (giveBack !== undefined) this.#lenders.delete(giveBack)
        this.#used--
        // Requests first: a spare waiter gets a slot only when no request wants one.
        const next = this.#waiting.shift() ?? this.#spareWaiting.shift()
        next?.resolve(this.#take(next.giveBack))
      },
    }
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
