import type { TransportEventMap, TransportState } from './types.js'

/**
 * The event side of a transport: `state`, `session`, `reconnect`, `resumed`, `streamlost`,
 * `duplicate`, `warning` and `fallback` events, each a `CustomEvent` whose `detail` is typed by
 * {@link TransportEventMap}. Handled transients go here, never to `onerror` (rule R-E1). Every
 * transport of this package extends it; it is an `EventTarget`, so `addEventListener` works too.
 *
 * @example
 * ```ts
 * const transport = new StreamableHttpClientTransport('http://127.0.0.1:3000/mcp')
 * const stop = transport.on('session', ({ kind, sessionId }) => console.log(kind, sessionId))
 * transport.addEventListener('state', (event) => console.log((event as CustomEvent).detail.to))
 * stop() // removes the first listener
 * ```
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
   * @param type The event name, a key of {@link TransportEventMap}.
   * @param listener Called with each event's `detail`.
   * @returns A function that removes the listener.
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

  /**
   * For subclasses: dispatches `type` as a `CustomEvent` carrying `detail`.
   *
   * @param type The event name.
   * @param detail The event's payload.
   */
  protected emit<K extends keyof TransportEventMap>(type: K, detail: TransportEventMap[K]): void {
    this.dispatchEvent(new CustomEvent(type, { detail }))
  }

  /**
   * For subclasses: moves to state `to`, dispatching a `state` event and calling `onstatechange`
   * (nothing happens when the state does not change).
   *
   * @param to The new state.
   */
  protected setState(to: TransportState): void {
    const from = this.#state
    if (from === to) return
    this.#state = to
    this.emit('state', { from, to })
    this.onstatechange?.(to, from)
  }
}
