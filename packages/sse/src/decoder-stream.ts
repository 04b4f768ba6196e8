import type { SseParserOptions } from './parser.js'
import { createSseParser } from './parser.js'
import type { SseEvent } from './types.js'

/**
 * A `TransformStream` from SSE bytes (UTF-8) or text to {@link SseEvent} objects, with the exact
 * WHATWG interpretation of {@link createSseParser}. At the end of the input an unterminated event
 * is discarded.
 *
 * @param options Parser options other than `onEvent` (`onError`, `onRetry`, `onComment`,
 * `initialLastEventId`, `maxBufferSize`).
 * @example
 * ```ts
 * const response = await fetch('http://127.0.0.1:3000/sse')
 * for await (const event of response.body!.pipeThrough(new SseDecoderStream())) {
 *   console.log(event.type, event.data)
 * }
 * ```
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
 */
export class SseDecoderStream extends TransformStream<Uint8Array | string, SseEvent> {
  constructor(options: Omit<SseParserOptions, 'onEvent'> = {}) {
    let parser: ReturnType<typeof createSseParser> | undefined
    super({
      start(controller) {
        parser = createSseParser({ ...options, onEvent: (event) => controller.enqueue(event) })
      },
      transform(chunk) {
        parser!.feed(chunk)
      },
      flush() {
        parser!.end()
      },
    })
  }
}
