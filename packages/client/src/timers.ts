/**
 * The clock a transport uses for backoff delays, watchdogs and close timeouts; inject a fake one in
 * tests.
 *
 * @example
 * ```ts
 * const timers: Timers = { setTimeout, clearTimeout, now: () => performance.now() }
 * ```
 */
export interface Timers {
  /** Schedules `callback` after `ms` milliseconds and returns a handle. */
  setTimeout(callback: () => void, ms: number): unknown
  /** Cancels a handle returned by `setTimeout`. */
  clearTimeout(handle: unknown): void
  /** Milliseconds on a monotonic clock. */
  now(): number
}

/** The global clock: `setTimeout`, `clearTimeout` and `performance.now()`. */
export const globalTimers: Timers = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
  now: () => performance.now(),
}
