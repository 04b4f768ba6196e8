import type { TimerHandle, Timers } from '../src/index.js'

/** A manual clock implementing the handler's `Timers`: time moves only on `advance`. */
export class FakeTimers implements Timers {
  time = 0
  #next = 1
  readonly #pending = new Map<number, { at: number; callback: () => void }>()

  get size(): number {
    return this.#pending.size
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const id = this.#next++
    this.#pending.set(id, { at: this.time + ms, callback })
    return id
  }

  now(): number {
    return this.time
  }

  clearTimeout(handle: TimerHandle): void {
    this.#pending.delete(handle as number)
  }

  /** Moves time forward, firing due timers in order (including ones they schedule). */
  advance(ms: number): void {
    const target = this.time + ms
    for (;;) {
      let due: [number, { at: number; callback: () => void }] | undefined
      for (const entry of this.#pending) {
        if (entry[1].at <= target && (due === undefined || entry[1].at < due[1].at)) due = entry
      }
      if (due === undefined) break
      this.#pending.delete(due[0])
      this.time = due[1].at
      due[1].callback()
    }
    this.time = target
  }
}
