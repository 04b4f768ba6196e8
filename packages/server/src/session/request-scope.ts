import { errorReply, type Reply } from '../http/reply.js'
import { idKey, type McpMessage, type RequestId } from '../protocol/message.js'
import type { MessageSink } from './outbound-stream.js'

/**
 * The requests of one POST and the sink their answers go to (an SSE stream or a JSON body).
 *
 * It knows nothing of sessions: a session keeps scopes by request id, and a stateless handler can
 * use a scope alone. The sink ends after the last request's response.
 */
export class RequestScope {
  readonly sink: MessageSink
  /** Extra data about the scope's stream, such as its id for polling closes. */
  readonly streamId: string | undefined
  readonly #pending: Set<string>
  readonly #onDone: () => void
  #done = false

  constructor(
    requestIds: readonly RequestId[],
    sink: MessageSink,
    onDone: () => void,
    streamId?: string,
  ) {
    this.#pending = new Set(requestIds.map(idKey))
    this.sink = sink
    this.#onDone = onDone
    this.streamId = streamId
  }

  /** The keys ({@link idKey}) of requests still waiting for their response. */
  get pendingKeys(): IterableIterator<string> {
    return this.#pending.values()
  }

  /** Whether every request got its response. */
  get done(): boolean {
    return this.#done
  }

  /** Sends a message related to one of the scope's requests (a notification or server request). */
  related(message: McpMessage): Promise<void> {
    return this.sink.send(message)
  }

  /** Sends the response to one of the scope's requests; ends the sink after the last one. */
  async respond(id: RequestId, message: McpMessage): Promise<void> {
    const key = idKey(id)
    if (!this.#pending.delete(key)) return
    const sent = this.sink.send(message)
    if (this.#pending.size === 0) this.#finish()
    await sent
  }

  /**
   * Stops waiting for one request's response (the client cancelled it, so none will come); ends
   * the sink when it was the last one.
   */
  abandon(id: RequestId): void {
    if (!this.#pending.delete(idKey(id))) return
    this.sink.abandoned?.()
    if (this.#pending.size === 0) this.#finish()
  }

  /** Ends the scope without further responses (session closed). */
  cancel(): void {
    this.#pending.clear()
    this.#finish()
  }

  #finish(): void {
    if (this.#done) return
    this.#done = true
    this.sink.end()
    this.#onDone()
  }
}

/**
 * A sink that gathers responses into one `application/json` body (the `jsonResponse` option).
 * Notifications and server requests have nowhere to go in JSON mode, so they are counted as dropped.
 */
export class JsonSink implements MessageSink {
  readonly #responses: McpMessage[] = []
  readonly #batch: boolean
  readonly #resolve: (reply: Reply) => void
  readonly #onDrop: () => void
  /** Resolves with the HTTP reply once the sink ends. */
  readonly reply: Promise<Reply>

  constructor(batch: boolean, onDrop: () => void, headers: Record<string, string>) {
    this.#batch = batch
    this.#onDrop = onDrop
    let resolve!: (reply: Reply) => void
    this.reply = new Promise((r) => {
      resolve = r
    })
    this.#resolve = (reply) => resolve(reply)
    this.#headers = headers
  }

  readonly #headers: Record<string, string>

  #abandoned = false

  async send(message: McpMessage): Promise<void> {
    if ('result' in message || 'error' in message) this.#responses.push(message)
    else this.#onDrop()
  }

  abandoned(): void {
    this.#abandoned = true
  }

  end(): void {
    if (this.#responses.length === 0 && this.#abandoned) {
      // Every request was cancelled by the client: there is no response to send.
      this.#resolve({ status: 202, headers: { ...this.#headers }, body: null })
      return
    }
    if (this.#responses.length === 0) {
      // Ended without any response: the session closed while the request was in flight.
      this.#resolve(errorReply(404, -32001, 'Session not found'))
      return
    }
    const body = this.#batch || this.#responses.length !== 1 ? this.#responses : this.#responses[0]
    this.#resolve({
      status: 200,
      headers: { 'content-type': 'application/json', ...this.#headers },
      body: JSON.stringify(body),
    })
  }
}
