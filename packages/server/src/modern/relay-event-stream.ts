import { createSseParser, encode } from '@mcpwire/sse'
import type { EventStream } from '../http/event-stream.js'

/**
 * Pipes a delegate's `text/event-stream` body into one of our {@link EventStream}s, event by
 * event: the `@mcpwire/sse` decoder finds the event boundaries, so our keep-alive comments never
 * land inside an event and the overflow bound drops whole events. Each event is written again
 * with its type and data only: the delegate's comments and any `id`/`retry` stay behind (a modern
 * stream has no ids and cannot be resumed).
 *
 * The body is read as fast as the delegate produces, because the delegate does not wait for room
 * (the SDK ignores `desiredSize`); the bound is the event stream's `maxBufferBytes`, whose
 * overflow policy closes the stream, which under 2026-07-28 is a cancellation.
 *
 * @param body The delegate's response body.
 * @param stream The stream the client reads.
 * @param onError Receives a read failure of the body (the stream then ends) or an event too large
 *   for the decoder (it is dropped).
 * @returns The reader, so a detach of the stream can cancel it; the pump runs on its own.
 */
export function relayEventStream(
  body: ReadableStream<Uint8Array>,
  stream: EventStream,
  onError: (error: unknown) => void,
): ReadableStreamDefaultReader<Uint8Array> {
  const reader = body.getReader()
  const parser = createSseParser({
    onEvent(event) {
      stream.write(encode({ event: event.type, data: event.data }))
    },
    onError(error) {
      if (error.type === 'max-buffer-size-exceeded') onError(error)
    },
  })
  const pump = async (): Promise<void> => {
    try {
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        parser.feed(value)
        if (!stream.open) return
      }
      parser.end()
      stream.end()
    } catch (error) {
      if (!stream.open) return // our own cancel after the client went away
      onError(error)
      stream.end()
    }
  }
  void pump()
  return reader
}
