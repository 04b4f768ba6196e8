import type { ReplayState } from '../cluster/session-store.js'
import type { McpMessage } from '../protocol/message.js'

/** A client message to hand a rebuilt server. */
export interface ReplayedMessage {
  readonly message: McpMessage
  /** A request: the rebuilt server's answer is awaited and kept from the client. */
  readonly awaitsAnswer: boolean
  /** Whether an error answer means the rebuild failed (only for `initialize`). */
  readonly mustSucceed: boolean
}

/** The most resource subscriptions a log keeps; a session with more never hibernates. */
export const MAX_REPLAYED_SUBSCRIPTIONS = 256

const INITIALIZED: McpMessage = { jsonrpc: '2.0', method: 'notifications/initialized' }

/**
 * The client messages that set a session's protocol state, kept so that a hibernated session's
 * server can be rebuilt as the client left it: the `initialize` request, whether
 * `notifications/initialized` followed, the last `logging/setLevel`, and the resources the client
 * is subscribed to (`resources/subscribe` minus `resources/unsubscribe`).
 *
 * They are kept as JSON text, the smallest form a sleeping session can hold them in. Replayed
 * requests get ids of their own (`mcpwire:replay:N`), never one a client chose. Only an error
 * answer to `initialize` fails a rebuild: the others failed the same way for the client.
 *
 * @see https://modelcontextprotocol.io/specification/2025-11-25/basic/lifecycle
 */
export class ReplayLog {
  #initializeParams: string
  #initialized = false
  #logLevelParams: string | undefined
  /** Subscribed resource URIs; created on the first subscription. */
  #subscriptions: Set<string> | undefined
  #tooManySubscriptions = false

  /** @param initialize The client's `initialize` request. */
  constructor(initialize: McpMessage) {
    this.#initializeParams = JSON.stringify(initialize.params ?? {})
  }

  /** Whether the log can rebuild the session (false past {@link MAX_REPLAYED_SUBSCRIPTIONS}). */
  get replayable(): boolean {
    return !this.#tooManySubscriptions
  }

  /** Notes a message the client sent, if it changes the session's protocol state. */
  observe(message: McpMessage): void {
    const method = message.method
    if (method === 'notifications/initialized') {
      this.#initialized = true
      return
    }
    if (!('id' in message)) return
    if (method === 'logging/setLevel') {
      this.#logLevelParams = JSON.stringify(message.params ?? {})
    } else if (method === 'resources/subscribe' || method === 'resources/unsubscribe') {
      const uri = (message.params as { uri?: unknown } | undefined)?.uri
      if (typeof uri !== 'string') return
      if (method === 'resources/unsubscribe') {
        this.#subscriptions?.delete(uri)
        return
      }
      this.#subscriptions ??= new Set()
      this.#subscriptions.add(uri)
      if (this.#subscriptions.size > MAX_REPLAYED_SUBSCRIPTIONS) this.#tooManySubscriptions = true
    }
  }

  /**
   * The messages that bring a new server to the session's state: `initialize`, then
   * `notifications/initialized`, the last `logging/setLevel` and one `resources/subscribe` per
   * subscribed URI, as far as the client sent them.
   */
  messages(): ReplayedMessage[] {
    let n = 0
    const request = (method: string, params: unknown, mustSucceed = false): ReplayedMessage => ({
      message: { jsonrpc: '2.0', id: `mcpwire:replay:${++n}`, method, params },
      awaitsAnswer: true,
      mustSucceed,
    })
    const replay = [request('initialize', JSON.parse(this.#initializeParams), true)]
    if (this.#initialized) {
      replay.push({ message: INITIALIZED, awaitsAnswer: false, mustSucceed: false })
    }
    if (this.#logLevelParams !== undefined) {
      replay.push(request('logging/setLevel', JSON.parse(this.#logLevelParams)))
    }
    for (const uri of this.#subscriptions ?? [])
      replay.push(request('resources/subscribe', { uri }))
    return replay
  }

  /** The log as plain data, for a shared session store. */
  toState(): ReplayState {
    const state = {
      initialize: this.#initializeParams,
      initialized: this.#initialized,
      subscriptions: [...(this.#subscriptions ?? [])],
    }
    return this.#logLevelParams === undefined ? state : { ...state, logLevel: this.#logLevelParams }
  }

  /** A log holding what {@link ReplayLog.toState} returned. */
  static fromState(state: ReplayState): ReplayLog {
    const log = new ReplayLog({ jsonrpc: '2.0', method: 'initialize', params: {} })
    log.#initializeParams = state.initialize
    log.#initialized = state.initialized
    log.#logLevelParams = state.logLevel
    if (state.subscriptions.length > 0) log.#subscriptions = new Set(state.subscriptions)
    log.#tooManySubscriptions = state.subscriptions.length > MAX_REPLAYED_SUBSCRIPTIONS
    return log
  }
}

/**
 * What a live server that has `from` must be told to reach `to`: `notifications/initialized`, the
 * new `logging/setLevel`, and a `resources/subscribe` or `unsubscribe` per changed URI. Requests
 * carry a placeholder id the caller replaces.
 *
 * @example
 * ```ts
 * replayDelta(before, after) // [{ message: { method: 'logging/setLevel', ... }, awaitsAnswer: true, ... }]
 * ```
 */
export function replayDelta(from: ReplayState, to: ReplayState): ReplayedMessage[] {
  const delta: ReplayedMessage[] = []
  const request = (method: string, params: unknown): ReplayedMessage => ({
    message: { jsonrpc: '2.0', id: 'mcpwire:replay', method, params },
    awaitsAnswer: true,
    mustSucceed: false,
  })
  if (to.initialized && !from.initialized) {
    delta.push({ message: INITIALIZED, awaitsAnswer: false, mustSucceed: false })
  }
  if (to.logLevel !== undefined && to.logLevel !== from.logLevel) {
    delta.push(request('logging/setLevel', JSON.parse(to.logLevel)))
  }
  const had = new Set(from.subscriptions)
  const has = new Set(to.subscriptions)
  for (const uri of has) if (!had.has(uri)) delta.push(request('resources/subscribe', { uri }))
  for (const uri of had) if (!has.has(uri)) delta.push(request('resources/unsubscribe', { uri }))
  return delta
}
