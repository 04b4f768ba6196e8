/** A handle returned by {@link Timers.setTimeout}. */
export type TimerHandle = unknown

/**
 * The clock the handler uses for idle timeouts and keep-alives; injectable for tests.
 * Default: the global `setTimeout`, `clearTimeout` and `performance.now`.
 */
export interface Timers {
  /** Calls `callback` once after `ms` milliseconds; returns a handle for `clearTimeout`. */
  setTimeout(callback: () => void, ms: number): TimerHandle
  /** Cancels a timer that `setTimeout` returned. */
  clearTimeout(handle: TimerHandle): void
  /** The current time in milliseconds, on the same clock as `setTimeout`. */
  now(): number
}

/**
 * The global timers, with Node's handles unref'd so idle timers never keep a process alive: the
 * default wherever a `timers` option is left out.
 *
 * @example
 * ```ts
 * const handle = globalTimers.setTimeout(() => console.log('later'), 1000)
 * globalTimers.clearTimeout(handle)
 * ```
 */
export const globalTimers: Timers = {
  setTimeout(callback, ms) {
    const handle = globalThis.setTimeout(callback, ms) as unknown as { unref?: () => void }
    handle.unref?.()
    return handle
  },
  clearTimeout(handle) {
    globalThis.clearTimeout(handle as Parameters<typeof globalThis.clearTimeout>[0])
  },
  now: () => performance.now(),
}
