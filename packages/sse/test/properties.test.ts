import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { encode } from '../src/encode.js'
import { createSseParser } from '../src/parser.js'
import type { SseMessage } from '../src/types.js'
import { type Collected, collect, splitAt, utf8 } from './collect.js'

const RUNS = { numRuns: Number(process.env.PROP_RUNS ?? 200) }

// Any Unicode text, with astral characters and every newline form mixed in.
const anyText = fc.oneof(
  fc.string({ unit: 'grapheme' }),
  fc.string({
    unit: fc.constantFrom('a', ' ', ':', '\r', '\n', '\r\n', '😀', 'é', '\0', '\uFEFF'),
  }),
)
const singleLine = anyText.map((s) => s.replace(/[\r\n]/g, ''))
const validId = singleLine.map((s) => s.replace(/\0/g, ''))
const validType = singleLine

const message: fc.Arbitrary<SseMessage> = fc.record(
  {
    data: anyText,
    event: validType,
    id: validId,
    retry: fc.nat(),
    comment: anyText,
  },
  { requiredKeys: ['data'] },
)

/** What an EventSource sees for encode(m): newline forms normalised to LF. */
const normalise = (text: string): string => text.replace(/\r\n|\r/g, '\n')

// Bytes around the UTF-8 edge cases (lead bytes of every length, continuation bytes, bytes that are
// never valid, a BOM) mixed with line ends, colons and field names.
const utf8EdgeBytes = fc
  .array(
    fc.oneof(
      fc.constantFrom(0x80, 0x9f, 0xa0, 0xbf, 0xc0, 0xc2, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff),
      fc.constantFrom(0xbb, 0x0a, 0x0d, 0x3a, 0x20, 0x00, 0x61),
      fc.constantFrom(...['data: ', 'id: ', 'event: ', ':', 'é', '😀', '\n\n'].map(utf8)),
    ),
    { maxLength: 60 },
  )
  .map((parts) => Uint8Array.from(parts.flatMap((p) => (typeof p === 'number' ? [p] : [...p]))))

/** Like collect(), but without onComment, so comment and blank lines take the undecoded path. */
function collectWithoutComments(
  chunks: readonly Uint8Array[],
  maxBufferSize?: number,
): Omit<Collected, 'comments'> {
  const out: Collected = { events: [], retries: [], comments: [], errors: [], lastEventId: '' }
  const parser = createSseParser({
    ...(maxBufferSize === undefined ? {} : { maxBufferSize }),
    onEvent: (event) => out.events.push(event),
    onRetry: (ms) => out.retries.push(ms),
    onError: (error) => out.errors.push(error),
  })
  for (const chunk of chunks) parser.feed(chunk)
  parser.end()
  const { comments: _, ...rest } = { ...out, lastEventId: parser.lastEventId }
  return rest
}

describe('properties', () => {
  it('decode(encode(m)) gives back m for arbitrary messages', () => {
    fc.assert(
      fc.property(fc.array(message, { maxLength: 5 }), (messages) => {
        const out = collect([messages.map(encode).join('')])
        expect(out.events.length).toBe(messages.length)
        let lastEventId = ''
        messages.forEach((m, i) => {
          if (m.id !== undefined) lastEventId = m.id
          expect(out.events[i]).toEqual({
            type: m.event === undefined || m.event === '' ? 'message' : m.event,
            data: normalise(m.data ?? ''),
            lastEventId,
          })
        })
        expect(out.retries).toEqual(
          messages.flatMap((m) => (m.retry === undefined ? [] : [m.retry])),
        )
        expect(out.errors).toEqual([])
      }),
      RUNS,
    )
  })

  it('the events are identical for every way of splitting the bytes into chunks', () => {
    const streamBytes = fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      fc
        .array(
          fc.oneof(
            message.map(encode),
            fc.constantFrom('\uFEFF', '\r', '\n', '\r\n', 'data', ':', 'id: 1', '\xff'),
          ),
          { maxLength: 8 },
        )
        .map((parts) => utf8(parts.join(''))),
      fc.constant(utf8('\uFEFFdata: é😀\r\n\r\ndata: x\r\r')),
      fc.constant(utf8('\uFEFF\uFEFFdata: x\n\n\uFEFFdata: y\n\n')),
    )
    fc.assert(
      fc.property(
        streamBytes,
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.boolean(),
        fc.option(fc.integer({ min: 1, max: 40 }), { nil: undefined }),
        (bytes, cuts, stringsToo, maxBufferSize) => {
          const options = maxBufferSize === undefined ? {} : { maxBufferSize }
          const whole = collect([bytes], options)
          // Every single cut point (so every CR|LF, BOM and UTF-8 split), then random multi-cuts.
          for (let cut = 1; cut < bytes.length; cut++) {
            expect(collect(splitAt(bytes, [cut]), options)).toEqual(whole)
          }
          const chunks = splitAt(
            bytes,
            cuts.map((c) => c % (bytes.length + 1)),
          )
          expect(collect(chunks, options)).toEqual(whole)
          if (stringsToo) {
            // Already decoded text, split anywhere except inside a surrogate pair. The decoder
            // keeps a leading BOM, as the parser strips exactly one either way.
            const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes)
            const pieces = Array.from(text)
            const textCuts = cuts.map((c) => c % (pieces.length + 1)).sort((a, b) => a - b)
            const textChunks: string[] = []
            let start = 0
            for (const cut of textCuts) {
              textChunks.push(pieces.slice(start, cut).join(''))
              start = Math.max(start, cut)
            }
            textChunks.push(pieces.slice(start).join(''))
            expect(collect(textChunks, options).events).toEqual(whole.events)
          }
        },
      ),
      RUNS,
    )
  })

  it('bytes in any chunks decode exactly as the whole stream through a TextDecoder', () => {
    fc.assert(
      fc.property(utf8EdgeBytes, fc.array(fc.nat(), { maxLength: 12 }), (bytes, cuts) => {
        const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes)
        const reference = collect([text])
        const chunks = splitAt(
          bytes,
          cuts.map((c) => c % (bytes.length + 1)),
        )
        expect(collect(chunks)).toEqual(reference)
        for (let cut = 1; cut < bytes.length; cut++) {
          expect(collect(splitAt(bytes, [cut])).events).toEqual(reference.events)
        }
      }),
      RUNS,
    )
  })

  it('without onComment, comment and blank lines skipped in the bytes give the same results', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          utf8EdgeBytes,
          fc
            .array(
              fc.oneof(
                message.map(encode),
                fc.constantFrom(': ping\n', ':\r', '\r\n', '\n', '\r', ':x\r\n', 'data: y'),
              ),
              { maxLength: 8 },
            )
            .map((parts) => utf8(parts.join(''))),
        ),
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.option(fc.integer({ min: 1, max: 40 }), { nil: undefined }),
        (bytes, cuts, maxBufferSize) => {
          const options = maxBufferSize === undefined ? {} : { maxBufferSize }
          const chunks = splitAt(
            bytes,
            cuts.map((c) => c % (bytes.length + 1)),
          )
          const { comments: _, ...expected } = collect(chunks, options)
          expect(collectWithoutComments(chunks, maxBufferSize)).toEqual(expected)
          // Fixed small sizes put whole comment and blank lines, and their CRs, at chunk edges.
          for (let size = 1; size <= 8; size++) {
            const even: Uint8Array[] = []
            for (let i = 0; i < bytes.length; i += size) even.push(bytes.subarray(i, i + size))
            const { comments: __, ...evenExpected } = collect(even, options)
            expect(collectWithoutComments(even, maxBufferSize)).toEqual(evenExpected)
          }
          if (maxBufferSize === undefined) {
            for (let cut = 1; cut < bytes.length; cut++) {
              expect(collectWithoutComments(splitAt(bytes, [cut]))).toEqual(expected)
            }
          }
        },
      ),
      RUNS,
    )
  })

  it('CR, LF and CRLF line ends give the same events', () => {
    const line = fc.string({ unit: fc.constantFrom('d', 'a', 't', ':', ' ', 'x', 'i') })
    fc.assert(
      fc.property(
        fc.array(fc.oneof(line, fc.constant('data: v'), fc.constant('')), { maxLength: 10 }),
        (lines) => {
          const [lf, cr, crlf] = ['\n', '\r', '\r\n'].map((eol) => collect([lines.join(eol) + eol]))
          expect(cr).toEqual(lf)
          expect(crlf).toEqual(lf)
        },
      ),
      RUNS,
    )
  })

  it('the decoder never throws on arbitrary bytes or text', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.string({ maxLength: 64 })), {
          maxLength: 8,
        }),
        fc.integer({ min: 1, max: 64 }),
        (chunks, maxBufferSize) => {
          expect(() => collect(chunks, { maxBufferSize })).not.toThrow()
        },
      ),
      RUNS,
    )
  })

  it('the encoder either throws the documented error or produces text that decodes to the input', () => {
    const loose = fc.record({
      data: fc.option(anyText, { nil: undefined }),
      event: fc.option(anyText, { nil: undefined }),
      id: fc.option(anyText, { nil: undefined }),
      retry: fc.option(fc.oneof(fc.integer(), fc.double()), { nil: undefined }),
    })
    fc.assert(
      fc.property(loose, (raw) => {
        const m: SseMessage = Object.fromEntries(
          Object.entries(raw).filter(([, v]) => v !== undefined),
        )
        let text: string
        try {
          text = encode(m)
        } catch (error) {
          const badLine = /[\r\n]/.test(m.event ?? '') || /[\r\n\0]/.test(m.id ?? '')
          const badRetry = m.retry !== undefined && !(Number.isSafeInteger(m.retry) && m.retry >= 0)
          expect(badLine || badRetry).toBe(true)
          expect(error instanceof TypeError || error instanceof RangeError).toBe(true)
          return
        }
        const out = collect([text])
        expect(out.lastEventId).toBe(m.id ?? '')
        if (m.data === undefined) expect(out.events).toEqual([])
        else expect(out.events.map((e) => e.data)).toEqual([normalise(m.data)])
      }),
      RUNS,
    )
  })
})
