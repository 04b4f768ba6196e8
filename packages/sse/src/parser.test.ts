import { describe, expect, it } from 'vitest'
import { collect, eventsOf, message, splitAt, utf8 } from '../test/collect.js'
import { createSseParser } from './parser.js'

describe('createSseParser()', () => {
  it('dispatches an event at a blank line with type message', () => {
    expect(eventsOf('data: hello\n\n')).toEqual([message('hello')])
  })

  it('joins data lines with LF and removes the final LF', () => {
    expect(eventsOf('data: a\ndata: b\n\n')).toEqual([message('a\nb')])
  })

  it('uses the event field as type and falls back to message for an empty one', () => {
    expect(eventsOf('event: ping\ndata: 1\n\nevent:\ndata: 2\n\n')).toEqual([
      message('1', '', 'ping'),
      message('2'),
    ])
  })

  it('fires no event for a block without data and resets the event type', () => {
    expect(eventsOf('event: x\n\ndata: y\n\n')).toEqual([message('y')])
  })

  it('commits the id of a block without data', () => {
    const out = collect(['id: 7\n\ndata: x\n\n'])
    expect(out.events).toEqual([message('x', '7')])
    expect(out.lastEventId).toBe('7')
  })

  it('keeps the last event ID across events and resets it with an empty id', () => {
    expect(eventsOf('id: 1\ndata: a\n\ndata: b\n\nid\ndata: c\n\n')).toEqual([
      message('a', '1'),
      message('b', '1'),
      message('c', ''),
    ])
  })

  it('ignores an id that contains U+0000', () => {
    expect(eventsOf('id: 1\ndata: a\n\nid: 2\0\ndata: b\n\n')).toEqual([
      message('a', '1'),
      message('b', '1'),
    ])
  })

  it('starts from initialLastEventId', () => {
    expect(eventsOf('data: a\n\n', { initialLastEventId: '41' })).toEqual([message('a', '41')])
  })

  it('reports retry values made of ASCII digits only', () => {
    const out = collect(['retry: 03000\nretry: 1000x\nretry:\nretry: -1\nretry: 12\n\n'])
    expect(out.retries).toEqual([3000, 12])
    expect(out.errors.map((e) => e.type)).toEqual([
      'invalid-retry',
      'invalid-retry',
      'invalid-retry',
    ])
  })

  it('passes comments without the colon and one leading space', () => {
    expect(collect([':\n: hi\n:  two\n\n']).comments).toEqual(['', 'hi', ' two'])
  })

  it('removes exactly one leading space from a value', () => {
    expect(eventsOf('data:  x\ndata:\ty\ndata:z\n\n')).toEqual([message(' x\n\ty\nz')])
  })

  it('treats a line without colon as a field with an empty value', () => {
    expect(eventsOf('data\ndata\n\n')).toEqual([message('\n')])
  })

  it('ignores unknown fields and reports them as unknown-field', () => {
    const out = collect(['Data: x\n data: y\nfoo: bar\ndata: z\n\n'])
    expect(out.events).toEqual([message('z')])
    expect(out.errors.map((e) => [e.type, e.field])).toEqual([
      ['unknown-field', 'Data'],
      ['unknown-field', ' data'],
      ['unknown-field', 'foo'],
    ])
  })

  it('ends lines at CRLF, LF and CR alike', () => {
    for (const eol of ['\n', '\r', '\r\n']) {
      expect(eventsOf(`data: a${eol}data: b${eol}${eol}data: c${eol}${eol}`)).toEqual([
        message('a\nb'),
        message('c'),
      ])
    }
  })

  it('counts a CR at a chunk end and the LF that starts the next chunk as one line end', () => {
    expect(collect(['data: a\r', '\n\r', '\n']).events).toEqual([message('a')])
    expect(collect(['data: a\r', '\r']).events).toEqual([message('a')])
  })

  it('discards an unterminated event at end() and never commits its id', () => {
    const parser = createSseParser({ onEvent: () => expect.fail('no event expected') })
    parser.feed('id: 1\ndata: x\n')
    parser.end()
    expect(parser.lastEventId).toBe('')
  })

  it('strips one BOM at the start of a byte stream, even split across chunks', () => {
    const bytes = utf8('\uFEFFdata: a\n\n')
    expect(collect(splitAt(bytes, [1, 2])).events).toEqual([message('a')])
    expect(collect([utf8('\uFEFF\uFEFFdata: a\n\ndata: b\n\n')]).events).toEqual([message('b')])
  })

  it('strips one BOM at the start of a text stream', () => {
    expect(eventsOf('\uFEFFdata: a\n\n')).toEqual([message('a')])
  })

  it('decodes a code point split across chunks and replaces invalid bytes with U+FFFD', () => {
    const bytes = utf8('data: 🌍é\n\n')
    expect(collect(splitAt(bytes, [7, 8, 9, 10, 12])).events).toEqual([message('🌍é')])
    expect(collect([new Uint8Array([100, 97, 116, 97, 58, 0xff, 10, 10])]).events).toEqual([
      message('\uFFFD'),
    ])
  })

  it('bounds one unterminated line with maxBufferSize and resumes at the next line end', () => {
    const out = collect(
      ['data: ', 'x'.repeat(50), 'y'.repeat(50), '\ndata: dropped\n\ndata: ok\n\n'],
      {
        maxBufferSize: 64,
      },
    )
    expect(out.errors.map((e) => e.type)).toEqual(['max-buffer-size-exceeded'])
    expect(out.events).toEqual([message('ok')])
  })

  it('applies maxBufferSize to a line the same in one chunk as split inside a UTF-8 sequence', () => {
    // A field line of ten UTF-16 code units over a bound of nine, then an event within it.
    const bytes = utf8('😀😀😀😀😀\n\ndata: ok\n\n')
    for (const chunks of [[bytes], splitAt(bytes, [2]), splitAt(bytes, [1, 2, 3])]) {
      for (const withComments of [true, false]) {
        const errors: string[] = []
        const events: string[] = []
        const parser = createSseParser({
          maxBufferSize: 9,
          onEvent: (event) => events.push(event.data),
          onError: (error) => errors.push(error.type),
          ...(withComments ? { onComment: () => {} } : {}),
        })
        for (const chunk of chunks) parser.feed(chunk)
        parser.end()
        expect(errors).toEqual(['max-buffer-size-exceeded'])
        expect(events).toEqual(['ok'])
      }
    }
  })

  it('bounds one event made of many lines with maxBufferSize and drops all of it', () => {
    const out = collect([`${'data: 0123456789\n'.repeat(10)}\ndata: ok\n\n`], { maxBufferSize: 64 })
    expect(out.errors.map((e) => e.type)).toEqual(['max-buffer-size-exceeded'])
    expect(out.events).toEqual([message('ok')])
  })

  it('counts the LF after each data line towards the size of an event', () => {
    // The data buffer of this event is "aaaaa\nbbbbb\n": 12 code units, each line 11.
    const text = 'data: aaaaa\ndata: bbbbb\n\ndata: ok\n\n'
    expect(collect([text], { maxBufferSize: 12 }).events).toEqual([
      message('aaaaa\nbbbbb'),
      message('ok'),
    ])
    const over = collect([text], { maxBufferSize: 11 })
    expect(over.errors.map((e) => e.type)).toEqual(['max-buffer-size-exceeded'])
    expect(over.events).toEqual([message('ok')])
  })

  it('decodes one long data line fed in 1-byte and 1460-byte chunks', () => {
    // 8 MiB in 1460-byte chunks, 1 MiB in 1-byte chunks (the benchmark times 8 MiB in both).
    for (const [mib, size] of [
      [8, 1460],
      [1, 1],
    ] as const) {
      const payload = 'abcdefgh'.repeat(mib * 128 * 1024)
      const bytes = utf8(`data: ${payload}\n\n`)
      const events: string[] = []
      const parser = createSseParser({ onEvent: (event) => events.push(event.data) })
      for (let i = 0; i < bytes.length; i += size) parser.feed(bytes.subarray(i, i + size))
      parser.end()
      expect(events.length).toBe(1)
      expect(events[0]!.length).toBe(payload.length)
      expect(events[0] === payload).toBe(true)
    }
  })

  it('interprets a line cut by one or two chunk ends as the same line whole', () => {
    // Data lines with and without a space, a name that only starts like data, and an event over
    // maxBufferSize whose later data line (cut or not) must be skipped with the rest of it.
    const text =
      'data: first line\ndata:second\ndata:  third\ndatax: unknown\ndata\n\n' +
      `data: ${'y'.repeat(30)}\n:note\ndata: tail line\n\nevent: e\ndata: last one\n\n`
    for (const maxBufferSize of [undefined, 24, 34, 40]) {
      const options = maxBufferSize === undefined ? {} : { maxBufferSize }
      const whole = collect([text], options)
      // Every cut, and every pair of cuts close enough to fall in one line.
      for (let a = 0; a <= text.length; a++) {
        for (let b = a; b <= Math.min(a + 12, text.length); b++) {
          const chunks = [text.slice(0, a), text.slice(a, b), text.slice(b)]
          expect(collect(chunks, options)).toEqual(whole)
        }
      }
    }
    expect(eventsOf(text).map((event) => event.data)).toEqual([
      'first line\nsecond\n third\n',
      `${'y'.repeat(30)}\ntail line`,
      'last one',
    ])
  })

  it('parses the rest of a chunk and then rethrows when a callback throws', () => {
    const seen: string[] = []
    const parser = createSseParser({
      onEvent(event) {
        seen.push(event.data)
        if (event.data === 'a') throw new Error('boom')
      },
    })
    expect(() => parser.feed('data: a\n\ndata: b\n\n')).toThrow('boom')
    parser.feed('data: c\n\n')
    expect(seen).toEqual(['a', 'b', 'c'])
  })

  it('reset() drops a partial event but keeps the committed last event ID', () => {
    const seen: string[] = []
    const parser = createSseParser({
      onEvent: (event) => seen.push(event.lastEventId + event.data),
    })
    parser.feed('id: 1\ndata: a\n\nid: 2\ndata: partial')
    parser.reset()
    parser.feed('data: b\n\n')
    expect(seen).toEqual(['1a', '1b'])
  })
  it('skips comment and blank lines in the bytes without onComment, after a BOM in three chunks', () => {
    const dataOf = (chunks: (string | number[])[], maxBufferSize?: number): string[] => {
      const events: string[] = []
      const parser = createSseParser({
        onEvent: (event) => events.push(event.data),
        ...(maxBufferSize === undefined ? {} : { maxBufferSize }),
      })
      for (const chunk of chunks)
        parser.feed(typeof chunk === 'string' ? utf8(chunk) : new Uint8Array(chunk))
      parser.end()
      return events
    }
    expect(
      dataOf([[0xef], [0xbb], [0xbf], ': ping\n\n', ':\r', '\n\r\n', 'data: a\n', '\n']),
    ).toEqual(['a'])
    // A comment line ended by CRLF, or by a CR whose LF starts the next chunk, is one line end.
    expect(dataOf(['data: a\n', ':x\r\n', 'data: b\n\n'])).toEqual(['a\nb'])
    expect(dataOf(['data: a\n', ':x\r', '\ndata: b\n\n'])).toEqual(['a\nb'])
    expect(dataOf(['data: a\n', '\r', '\ndata: b\n\n'])).toEqual(['a', 'b'])
    // The blank line that ends an oversized event is found in the bytes too.
    expect(dataOf(['data: 0123456789\ndata: 0123456789\n', '\n: x\n', 'data: ok\n\n'], 16)).toEqual(
      ['ok'],
    )
  })

  it('replaces invalid UTF-8 in field values exactly as a TextDecoder does, at any split', () => {
    const bytes = new Uint8Array([
      ...utf8('id: '),
      0xff,
      0xfe,
      10,
      ...utf8('event: '),
      0xc3,
      10,
      ...utf8('data: '),
      0xe6,
      0x95,
      10,
      ...utf8('data: '),
      0xc0,
      0x80,
      0xed,
      0xa0,
      0x80,
      0xf4,
      0x90,
      0x80,
      0x80,
      0x41,
      10,
      ...utf8('data: é'),
      0x80,
      10,
      10,
    ]) // prettier-ignore
    const expected = message(
      '\uFFFD\n\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFDA\né\uFFFD',
      '\uFFFD\uFFFD',
      '\uFFFD',
    )
    expect(collect([bytes]).events).toEqual([expected])
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(collect(splitAt(bytes, [cut, cut + 1, cut + 3])).events).toEqual([expected])
    }
  })

  it('decodes chunks that switch between ASCII and non-ASCII text', () => {
    const text = `data: ${'a'.repeat(100)}\ndata: 数据 Zürich\n\ndata: ${'b'.repeat(50)}é\n\n`
    const bytes = utf8(text.repeat(3))
    const expected = [message(`${'a'.repeat(100)}\n数据 Zürich`), message(`${'b'.repeat(50)}é`)]
    for (const size of [1, 2, 3, 5, 16, 64, 1000]) {
      const chunks: Uint8Array[] = []
      for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size))
      expect(collect(chunks).events).toEqual([...expected, ...expected, ...expected])
    }
  })

  it('bounds a long line fed in many small byte chunks, then parses on', () => {
    const bytes = utf8(`data: ${'é'.repeat(3000)}\n\ndata: ${'ü'.repeat(900)}\n\n`)
    const chunks: Uint8Array[] = []
    for (let i = 0; i < bytes.length; i += 7) chunks.push(bytes.subarray(i, i + 7))
    const out = collect(chunks, { maxBufferSize: 1000 })
    expect(out.errors.map((e) => e.type)).toEqual(['max-buffer-size-exceeded'])
    expect(out.events).toEqual([message('ü'.repeat(900))])
  })

  it('leaves and re-enters the LF-only loop at every CR, whatever the chunking', () => {
    // Lines before the first CR, between CRs and after the last one: the LF-only loop takes over
    // only once no CR is left in the chunk, and a carried line always goes the general way.
    const text = 'id: 1\ndata: a\ndata: b\rdata: c\r\n\ndata: d\n\nevent: e\ndata: f\n\r'
    const expected = [message('a\nb\nc', '1'), message('d', '1'), message('f', '1', 'e')]
    const bytes = utf8(text)
    for (let cut = 0; cut <= bytes.length; cut++) {
      expect(collect(splitAt(bytes, [cut])).events).toEqual(expected)
      expect(collect([text.slice(0, cut), text.slice(cut)]).events).toEqual(expected)
    }
  })

  it('carries the unterminated rest of a chunk without CR into the next chunk', () => {
    expect(collect(['data: a\ndata: b', 'c\n\n']).events).toEqual([message('a\nbc')])
    expect(collect(['data: ', 'abc', '\n', '\n']).events).toEqual([message('abc')])
    expect(collect(['\n\ndata: x\n', '\ndata: y\n\n']).events).toEqual([message('x'), message('y')])
  })

  it('bounds a line in a chunk without CR exactly as in one-character chunks', () => {
    // "data: abcd" is ten code units: within a bound of ten, over a bound of nine.
    const text = 'data: abcd\n\ndata: ok\n\n'
    const oneByOne = [...text]
    for (const [maxBufferSize, events, errors] of [
      [10, [message('abcd'), message('ok')], []],
      [9, [message('ok')], ['max-buffer-size-exceeded']],
    ] as const) {
      for (const chunks of [[text], oneByOne, [utf8(text)]]) {
        const out = collect(chunks, { maxBufferSize })
        expect(out.events).toEqual(events)
        expect(out.errors.map((e) => e.type)).toEqual(errors)
      }
    }
  })

  it('rethrows a callback error raised at a blank line skipped in the bytes', () => {
    const seen: string[] = []
    const parser = createSseParser({
      onEvent(event) {
        seen.push(event.data)
        if (event.data === 'a') throw new Error('boom')
      },
    })
    parser.feed(utf8('data: a\n'))
    expect(() => parser.feed(utf8('\n: skipped\n\ndata: b\n\n'))).toThrow('boom')
    parser.feed(utf8('data: c\n\n'))
    expect(seen).toEqual(['a', 'b', 'c'])
  })
})
