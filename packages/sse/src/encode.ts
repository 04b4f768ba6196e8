import type { SseMessage } from './types.js'

const NEWLINE = /\r\n|\r|\n/

// indexOf is vectorised in V8; a regular expression walks the string one character at a time.
function hasLineBreak(value: string): boolean {
  return value.indexOf('\n') !== -1 || value.indexOf('\r') !== -1
}

function assertSingleLine(value: string, name: string): void {
  if (hasLineBreak(value)) throw new TypeError(`SSE ${name} must not contain CR or LF`)
}

function fieldLines(name: string, value: string): string {
  if (!hasLineBreak(value)) return `${name}: ${value}\n`
  let out = ''
  for (const line of value.split(NEWLINE)) out += `${name}: ${line}\n`
  return out
}

function commentLines(text: string): string {
  if (text === '') return ':\n'
  if (!hasLineBreak(text)) return `: ${text}\n`
  let out = ''
  for (const line of text.split(NEWLINE)) out += line === '' ? ':\n' : `: ${line}\n`
  return out
}

/**
 * Encodes one message as a complete Server-Sent Events block that ends in a blank line.
 *
 * Strict where peers are lax: an `event` or `id` containing CR or LF, or an `id` containing
 * U+0000 (which decoders silently ignore), throws a `TypeError`; a `retry` that is not a
 * non-negative safe integer throws a `RangeError`. Nothing is produced when it throws.
 * `data` with CR, LF or CRLF becomes several `data:` lines that decode back to the same text with
 * LF line ends; `data: ''` still produces an event whose data is `''`. A message without `data`
 * produces no dispatchable event: use it for `id`, `retry` or comments alone.
 *
 * @param message The fields to write, in the order comment, event, id, retry, data.
 * @returns The SSE text, for example `event: message\ndata: {}\n\n`.
 * @example
 * ```ts
 * encode({ event: 'message', id: '7', data: '{"jsonrpc":"2.0"}' })
 * // 'event: message\nid: 7\ndata: {"jsonrpc":"2.0"}\n\n'
 * ```
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#parsing-an-event-stream
 */
export function encode(message: SseMessage): string {
  const { data, event, id, retry, comment } = message
  let out = comment === undefined ? '' : commentLines(comment)
  if (event !== undefined) {
    assertSingleLine(event, 'event type')
    out += `event: ${event}\n`
  }
  if (id !== undefined) {
    assertSingleLine(id, 'id')
    if (id.includes('\0')) throw new TypeError('SSE id must not contain U+0000 NULL')
    out += `id: ${id}\n`
  }
  if (retry !== undefined) {
    if (!Number.isSafeInteger(retry) || retry < 0) {
      throw new RangeError(`SSE retry must be a non-negative safe integer, got ${retry}`)
    }
    out += `retry: ${retry}\n`
  }
  if (data !== undefined) out += fieldLines('data', data)
  return `${out}\n`
}

/**
 * Encodes a comment block, for example a keep-alive that proxies see as traffic and clients ignore.
 *
 * @param text Comment text (default `''`, which writes `:`); newlines make several comment lines.
 * @returns The SSE text, ending in a blank line.
 * @example
 * ```ts
 * encodeComment('keep-alive') // ': keep-alive\n\n'
 * encodeComment() // ':\n\n'
 * ```
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#parsing-an-event-stream
 */
export function encodeComment(text = ''): string {
  return `${commentLines(text)}\n`
}
