/** What kind of problem an {@link SseParseError} reports. */
export type SseParseErrorType = 'invalid-retry' | 'unknown-field' | 'max-buffer-size-exceeded'

/**
 * A problem found in an event stream. The decoder never throws it: it is handed to the
 * `onError` callback, and parsing goes on as the WHATWG rules say (the line is ignored, or the
 * oversized event is dropped).
 *
 * @example
 * ```ts
 * const parser = createSseParser({
 *   onEvent() {},
 *   onError(error) { if (error.type === 'max-buffer-size-exceeded') console.warn(error.message) },
 * })
 * ```
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
 */
export class SseParseError extends Error {
  /** The kind of problem. */
  readonly type: SseParseErrorType
  /** The field name involved, for `invalid-retry` and `unknown-field`. */
  readonly field: string | undefined
  /** The field value involved, for `invalid-retry` and `unknown-field`. */
  readonly value: string | undefined

  /**
   * @param type The kind of problem.
   * @param message A sentence-case description.
   * @param field The field name involved, if any.
   * @param value The field value involved, if any.
   */
  constructor(type: SseParseErrorType, message: string, field?: string, value?: string) {
    super(message)
    this.name = 'SseParseError'
    this.type = type
    this.field = field
    this.value = value
  }
}
