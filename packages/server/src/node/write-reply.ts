import type { ServerResponse } from 'node:http'
import { EventStream } from '../http/event-stream.js'
import type { Answer, Reply } from '../http/reply.js'
import { sendWebResponse } from './send-web-response.js'
import { TickCork } from './tick-cork.js'

/**
 * Streams an event stream to `res`: headers flushed at once, each chunk taken only while
 * `res.write` accepts more (then after `drain`), the stream aborted when the client goes away.
 */
function writeEventStream(
  res: ServerResponse,
  status: number,
  headers: Reply['headers'],
  stream: EventStream,
): void {
  const tick = new TickCork(res)
  tick.cork()
  res.writeHead(status, headers)
  res.flushHeaders()
  const onDrain = (): void => stream.resume()
  const onClose = (): void => {
    res.off('drain', onDrain)
    if (!res.writableFinished) stream.abort('disconnect')
  }
  res.on('drain', onDrain)
  res.once('close', onClose)
  stream.connect({
    push(chunk) {
      tick.cork()
      return res.write(chunk)
    },
    close() {
      res.off('drain', onDrain)
      if (!res.destroyed) res.end()
    },
  })
  stream.resume() // a fresh response takes writes at once
}

/**
 * Writes the handler's answer to a `node:http` response without Fetch objects: a text body with
 * its `Content-Length`, an event stream with backpressure, or (from a hook) a `Response` through
 * {@link sendWebResponse}.
 *
 * @param res The Node response.
 * @param answer The handler's answer.
 * @param onError Receives an error thrown while a hook's `Response` body streams.
 */
export async function writeReply(
  res: ServerResponse,
  answer: Answer,
  onError: (error: unknown) => void,
): Promise<void> {
  if (answer instanceof Response) return sendWebResponse(res, answer, { onError })
  const { status, headers, body } = answer
  if (res.destroyed || res.closed) {
    if (body instanceof EventStream) body.abort('disconnect')
    return
  }
  if (body instanceof EventStream) {
    writeEventStream(res, status, headers, body)
    return
  }
  // Refused before its body arrived (an unknown session, say): close the connection after the
  // answer rather than let Node read and discard the rest.
  const unread = status >= 400 && res.req?.complete === false
  const sent = unread ? { ...headers, connection: 'close' } : headers
  if (body === null) {
    res.writeHead(status, sent).end()
    return
  }
  res.writeHead(status, { ...sent, 'content-length': String(Buffer.byteLength(body)) }).end(body)
}
