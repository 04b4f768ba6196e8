import { createSseParser, type SseParseError, type SseParserOptions } from '../src/index.js'
import type { SseEvent } from '../src/types.js'

export interface Collected {
  events: SseEvent[]
  retries: number[]
  comments: string[]
  errors: SseParseError[]
  lastEventId: string
}

/** Feeds the chunks to a fresh parser, ends the stream, and returns everything it reported. */
export function collect(
  chunks: readonly (Uint8Array | string)[],
  options: Omit<SseParserOptions, 'onEvent'> = {},
): Collected {
  const out: Collected = { events: [], retries: [], comments: [], errors: [], lastEventId: '' }
  const parser = createSseParser({
    ...options,
    onEvent: (event) => out.events.push(event),
    onRetry: (ms) => out.retries.push(ms),
    onComment: (text) => out.comments.push(text),
    onError: (error) => out.errors.push(error),
  })
  for (const chunk of chunks) parser.feed(chunk)
  parser.end()
  out.lastEventId = parser.lastEventId
  return out
}

/** The events of one text fed as a single chunk. */
export function eventsOf(
  text: string,
  options: Omit<SseParserOptions, 'onEvent'> = {},
): SseEvent[] {
  return collect([text], options).events
}

/** Splits bytes at the given cut points. */
export function splitAt(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const sorted = [...new Set(cuts.map((c) => Math.max(0, Math.min(bytes.length, c))))].sort(
    (a, b) => a - b,
  )
  const chunks: Uint8Array[] = []
  let start = 0
  for (const cut of sorted) {
    chunks.push(bytes.subarray(start, cut))
    start = cut
  }
  chunks.push(bytes.subarray(start))
  return chunks
}

export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text)

export const message = (data: string, lastEventId = '', type = 'message'): SseEvent => ({
  type,
  data,
  lastEventId,
})
