import type { IncomingMessage, ServerResponse } from 'node:http'
import { BODYLESS_DROPPED_HEADERS, type Incoming } from '../http/incoming.js'
import { type ReadBodyResult, readBody } from '../http/read-body.js'
import { NodeHeaders } from './node-headers.js'
import { readNodeBody } from './read-node-body.js'
import { requestUrl, toWebRequest } from './to-web-request.js'

/**
 * A `node:http` request seen as an {@link Incoming}: headers, URL and body are read from Node's
 * objects directly. A Fetch `Request` is built only if a hook asks for one; the body is then read
 * through it, so the hook and the handler see the same request.
 */
export class NodeIncoming implements Incoming {
  readonly method: string
  readonly url: string
  readonly headers: NodeHeaders
  readonly #req: IncomingMessage
  readonly #res: ServerResponse
  #parsedUrl: URL | undefined
  #request: Request | undefined

  constructor(req: IncomingMessage, res: ServerResponse) {
    this.#req = req
    this.#res = res
    this.method = req.method ?? 'GET'
    this.url = requestUrl(req)
    this.headers = new NodeHeaders(req.rawHeaders)
  }

  get parsedUrl(): URL {
    this.#parsedUrl ??= new URL(this.url)
    return this.#parsedUrl
  }

  readText(maxBytes: number): Promise<ReadBodyResult> {
    if (this.#request !== undefined) return readBody(this.#request, maxBytes)
    return readNodeBody(this.#req, maxBytes, () => {
      // Leave the rest unread: close the connection after the answer rather than drain it.
      if (!this.#res.headersSent) this.#res.setHeader('connection', 'close')
    })
  }

  toRequest(): Request {
    this.#request ??= toWebRequest(this.#req, this.#res)
    return this.#request
  }

  toBodylessRequest(signal: AbortSignal): Request {
    const headers: [string, string][] = []
    const raw = this.#req.rawHeaders
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = raw[i]!
      if (name.charCodeAt(0) === 0x3a) continue // an HTTP/2 pseudo-header
      if (BODYLESS_DROPPED_HEADERS.has(name.toLowerCase())) continue
      headers.push([name, raw[i + 1]!])
    }
    return new Request(this.url, { method: 'POST', headers, signal })
  }

  watchDisconnect(listener: () => void): () => void {
    const res = this.#res
    if (res.destroyed && !res.writableFinished) {
      queueMicrotask(listener)
      return () => {}
    }
    const onClose = (): void => {
      if (!res.writableFinished) listener()
    }
    res.once('close', onClose)
    return () => res.off('close', onClose)
  }
}
