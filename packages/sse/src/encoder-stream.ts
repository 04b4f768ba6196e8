import { encode } from './encode.js'
import type { SseMessage } from './types.js'

/**
 * A `TransformStream` from {@link SseMessage} objects to UTF-8 encoded SSE bytes, one complete
 * event per message. A message that {@link encode} rejects errors the stream with its
 * `TypeError` or `RangeError`.
 *
 * @example
 * ```ts
 * const { readable, writable } = new SseEncoderStream()
 * const writer = writable.getWriter()
 * writer.write({ event: 'message', data: '{}' })
 * return new Response(readable, { headers: { 'content-type': 'text/event-stream' } })
 * ```
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#parsing-an-event-stream
 */
export class SseEncoderStream extends TransformStream<SseMessage, Uint8Array> {
  constructor() {
    const encoder = new TextEncoder()
    super({
      transform(message, controller) {
        controller.enqueue(encoder.encode(encode(message)))
      },
    })
  }
}
