import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { encode } from '../src/encode.js'
import type { SseMessage } from '../src/types.js'
import { collect, splitAt, utf8 } from './collect.js'

const RUNS = { numRuns: 200 }

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
    )
    fc.assert(
      fc.property(
        streamBytes,
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.boolean(),
        (bytes, cuts, stringsToo) => {
          const whole = collect([bytes])
          // Every single cut point (so every CR|LF, BOM and UTF-8 split), then random multi-cuts.
          for (let cut = 1; cut < bytes.length; cut++) {
            expect(collect(splitAt(bytes, [cut]))).toEqual(whole)
          }
          const chunks = splitAt(
            bytes,
            cuts.map((c) => c % (bytes.length + 1)),
          )
          expect(collect(chunks)).toEqual(whole)
          if (stringsToo) {
            // Already decoded text, split anywhere except inside a surrogate pair.
            const text = new TextDecoder().decode(bytes)
            const pieces = Array.from(text)
            const textCuts = cuts.map((c) => c % (pieces.length + 1)).sort((a, b) => a - b)
            const textChunks: string[] = []
            let start = 0
            for (const cut of textCuts) {
              textChunks.push(pieces.slice(start, cut).join(''))
              start = Math.max(start, cut)
            }
            textChunks.push(pieces.slice(start).join(''))
            expect(collect(textChunks).events).toEqual(whole.events)
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
