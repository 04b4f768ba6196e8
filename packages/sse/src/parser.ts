import { SseParseError } from './parse-error.js'
import type { SseEvent } from './types.js'

/** Options of {@link createSseParser}. */
export interface SseParserOptions {
  /** Receives every dispatched event. */
  onEvent(event: SseEvent): void
  /** Receives every valid `retry` value, in milliseconds. */
  onRetry?(ms: number): void
  /** Receives the text of every comment line (one leading space removed). */
  onComment?(text: string): void
  /** Receives problems in the stream; parsing goes on. */
  onError?(error: SseParseError): void
  /** Last event ID at the start, as after a reconnection with `Last-Event-ID` (default `''`). */
  initialLastEventId?: string
  /**
   * The most one unterminated line or one event may buffer, in UTF-16 code units
   * (default 16 MiB). Past it the partial event is dropped, `onError` receives a
   * `max-buffer-size-exceeded` error, and parsing resumes after the next line end; the
   * dropped event's remaining lines are skipped up to its blank line, so no truncated event is
   * ever dispatched.
   */
  maxBufferSize?: number
}

/** The incremental decoder returned by {@link createSseParser}. */
export interface SseParser {
  /** Feeds the next chunk: bytes are UTF-8, strings are already decoded text. */
  feed(chunk: Uint8Array | string): void
  /** Ends the stream: an unterminated line or event is discarded and its `id` never committed. */
  end(): void
  /** Discards buffered input and starts a new stream (the BOM is stripped again); keeps `lastEventId`. */
  reset(): void
  /** The last event ID committed by a dispatched block. */
  readonly lastEventId: string
}

const DEFAULT_MAX_BUFFER_SIZE = 16 * 1024 * 1024
const LF = 10
const CR = 13
const SPACE = 32
const BOM = 0xfeff
const DIGITS = /^[0-9]+$/
// Small pieces of one long line are merged into one part until it reaches this length, so a
// line fed one character at a time keeps few parts (and joining them stays linear).
const PART_MERGE_LENGTH = 1024

/**
 * Creates an incremental Server-Sent Events decoder that follows the WHATWG HTML event-stream
 * interpretation exactly, whatever the chunking.
 *
 * - Bytes are decoded as streaming UTF-8 (invalid sequences become U+FFFD, a code point split
 *   across chunks decodes correctly); one BOM is stripped at the very start of the stream.
 * - Lines end at CRLF, LF or CR, also when a CR ends one chunk and its LF starts the next.
 * - `id` with U+0000 is ignored, an empty `id` resets, `retry` takes ASCII digits only, unknown
 *   fields are ignored (and reported as `unknown-field`), the last event ID persists.
 * - Linear time: each character is scanned once, a long line is joined once.
 * - Never throws on input. If a callback throws, the chunk is still parsed to its end and the
 *   first callback error is rethrown from `feed()` afterwards.
 *
 * @param options Callbacks and limits.
 * @returns The parser.
 * @example
 * ```ts
 * const parser = createSseParser({ onEvent: (event) => console.log(event.type, event.data) })
 * parser.feed(new TextEncoder().encode('data: hello\n\n')) // logs "message hello"
 * parser.end()
 * ```
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
 */
export function createSseParser(options: SseParserOptions): SseParser {
  const { onEvent, onRetry, onComment, onError } = options
  const maxBufferSize = options.maxBufferSize ?? DEFAULT_MAX_BUFFER_SIZE
  if (!(maxBufferSize > 0)) throw new RangeError('SSE maxBufferSize must be a positive number')

  // Never strips a BOM itself (runtimes differ on BOMs at later chunk starts): feedText does.
  let decoder: TextDecoder | undefined
  let atStreamStart = true
  // The committed last event ID and the block's ID buffer.
  let lastEventId = options.initialLastEventId ?? ''
  let idBuffer = lastEventId
  // The block's data buffer without its final LF; undefined while the buffer is empty.
  let data: string | undefined
  let eventType = ''
  // Size of the block buffered so far (data and event type), for maxBufferSize.
  let blockSize = 0
  // The unterminated line carried over from earlier chunks.
  let parts: string[] = []
  let partsLength = 0
  // A CR ended the last chunk: an LF at the start of the next one belongs to it.
  let skipLeadingLf = false
  // The line was too long: drop text until the next line end.
  let discarding = false
  // The event outgrew maxBufferSize: skip its remaining lines up to its blank line.
  let skippingBlock = false
  // The first exception thrown by a callback during the current feed().
  let callbackError: { error: unknown } | undefined

  function report(error: SseParseError): void {
    if (onError === undefined) return
    try {
      onError(error)
    } catch (error) {
      callbackError ??= { error }
    }
  }

  function dropBlock(): void {
    data = undefined
    eventType = ''
    blockSize = 0
    idBuffer = lastEventId
  }

  function overflow(): void {
    dropBlock()
    skippingBlock = true
    report(
      new SseParseError(
        'max-buffer-size-exceeded',
        `SSE line or event exceeds the maximum buffer size of ${maxBufferSize}`,
      ),
    )
  }

  function dispatch(): void {
    lastEventId = idBuffer
    const eventData = data
    const type = eventType
    data = undefined
    eventType = ''
    blockSize = 0
    if (eventData === undefined) return
    try {
      onEvent({ type: type === '' ? 'message' : type, data: eventData, lastEventId })
    } catch (error) {
      callbackError ??= { error }
    }
  }

  /** Interprets `text[start, end)`, one complete line; `colon` is its first colon or -1. */
  function processLine(text: string, start: number, end: number, colon: number): void {
    if (skippingBlock) {
      if (start === end) skippingBlock = false
      return
    }
    if (start === end) {
      dispatch()
      return
    }
    if (colon === start) {
      if (onComment === undefined) return
      const from = text.charCodeAt(start + 1) === SPACE ? start + 2 : start + 1
      try {
        onComment(text.slice(Math.min(from, end), end))
      } catch (error) {
        callbackError ??= { error }
      }
      return
    }
    let valueStart: number
    let nameEnd: number
    if (colon === -1) {
      nameEnd = end
      valueStart = end
    } else {
      nameEnd = colon
      valueStart = colon + 1
      if (valueStart < end && text.charCodeAt(valueStart) === SPACE) valueStart++
    }
    const nameLength = nameEnd - start
    const first = text.charCodeAt(start)
    if (
      nameLength === 4 &&
      first === 100 && // d
      text.charCodeAt(start + 1) === 97 && // a
      text.charCodeAt(start + 2) === 116 && // t
      text.charCodeAt(start + 3) === 97 // a
    ) {
      const value = text.slice(valueStart, end)
      blockSize += value.length + 1
      if (blockSize > maxBufferSize) {
        overflow()
        return
      }
      data = data === undefined ? value : `${data}\n${value}`
    } else if (nameLength === 2 && first === 105 && text.charCodeAt(start + 1) === 100) {
      const value = text.slice(valueStart, end)
      if (!value.includes('\0')) idBuffer = value
    } else if (nameLength === 5 && first === 101 && text.startsWith('event', start)) {
      blockSize += end - valueStart - eventType.length
      eventType = text.slice(valueStart, end)
    } else if (nameLength === 5 && first === 114 && text.startsWith('retry', start)) {
      const value = text.slice(valueStart, end)
      if (DIGITS.test(value)) {
        if (onRetry !== undefined) {
          try {
            onRetry(Number.parseInt(value, 10))
          } catch (error) {
            callbackError ??= { error }
          }
        }
      } else if (onError !== undefined) {
        report(
          new SseParseError('invalid-retry', `Invalid SSE retry value "${value}"`, 'retry', value),
        )
      }
    } else if (onError !== undefined) {
      const field = text.slice(start, nameEnd)
      const value = text.slice(valueStart, end)
      report(new SseParseError('unknown-field', `Unknown SSE field "${field}"`, field, value))
    }
  }

  function carry(piece: string): void {
    if (piece === '') return
    partsLength += piece.length
    if (partsLength > maxBufferSize) {
      parts = []
      partsLength = 0
      discarding = true
      overflow()
      return
    }
    const last = parts.length - 1
    if (last >= 0 && parts[last]!.length < PART_MERGE_LENGTH) parts[last] += piece
    else parts.push(piece)
  }

  function feedText(text: string): void {
    const length = text.length
    let pos = 0
    if (atStreamStart && length > 0) {
      atStreamStart = false
      if (text.charCodeAt(0) === BOM) pos = 1
    }
    if (skipLeadingLf && pos < length) {
      skipLeadingLf = false
      if (text.charCodeAt(pos) === LF) pos++
    }
    // Next CR, LF and colon at or after pos; -1 once there are none left in this chunk.
    let nextCr = -2
    let nextLf = -2
    let nextColon = -2
    while (pos < length) {
      if (nextCr !== -1 && nextCr < pos) nextCr = text.indexOf('\r', pos)
      if (nextLf !== -1 && nextLf < pos) nextLf = text.indexOf('\n', pos)
      let end: number
      if (nextCr === -1) end = nextLf
      else if (nextLf === -1) end = nextCr
      else end = Math.min(nextCr, nextLf)
      if (end === -1) {
        if (!discarding) carry(pos === 0 ? text : text.slice(pos))
        return
      }
      if (discarding) {
        discarding = false
      } else if (partsLength > 0) {
        carry(text.slice(pos, end))
        if (!discarding) {
          const line = parts.length === 1 ? parts[0]! : parts.join('')
          parts = []
          partsLength = 0
          processLine(line, 0, line.length, line.indexOf(':'))
        } else {
          discarding = false
        }
      } else {
        if (nextColon !== -1 && nextColon < pos) nextColon = text.indexOf(':', pos)
        processLine(text, pos, end, nextColon !== -1 && nextColon < end ? nextColon : -1)
      }
      if (text.charCodeAt(end) === CR) {
        if (end + 1 === length) {
          skipLeadingLf = true
          return
        }
        pos = text.charCodeAt(end + 1) === LF ? end + 2 : end + 1
      } else {
        pos = end + 1
      }
    }
  }

  function flushCallbackError(): void {
    if (callbackError !== undefined) {
      const { error } = callbackError
      callbackError = undefined
      throw error
    }
  }

  function startOver(): void {
    decoder = undefined
    atStreamStart = true
    parts = []
    partsLength = 0
    skipLeadingLf = false
    discarding = false
    skippingBlock = false
    dropBlock()
  }

  return {
    feed(chunk: Uint8Array | string): void {
      if (typeof chunk === 'string') {
        feedText(chunk)
      } else {
        decoder ??= new TextDecoder('utf-8', { ignoreBOM: true })
        const text = decoder.decode(chunk, { stream: true })
        if (text !== '') feedText(text)
      }
      flushCallbackError()
    },
    end: startOver,
    reset: startOver,
    get lastEventId(): string {
      return lastEventId
    },
  }
}
