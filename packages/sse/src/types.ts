/**
 * One Server-Sent Events message to encode.
 *
 * Every field is optional. Only a message with `data` (even `''`) produces an event that an
 * `EventSource` dispatches; `id`, `retry`, `event` and `comment` alone only update the client's
 * state or keep the connection alive.
 *
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#parsing-an-event-stream
 */
export interface SseMessage {
  /** Event payload. Any newline form (CR, LF, CRLF) becomes several `data:` lines. */
  data?: string
  /** Event type; the client dispatches `message` when absent. Must not contain CR or LF. */
  event?: string
  /** Last event ID to set; `''` resets it. Must not contain CR, LF or U+0000. */
  id?: string
  /** Reconnection time in milliseconds: a non-negative safe integer. */
  retry?: number
  /** Comment text, ignored by clients; any newline form becomes several comment lines. */
  comment?: string
}

/**
 * One event dispatched by the decoder, shaped like the `MessageEvent` an `EventSource` fires.
 *
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#dispatchMessage
 */
export interface SseEvent {
  /** Event type: the last `event` field of the block, or `message`. */
  type: string
  /** The `data` lines of the block joined with LF. */
  data: string
  /** The last event ID in force when the event was dispatched. */
  lastEventId: string
}
