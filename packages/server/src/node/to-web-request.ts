import type { IncomingMessage, ServerResponse } from 'node:http'
import { type BodyReadBefore, bodyReadBefore } from './body-read-before.js'

// What may go into the authority of the URL we build. A Host outside this shape (userinfo, path,
// spaces) is not used for the URL, so it cannot change the parsed path or make `new Request` throw;
// it is still forwarded as the `host` header, where the handler's Host check refuses it.
const SAFE_AUTHORITY = /^(?:\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::[0-9]{1,5})?$/i

function localAuthority(req: IncomingMessage): string {
  const address = req.socket.localAddress ?? '127.0.0.1'
  const host = address.includes(':') ? `[${address}]` : address
  const port = req.socket.localPort
  return port === undefined ? host : `${host}:${port}`
}

function requestTarget(raw: string | undefined): string {
  if (raw === undefined || raw === '') return '/'
  if (raw.startsWith('/')) return raw
  // Absolute form (`GET http://host/path HTTP/1.1`): keep only the path and query.
  try {
    const url = new URL(raw)
    return `${url.pathname}${url.search}`
  } catch {
    return '/'
  }
}

/**
 * The absolute URL of a `node:http` request: `http://` or `https://` (TLS sockets) plus the `Host`
 * header (or the socket's local address when it is missing or malformed) and the path and query.
 * `X-Forwarded-*` headers are not trusted.
 */
export function requestUrl(req: IncomingMessage): string {
  const host = req.headers.host
  const authority = host !== undefined && SAFE_AUTHORITY.test(host) ? host : localAuthority(req)
  const scheme = (req.socket as { encrypted?: boolean }).encrypted === true ? 'https' : 'http'
  return `${scheme}://${authority}${requestTarget(req.url)}`
}

/**
 * A `ReadableStream` over a request body that pulls from the socket only as fast as it is read:
 * the `IncomingMessage` is paused whenever the stream's queue is full.
 */
function bodyStream(req: IncomingMessage, onCancel: () => void): ReadableStream<Uint8Array> {
  let finished = false
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        const fail = (error: unknown): void => {
          if (finished) return
          finished = true
          controller.error(error)
        }
        req.on('data', (chunk: Buffer) => {
          if (finished) return
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength))
          if ((controller.desiredSize ?? 0) <= 0) req.pause()
        })
        req.once('end', () => {
          if (finished) return
          finished = true
          controller.close()
        })
        req.once('error', fail)
        req.once('close', () => {
          if (!req.complete) fail(new Error('Request body aborted by the client'))
        })
      },
      pull() {
        req.resume()
      },
      cancel() {
        finished = true
        req.pause()
        onCancel()
      },
    },
    { highWaterMark: 1 },
  )
}

/** A body rebuilt from what a middleware kept, or one that fails at once when it kept nothing. */
function keptBody(kept: BodyReadBefore): BodyInit {
  if (kept.kind === 'text') return kept.text
  if (kept.kind === 'bytes') return kept.bytes as Uint8Array<ArrayBuffer>
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const message =
        kept.kind === 'lost'
          ? 'Request body was read before the handler and not kept'
          : 'Request body kept by a body parser cannot be serialised as JSON'
      controller.error(new TypeError(message))
    },
  })
}

/** Options for {@link toWebRequest}. */
export interface ToWebRequestOptions {
  /**
   * Called when the consumer cancels the request body before it ends (for example a body-size
   * limit was hit). Default: the response is marked `Connection: close`, so the unread rest of the
   * body is not drained on a kept-alive connection.
   */
  readonly onBodyCancel?: (() => void) | undefined
}

/**
 * Converts a `node:http` request into a Web `Request` without buffering.
 *
 * - The body is a `ReadableStream` over `req` (for methods other than GET and HEAD), read on
 *   demand with socket backpressure; Node 20 needs `duplex: 'half'`, which is set.
 * - The URL is `http://` or `https://` (TLS sockets) plus the `Host` header and `req.url`.
 *   `X-Forwarded-*` headers are not trusted. Without a usable `Host` (HTTP/1.0, or a malformed
 *   value) the socket's local address is used for the URL; the raw `host` header is still passed
 *   on, so a Host check can refuse it.
 * - `request.signal` aborts when the client goes away before the response has finished
 *   (`res` emits `close` early, or `req` is aborted).
 * - Repeated headers are appended, so none is lost.
 * - When a body parser in front already read the body (Express's `express.json()`), the body is
 *   rebuilt from `req.body` (a string, bytes, or a JSON value serialised again); when it kept
 *   nothing, reading the body fails at once instead of waiting forever.
 *
 * @param req The incoming Node request.
 * @param res Its response; needed to turn a disconnect into `request.signal`. When omitted, the
 *   signal follows `req` only.
 * @param options See {@link ToWebRequestOptions}.
 * @returns A `Request` whose body streams from `req`.
 * @throws {TypeError} When Node accepted a method or header the Fetch `Request` refuses
 *   (for example `TRACE`).
 * @example
 * ```ts
 * createServer(async (req, res) => {
 *   const request = toWebRequest(req, res)
 *   await sendWebResponse(res, await app.fetch(request))
 * })
 * ```
 * @see https://fetch.spec.whatwg.org/#request-class
 */
export function toWebRequest(
  req: IncomingMessage,
  res?: ServerResponse,
  options: ToWebRequestOptions = {},
): Request {
  const controller = new AbortController()
  const abort = (): void => {
    if (!controller.signal.aborted) controller.abort()
  }
  req.once('aborted', abort)
  if (res !== undefined) {
    res.once('close', () => {
      if (!res.writableFinished) abort()
    })
  } else {
    req.once('close', () => {
      if (!req.complete) abort()
    })
  }

  // Name/value pairs: the Request builds its one Headers from them, appending repeated names.
  const headers: [string, string][] = []
  const raw = req.rawHeaders
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!
    if (name.charCodeAt(0) !== 0x3a) headers.push([name, raw[i + 1]!]) // skip HTTP/2 pseudo-headers
  }

  const url = requestUrl(req)

  const method = req.method ?? 'GET'
  const init: RequestInit & { duplex?: 'half' } = { method, headers, signal: controller.signal }
  if (method !== 'GET' && method !== 'HEAD') {
    const onBodyCancel =
      options.onBodyCancel ??
      (() => {
        if (res !== undefined && !req.complete && !res.headersSent) {
          res.setHeader('connection', 'close')
        }
      })
    const kept = bodyReadBefore(req)
    init.body = kept === undefined ? bodyStream(req, onBodyCancel) : keptBody(kept)
    init.duplex = 'half'
  }
  return new Request(url, init)
}
