import { BODYLESS_DROPPED_HEADERS, type Incoming } from './incoming.js'
import { type ReadBodyResult, readBody } from './read-body.js'

/** A Fetch `Request` seen as an {@link Incoming}. */
export class WebIncoming implements Incoming {
  readonly #request: Request
  #parsedUrl: URL | undefined

  constructor(request: Request) {
    this.#request = request
  }

  get method(): string {
    return this.#request.method
  }

  get url(): string {
    return this.#request.url
  }

  get parsedUrl(): URL {
    this.#parsedUrl ??= new URL(this.#request.url)
    return this.#parsedUrl
  }

  get headers(): Headers {
    return this.#request.headers
  }

  readText(maxBytes: number): Promise<ReadBodyResult> {
    return readBody(this.#request, maxBytes)
  }

  toRequest(): Request {
    return this.#request
  }

  toBodylessRequest(signal: AbortSignal): Request {
    const headers: [string, string][] = []
    this.#request.headers.forEach((value, name) => {
      if (!BODYLESS_DROPPED_HEADERS.has(name)) headers.push([name, value])
    })
    return new Request(this.#request.url, { method: 'POST', headers, signal })
  }

  watchDisconnect(listener: () => void): () => void {
    const signal = this.#request.signal
    if (signal.aborted) {
      queueMicrotask(listener)
      return () => {}
    }
    signal.addEventListener('abort', listener, { once: true })
    return () => signal.removeEventListener('abort', listener)
  }
}
