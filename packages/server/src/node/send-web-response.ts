import type { ServerResponse } from 'node:http'
import { TickCork } from './tick-cork.js'

/** Options for {@link sendWebResponse}. */
export interface SendWebResponseOptions {
  /**
   * Receives an error thrown by the response body while it streams. The connection is then
   * destroyed (the status line is already sent), so the client sees a truncated response.
   * Default: `console.error`.
   */
  readonly onError?: ((error: unknown) => void) | undefined
}

function noop(): void {}

function hasNoBody(method: string | undefined, status: number): boolean {
  return method === 'HEAD' || status === 204 || status === 304 || (status >= 100 && status < 200)
}

/**
 * Writes a Web `Response` to a `node:http` response, streaming, with backpressure.
 *
 * - Status and headers are copied; every `Set-Cookie` value is kept as its own header line.
 * - For `text/event-stream` the headers are flushed at once (before the event loop next waits),
 *   so the client sees the status before the first event even when that event is slow to come.
 * - Whatever is written within one tick (headers, chunks the body already holds, the end) leaves
 *   in a single socket write.
 * - The body is read one chunk at a time: after a `res.write` that returns `false`, the next chunk
 *   is pulled only after `drain`. Nothing is buffered beyond what the socket accepts.
 * - HEAD requests and 1xx, 204 and 304 responses are sent without a body (the body is cancelled).
 * - If the client goes away first, the body is cancelled, which runs the stream's `cancel`.
 *
 * @param res The Node response to write to.
 * @param response The Web response to send.
 * @param options See {@link SendWebResponseOptions}.
 * @returns A promise that settles when the response has ended or the client has gone; it never
 *   rejects.
 * @example
 * ```ts
 * await sendWebResponse(res, new Response('ok', { headers: { 'content-type': 'text/plain' } }))
 * ```
 * @see https://nodejs.org/api/http.html#class-httpserverresponse
 */
export async function sendWebResponse(
  res: ServerResponse,
  response: Response,
  options: SendWebResponseOptions = {},
): Promise<void> {
  const body = response.body
  if (res.closed || res.destroyed) {
    await body?.cancel().catch(noop)
    return
  }

  res.statusCode = response.status
  for (const [name, value] of response.headers) {
    if (name !== 'set-cookie') res.setHeader(name, value)
  }
  const cookies = response.headers.getSetCookie()
  if (cookies.length > 0) res.setHeader('set-cookie', cookies)

  if (body === null || hasNoBody(res.req?.method, response.status)) {
    await body?.cancel().catch(noop)
    res.end()
    return
  }

  // Headers, whatever the body already holds, and the end leave in one socket write.
  const tick = new TickCork(res)
  tick.cork()
  const contentType = response.headers.get('content-type') ?? ''
  if (contentType.toLowerCase().startsWith('text/event-stream')) res.flushHeaders()

  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined
  let closed = false
  let wake: (() => void) | undefined
  const onClose = (): void => {
    closed = true
    wake?.()
    if (!res.writableFinished) reader?.cancel().catch(noop)
  }
  res.once('close', onClose)
  try {
    reader = body.getReader() // throws when the body was already read or locked
    for (;;) {
      const { done, value } = await reader.read()
      if (done || closed) break
      tick.cork()
      if (!res.write(value)) {
        await new Promise<void>((resolve) => {
          wake = () => {
            res.off('drain', wake!)
            wake = undefined
            resolve()
          }
          res.on('drain', wake)
        })
      }
      if (closed) break
    }
    if (!closed) res.end()
  } catch (error) {
    if (!closed) {
      ;(options.onError ?? console.error)(error)
      tick.uncork() // what was produced before the failure still reaches the client
      res.destroy()
    }
  } finally {
    res.off('close', onClose)
  }
}
