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
   * The longest line and the largest event, in UTF-16 code units (default 16 MiB); a line is
   * measured the same whether it arrived in one chunk or in many, so an unterminated line never
   * buffers more. Past it the partial event is dropped, `onError` receives a
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
const COLON = 58
const DIGITS = /^[0-9]+$/
const STREAM: TextDecodeOptions = { stream: true }
// Small pieces of one long line are merged into one part until it reaches this length, so a
// line fed one character at a time keeps few parts (and joining them stays linear).
const PART_MERGE_LENGTH = 1024
// Whether the last bytes decoded, by any parser, were ASCII: picks the decoder a new parser starts
// with (see feedBytes). A guess that only affects speed, never the output.
let asciiLately = true

/** Where the value starts, `nameEnd` being the first colon of the line or its end. */
function valueStartAt(text: string, nameEnd: number, end: number): number {
  if (nameEnd === end) return end
  return text.charCodeAt(nameEnd + 1) === SPACE && nameEnd + 1 < end ? nameEnd + 2 : nameEnd + 1
}

/** Whether `text[start, end)` starts with the field name `name` followed by a colon or its end. */
function isField(text: string, start: number, end: number, name: string): boolean {
  const nameEnd = start + name.length
  return (
    nameEnd <= end &&
    text.startsWith(name, start) &&
    (nameEnd === end || text.charCodeAt(nameEnd) === COLON)
  )
}

/** The length a UTF-8 lead byte announces (2 to 4), or 0 for a byte that cannot lead a sequence. */
function utf8SequenceLength(byte: number): number {
  if (byte < 0xc2 || byte > 0xf4) return 0
  return byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2
}

/** The parser behind {@link createSseParser}: a class, so every parser shares one set of methods. */
class EventStreamParser implements SseParser {
  readonly #onEvent: (event: SseEvent) => void
  readonly #onRetry: ((ms: number) => void) | undefined
  readonly #onComment: ((text: string) => void) | undefined
  readonly #onError: ((error: SseParseError) => void) | undefined
  readonly #maxBufferSize: number

  // ASCII bytes are decoded by non-streaming decode() calls: Node runs those through its fast
  // (SIMD) path, about six times faster on ASCII than its streaming ICU path. An incomplete UTF-8
  // sequence at a chunk end then waits in `pending` for the next chunk, which gives exactly the
  // streaming decoder's output. On non-ASCII text Node's fast path is about half as fast as ICU,
  // so while the input is not ASCII a streaming decoder takes over (and holds split sequences
  // itself). Neither strips a BOM (runtimes differ on BOMs at later chunk starts): feedText does.
  #fastDecoder: TextDecoder | undefined
  #streamDecoder: TextDecoder | undefined
  #streaming = !asciiLately
  // In streaming mode: the last chunk ended with a non-ASCII byte, which the decoder may hold.
  #streamMayHold = false
  #pending = new Uint8Array(4)
  #pendingLength = 0
  #atStreamStart = true
  // The committed last event ID and the block's ID buffer.
  #lastEventId: string
  #idBuffer: string
  // The block's data buffer without its final LF; undefined while the buffer is empty.
  #data: string | undefined
  #eventType = ''
  // Size of the block buffered so far (data and event type), for maxBufferSize.
  #blockSize = 0
  // The unterminated line carried over from earlier chunks.
  #parts: string[] = []
  #partsLength = 0
  // A CR ended the last chunk: an LF at the start of the next one belongs to it.
  #skipLeadingLf = false
  // The line was too long: drop text until the next line end.
  #discarding = false
  // The event outgrew maxBufferSize: skip its remaining lines up to its blank line.
  #skippingBlock = false
  // The first exception thrown by a callback during the current feed().
  #callbackError: { error: unknown } | undefined

  #report(error: SseParseError): void {
    if (this.#onError === undefined) return
    try {
      this.#onError(error)
    } catch (error) {
      this.#callbackError ??= { error }
    }
  }

  #dropBlock(): void {
    this.#data = undefined
    this.#eventType = ''
    this.#blockSize = 0
    this.#idBuffer = this.#lastEventId
  }

  #overflow(): void {
    this.#dropBlock()
    this.#skippingBlock = true
    this.#report(
      new SseParseError(
        'max-buffer-size-exceeded',
        `SSE line or event exceeds the maximum buffer size of ${this.#maxBufferSize}`,
      ),
    )
  }

  #dispatch(): void {
    this.#lastEventId = this.#idBuffer
    const eventData = this.#data
    const type = this.#eventType
    this.#data = undefined
    this.#eventType = ''
    this.#blockSize = 0
    if (eventData === undefined) return
    try {
      this.#onEvent({
        type: type === '' ? 'message' : type,
        data: eventData,
        lastEventId: this.#lastEventId,
      })
    } catch (error) {
      this.#callbackError ??= { error }
    }
  }

  /** Interprets `text[start, end)`, one complete line without its line end. */
  #processLine(text: string, start: number, end: number): void {
    if (this.#skippingBlock) {
      if (start === end) this.#skippingBlock = false
      return
    }
    if (start === end) {
      this.#dispatch()
      return
    }
    const first = text.charCodeAt(start)
    if (first === COLON) {
      if (this.#onComment === undefined) return
      const from = text.charCodeAt(start + 1) === SPACE ? start + 2 : start + 1
      try {
        this.#onComment(text.slice(Math.min(from, end), end))
      } catch (error) {
        this.#callbackError ??= { error }
      }
      return
    }
    // The four field names are matched in place; only other names need their colon searched.
    if (
      first === 100 && // d
      start + 4 <= end &&
      text.charCodeAt(start + 1) === 97 && // a
      text.charCodeAt(start + 2) === 116 && // t
      text.charCodeAt(start + 3) === 97 && // a
      (start + 4 === end || text.charCodeAt(start + 4) === COLON)
    ) {
      const value = text.slice(valueStartAt(text, start + 4, end), end)
      this.#blockSize += value.length + 1
      if (this.#blockSize > this.#maxBufferSize) {
        this.#overflow()
        return
      }
      this.#data = this.#data === undefined ? value : `${this.#data}\n${value}`
    } else if (
      first === 105 && // i
      start + 2 <= end &&
      text.charCodeAt(start + 1) === 100 && // d
      (start + 2 === end || text.charCodeAt(start + 2) === COLON)
    ) {
      const value = text.slice(valueStartAt(text, start + 2, end), end)
      if (!value.includes('\0')) this.#idBuffer = value
    } else if (first === 101 && isField(text, start, end, 'event')) {
      const valueStart = valueStartAt(text, start + 5, end)
      this.#blockSize += end - valueStart - this.#eventType.length
      this.#eventType = text.slice(valueStart, end)
    } else if (first === 114 && isField(text, start, end, 'retry')) {
      const value = text.slice(valueStartAt(text, start + 5, end), end)
      if (DIGITS.test(value)) {
        if (this.#onRetry !== undefined) {
          try {
            this.#onRetry(Number.parseInt(value, 10))
          } catch (error) {
            this.#callbackError ??= { error }
          }
        }
      } else if (this.#onError !== undefined) {
        this.#report(
          new SseParseError('invalid-retry', `Invalid SSE retry value "${value}"`, 'retry', value),
        )
      }
    } else if (this.#onError !== undefined) {
      let nameEnd = start + 1
      while (nameEnd < end && text.charCodeAt(nameEnd) !== COLON) nameEnd++
      const field = text.slice(start, nameEnd)
      const value = text.slice(valueStartAt(text, nameEnd, end), end)
      this.#report(new SseParseError('unknown-field', `Unknown SSE field "${field}"`, field, value))
    }
  }

  #carry(piece: string): void {
    if (piece === '') return
    this.#partsLength += piece.length
    if (this.#partsLength > this.#maxBufferSize) {
      this.#parts = []
      this.#partsLength = 0
      this.#discarding = true
      this.#overflow()
      return
    }
    const last = this.#parts.length - 1
    if (last >= 0 && this.#parts[last]!.length < PART_MERGE_LENGTH) this.#parts[last] += piece
    else this.#parts.push(piece)
  }

  /**
   * Interprets the complete lines of `text[pos...]`, which holds no CR, while no line is carried
   * over: only LF ends a line there, so each line costs one search. Returns where the unterminated
   * rest starts.
   */
  #feedLfLines(text: string, pos: number): number {
    const length = text.length
    while (pos < length) {
      if (text.charCodeAt(pos) === LF) {
        this.#processLine(text, pos, pos)
        pos++
        continue
      }
      const end = text.indexOf('\n', pos)
      if (end === -1) return pos
      if (
        text.charCodeAt(pos + 4) === COLON &&
        text.charCodeAt(pos) === 100 && // d
        text.charCodeAt(pos + 1) === 97 && // a
        text.charCodeAt(pos + 2) === 116 && // t
        text.charCodeAt(pos + 3) === 97 && // a
        pos + 4 < end &&
        !this.#skippingBlock
      ) {
        // A data line, the most frequent line, handled in place: events of many short data
        // lines spent most of their time in the general line path.
        const valueStart = text.charCodeAt(pos + 5) === SPACE && pos + 5 < end ? pos + 6 : pos + 5
        this.#blockSize += end - valueStart + 1
        if (end - pos > this.#maxBufferSize || this.#blockSize > this.#maxBufferSize) {
          this.#overflow()
        } else {
          const value = text.slice(valueStart, end)
          const data = this.#data
          this.#data = data === undefined ? value : `${data}\n${value}`
        }
        pos = end + 1
        continue
      }
      // The same bound as for a line carried over chunks (see feedText).
      if (end - pos > this.#maxBufferSize) this.#overflow()
      else this.#processLine(text, pos, end)
      pos = end + 1
    }
    return pos
  }

  #feedText(text: string): void {
    const length = text.length
    let pos = 0
    if (this.#atStreamStart && length > 0) {
      this.#atStreamStart = false
      if (text.charCodeAt(0) === BOM) pos = 1
    }
    if (this.#skipLeadingLf && pos < length) {
      this.#skipLeadingLf = false
      if (text.charCodeAt(pos) === LF) pos++
    }
    // Next CR and LF at or after pos; -1 once there are none left in this chunk.
    let nextCr = -2
    let nextLf = -2
    while (pos < length) {
      if (nextCr !== -1 && nextCr < pos) nextCr = text.indexOf('\r', pos)
      if (nextCr === -1 && this.#partsLength === 0 && !this.#discarding) {
        // The common case, no CR in the rest of the chunk: a leaner loop (see feedLfLines).
        pos = this.#feedLfLines(text, pos)
        if (pos < length) this.#carry(pos === 0 ? text : text.slice(pos))
        return
      }
      if (text.charCodeAt(pos) === LF && this.#partsLength === 0 && !this.#discarding) {
        // A blank line, found without a search.
        this.#processLine(text, pos, pos)
        pos++
        continue
      }
      if (nextLf !== -1 && nextLf < pos) nextLf = text.indexOf('\n', pos)
      let end: number
      if (nextCr === -1) end = nextLf
      else if (nextLf === -1) end = nextCr
      else end = Math.min(nextCr, nextLf)
      if (end === -1) {
        if (!this.#discarding) this.#carry(pos === 0 ? text : text.slice(pos))
        return
      }
      if (this.#discarding) {
        this.#discarding = false
      } else if (this.#partsLength > 0) {
        this.#carry(text.slice(pos, end))
        if (!this.#discarding) {
          const line = this.#parts.length === 1 ? this.#parts[0]! : this.#parts.join('')
          this.#parts = []
          this.#partsLength = 0
          this.#processLine(line, 0, line.length)
        } else {
          this.#discarding = false
        }
      } else if (end - pos > this.#maxBufferSize) {
        // The same bound as for a line carried over chunks, so the result never depends on
        // where the chunks were cut.
        this.#overflow()
      } else {
        this.#processLine(text, pos, end)
      }
      if (text.charCodeAt(end) === CR) {
        if (end + 1 === length) {
          this.#skipLeadingLf = true
          return
        }
        pos = text.charCodeAt(end + 1) === LF ? end + 2 : end + 1
      } else {
        pos = end + 1
      }
    }
  }

  #flushCallbackError(): void {
    if (this.#callbackError !== undefined) {
      const { error } = this.#callbackError
      this.#callbackError = undefined
      throw error
    }
  }

  #decodeFast(bytes: Uint8Array): string {
    this.#fastDecoder ??= new TextDecoder('utf-8', { ignoreBOM: true })
    return this.#fastDecoder.decode(bytes)
  }

  #decodeStreaming(bytes: Uint8Array): string {
    this.#streamDecoder ??= new TextDecoder('utf-8', { ignoreBOM: true })
    return this.#streamDecoder.decode(bytes, STREAM)
  }

  /** Skips comment and blank lines at the start of `chunk[pos...]` without decoding them. */
  #skipUndecoded(chunk: Uint8Array, pos: number): number {
    const length = chunk.length
    while (pos < length) {
      let end = pos
      if (chunk[pos] === COLON) {
        end = pos + 1
        let byte = chunk[end]
        while (end < length && byte !== LF && byte !== CR) byte = chunk[++end]
        // Unterminated, or perhaps over maxBufferSize (bytes are at least as many as UTF-16
        // code units): the decoding path applies the bound exactly.
        if (end === length || end - pos > this.#maxBufferSize) return pos
      } else if (chunk[pos] === LF || chunk[pos] === CR) {
        if (this.#skippingBlock) this.#skippingBlock = false
        else this.#dispatch()
      } else {
        return pos
      }
      if (chunk[end] === CR) {
        if (end + 1 === length) {
          this.#skipLeadingLf = true
          return length
        }
        pos = chunk[end + 1] === LF ? end + 2 : end + 1
      } else {
        pos = end + 1
      }
    }
    return pos
  }

  #feedBytes(chunk: Uint8Array): void {
    const length = chunk.length
    if (length === 0) return
    let start = 0
    if (this.#pendingLength > 0) {
      // Completes the sequence left at the end of the last chunk with its continuation bytes.
      const lead = this.#pending[0]!
      const need = utf8SequenceLength(lead) - this.#pendingLength
      while (start < need && start < length && (chunk[start]! & 0xc0) === 0x80) {
        this.#pending[this.#pendingLength++] = chunk[start++]!
      }
      if (start < need && start === length) return
      const head = this.#decodeFast(this.#pending.subarray(0, this.#pendingLength))
      this.#pendingLength = 0
      this.#feedText(head)
    }
    if (this.#skipLeadingLf && start < length && !this.#streamMayHold) {
      this.#skipLeadingLf = false
      if (chunk[start] === LF) start++
    }
    if (
      this.#onComment === undefined &&
      !this.#atStreamStart &&
      this.#partsLength === 0 &&
      !this.#discarding &&
      !this.#streamMayHold
    ) {
      start = this.#skipUndecoded(chunk, start)
    }
    if (start === length) return
    const body = start === 0 ? chunk : chunk.subarray(start)
    if (this.#streaming) {
      const text = this.#decodeStreaming(body)
      if (text !== '') this.#feedText(text)
      this.#streamMayHold = chunk[length - 1]! >= 0x80
      // ASCII again, and nothing held: back to the fast decoder.
      if (!this.#streamMayHold && text.length === body.length) {
        this.#streaming = false
        asciiLately = true
      }
      return
    }
    // An incomplete sequence at the end: a lead byte followed by fewer continuation bytes than
    // it announces. Invalid sequences held back this way decode the same once completed.
    let end = length
    for (let i = length - 1; i >= start && i >= length - 3; i--) {
      const byte = chunk[i]!
      if ((byte & 0xc0) === 0x80) continue
      const size = utf8SequenceLength(byte)
      if (size > length - i) end = i
      break
    }
    if (start < end) {
      const bytes = end === length ? body : chunk.subarray(start, end)
      const text = this.#decodeFast(bytes)
      this.#feedText(text)
      if (text.length !== bytes.length) {
        // Not ASCII: the streaming decoder takes over, starting with the pending bytes.
        this.#streaming = true
        asciiLately = false
        this.#streamMayHold = end < length
        if (this.#streamMayHold) {
          const rest = this.#decodeStreaming(chunk.subarray(end))
          if (rest !== '') this.#feedText(rest)
        }
        return
      }
    }
    while (end < length) this.#pending[this.#pendingLength++] = chunk[end++]!
  }

  #startOver(): void {
    this.#pendingLength = 0
    this.#streamDecoder = undefined
    this.#streamMayHold = false
    this.#atStreamStart = true
    this.#parts = []
    this.#partsLength = 0
    this.#skipLeadingLf = false
    this.#discarding = false
    this.#skippingBlock = false
    this.#dropBlock()
  }

  constructor(options: SseParserOptions, maxBufferSize: number) {
    this.#onEvent = options.onEvent
    this.#onRetry = options.onRetry
    this.#onComment = options.onComment
    this.#onError = options.onError
    this.#maxBufferSize = maxBufferSize
    this.#lastEventId = options.initialLastEventId ?? ''
    this.#idBuffer = this.#lastEventId
  }

  feed(chunk: Uint8Array | string): void {
    if (typeof chunk === 'string') this.#feedText(chunk)
    else this.#feedBytes(chunk)
    this.#flushCallbackError()
  }

  end(): void {
    this.#startOver()
  }

  reset(): void {
    this.#startOver()
  }

  get lastEventId(): string {
    return this.#lastEventId
  }
}

/**
 * Creates an incremental Server-Sent Events decoder that follows the WHATWG HTML event-stream
 * interpretation exactly, whatever the chunking.
 *
 * - Bytes are decoded as streaming UTF-8 (invalid sequences become U+FFFD, a code point split
 *   across chunks decodes correctly); one BOM is stripped at the very start of the stream.
 * - Lines end at CRLF, LF or CR, also when a CR ends one chunk and its LF starts the next.
 * - `id` with U+0000 is ignored, an empty `id` resets, `retry` takes ASCII digits only, unknown
 *   fields are ignored (and reported as `unknown-field`), the last event ID persists.
 * - Linear time: each chunk is decoded once, a long line is joined once. Comment and blank lines
 *   are skipped in the bytes, undecoded, when there is no `onComment`.
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
  const maxBufferSize = options.maxBufferSize ?? DEFAULT_MAX_BUFFER_SIZE
  if (!(maxBufferSize > 0)) throw new RangeError('SSE maxBufferSize must be a positive number')
  return new EventStreamParser(options, maxBufferSize)
}
