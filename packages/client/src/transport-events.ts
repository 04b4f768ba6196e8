import type { TransportEventMap, TransportState } from './types.js'

/**
 * The event side of a transport: `state`, `session`, `reconnect`, `resumed`, `streamlost`,
 * `duplicate`, `warning` and `fallback` events, each a `CustomEvent` whose `detail` is typed by
 * {@link TransportEventMap}. Handled transients go here, never to `onerror` (rule R-E1).
 */
export class TransportEvents extends EventTarget {
  /** Called on every state change, after the `state` event. */
  onstatechange: ((to: TransportState, from: TransportState) => void) | undefined
  #state: TransportState = 'idle'

  /** The current lifecycle state. */
  get state(): TransportState {
    return this.#state
  }

  /**
   * Listens to one event with its typed detail.
   *
   * @example
   * ```ts
   * transport.on('reconnect', (detail) => console.log('reconnecting in', detail.delayMs))
   * ```
   */
  on<K extends keyof TransportEventMap>(
    type: K,
    listener: (detail: TransportEventMap[K]) => void,
  ): () => void {
    const wrapped = (event: Event) => listener((event as CustomEvent<TransportEventMap[K]>).detail)
    this.addEventListener(type, wrapped)
    return () => this.removeEventListener(type, wrapped)
  }

  protected emit<K extends keyof TransportEventMap>(type: K, detail: TransportEventMap[K]): void {
    this.dispatchEvent(new CustomEvent(type, { detail }))
  }

  protected setState(to: TransportState): void {
    const from = this.#state
    if (from === to) return
    this.#state = to
    this.emit('state', { from, to })
    this.onstatechange?.(to, from)
  }
}
