import type { ReadBodyResult } from './read-body.js'

/** Read access to request headers: a Fetch `Headers` object has it. Names are case-insensitive. */
export interface HeaderReader {
  get(name: string): string | null
  has(name: string): boolean
  forEach(callback: (value: string, name: string) => void): void
}

/**
 * An HTTP request as the handler reads it, whatever carried it: a Fetch `Request`
 * ({@link WebIncoming}) or a `node:http` request (`@mcpwire/server/node`), which then needs no
 * `Request` object at all.
 */
export interface Incoming {
  readonly method: string
  /** The absolute request URL, as `Request.url`. */
  readonly url: string
  /** {@link url}, parsed once. */
  readonly parsedUrl: URL
  readonly headers: HeaderReader
  /** Reads the body as UTF-8 text, stopping past `maxBytes` (see `readBody`). Called at most once. */
  readText(maxBytes: number): Promise<ReadBodyResult>
  /** The request as a Fetch `Request`, for hooks such as `authenticate`; built on first use. */
  toRequest(): Request
  /**
   * A new POST `Request` with this request's URL and headers, minus hop-by-hop and body-framing
   * headers, without a body, whose signal is `signal`: what a modern request's delegate gets.
   */
  toBodylessRequest(signal: AbortSignal): Request
  /**
   * Calls `listener` once if the client goes away before the answer has been written.
   *
   * @returns A function that stops watching.
   */
  watchDisconnect(listener: () => void): () => void
}

/** Request headers a body-less copy of a request does not carry (RFC 9110 §7.6.1, framing). */
export const BODYLESS_DROPPED_HEADERS: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'te',
  'trailer',
  'upgrade',
  'proxy-connection',
])
