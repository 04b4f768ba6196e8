import type { ServerResponse } from 'node:http'
import type { Socket } from 'node:net'

/**
 * Corks a Node response's socket until the pending microtasks have run, so what is written within
 * one tick (headers, events already produced, the end) leaves in one socket write.
 *
 * The socket is corked, never the response. On some Node releases (22.23.5 and 24.9.0 among
 * them; not 20, 24.22.3 or 26), a corked response keeps the chunked writes made after its headers
 * went out in a buffer of its own, and `res.end()` writes the terminating `0\r\n\r\n` chunk
 * before that buffer: the client reads an empty body and the events after it are lost. A corked
 * socket only delays bytes the response has already framed, in order, on every release, and
 * `res.end()` uncorks it fully.
 */
export class TickCork {
  readonly #res: ServerResponse
  #socket: Socket | null = null

  constructor(res: ServerResponse) {
    this.#res = res
  }

  /** Corks now (once per tick); the writes are flushed on the next tick. */
  cork(): void {
    if (this.#socket !== null) return
    const socket = this.#res.socket
    // Without a socket yet (a pipelined response waiting its turn), Node keeps the writes and
    // flushes them in one go when the socket is attached.
    if (socket === null || socket.destroyed) return
    this.#socket = socket
    socket.cork()
    process.nextTick(() => this.uncork())
  }

  /** Flushes what is corked now, for example before destroying the response. */
  uncork(): void {
    const socket = this.#socket
    if (socket === null) return
    this.#socket = null
    // `res.end()` has uncorked the socket fully already; do not take a cork someone else holds.
    if (!this.#res.writableEnded) socket.uncork()
  }
}
