import type { McpMessage } from './message.js'

/** A client message to hand a rebuilt server, and whether the server answers it. */
export interface ReplayedMessage {
  readonly message: McpMessage
  /** A request: the rebuilt server's answer is awaited and kept from the client. */
  readonly awaitsAnswer: boolean
}

const INITIALIZED: McpMessage = { jsonrpc: '2.0', method: 'notifications/initialized' }

/**
 * The client messages that set a session's protocol state, kept so that a hibernated session's
 * server can be rebuilt as the client left it: the `initialize` request, whether
 * `notifications/initialized` followed, and the last `logging/setLevel`.
 *
 * They are kept as JSON text, the smallest form a sleeping session can hold them in. Replayed
 * requests get ids of their own (`mcpwire:replay:N`), never one a client chose.
 *
 * @see https://modelcontextprotocol.io/specification/2025-11-25/basic/lifecycle
 */
export class ReplayLog {
  readonly #initializeParams: string
  #initialized = false
  #logLevelParams: string | undefined

  /** @param initialize The client's `initialize` request. */
  constructor(initialize: McpMessage) {
    this.#initializeParams = JSON.stringify(initialize.params ?? {})
  }

  /** Notes a message the client sent, if it changes the session's protocol state. */
  observe(message: McpMessage): void {
    if (message.method === 'notifications/initialized') this.#initialized = true
    else if (message.method === 'logging/setLevel' && 'id' in message) {
      this.#logLevelParams = JSON.stringify(message.params ?? {})
    }
  }

  /** The messages that bring a new server to the session's state, in the order the client sent them. */
  messages(): ReplayedMessage[] {
    const request = (n: number, method: string, params: string): ReplayedMessage => ({
      message: { jsonrpc: '2.0', id: `mcpwire:replay:${n}`, method, params: JSON.parse(params) },
      awaitsAnswer: true,
    })
    const replay = [request(1, 'initialize', this.#initializeParams)]
    if (this.#initialized) replay.push({ message: INITIALIZED, awaitsAnswer: false })
    if (this.#logLevelParams !== undefined) {
      replay.push(request(2, 'logging/setLevel', this.#logLevelParams))
    }
    return replay
  }
}
