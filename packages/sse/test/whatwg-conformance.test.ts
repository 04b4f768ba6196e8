// The web-platform-tests eventsource/format-* cases and the LaunchDarkly sse-contract-tests
// parsing, linefeed and BOM cases, rewritten as parser inputs (HTML standard section 9.2.6).
import { describe, expect, it } from 'vitest'
import { collect, eventsOf, message, splitAt, utf8 } from './collect.js'

describe('WPT eventsource format cases', () => {
  it('format-bom: a BOM at the start of a later line makes that field unknown', () => {
    expect(eventsOf('\uFEFFdata:1\n\n\uFEFFdata:2\n\ndata:3\n\n').map((e) => e.data)).toEqual([
      '1',
      '3',
    ])
  })

  it('format-bom-2: of two leading BOMs only one is stripped', () => {
    expect(eventsOf('\uFEFF\uFEFFdata:1\n\ndata:2\n\ndata:3\n\n').map((e) => e.data)).toEqual([
      '2',
      '3',
    ])
  })

  it('format-comments: comments mixed with CR, LF and CRLF leave one event', () => {
    const longComment = 'x'.repeat(2048)
    const text = `data:1\r:\0\n:\r\ndata:2\n:${longComment}\rdata:3\n:data:fail\r:${longComment}\ndata:4\n\n`
    expect(eventsOf(text)).toEqual([message('1\n2\n3\n4')])
  })

  it('format-data-before-final-empty-line: an incomplete last event is discarded', () => {
    const out = collect(['retry:1000\ndata:test1\n\nid:test\ndata:test2'])
    expect(out.events).toEqual([message('test1')])
    expect(out.lastEventId).toBe('')
  })

  it('format-field-data: empty, repeated bare and plain data fields', () => {
    expect(eventsOf('data:\n\ndata\ndata\n\ndata:test\n\n').map((e) => e.data)).toEqual([
      '',
      '\n',
      'test',
    ])
  })

  it('format-field-event and -event-empty: custom type, and empty type means message', () => {
    expect(eventsOf('event:test\ndata:x\n\nevent: \ndata:y\n\n')).toEqual([
      message('x', '', 'test'),
      message('y'),
    ])
  })

  it('format-field-id, -id-2 and -id-3: set, persist and reset the last event ID', () => {
    expect(eventsOf('id: …\ndata: a\n\ndata: b\n\nid: 2\ndata: c\n\nid:\ndata: d\n\n')).toEqual([
      message('a', '…'),
      message('b', '…'),
      message('c', '2'),
      message('d', ''),
    ])
  })

  it('format-field-id-null: ids containing U+0000 are ignored', () => {
    const text = ['\0\0', 'x\0', '\0x', 'x\0x', ' \0']
      .map((id) => `id: ${id}\ndata: a\n\n`)
      .join('')
    expect(eventsOf(text).map((e) => e.lastEventId)).toEqual(['', '', '', '', ''])
  })

  it('format-field-parsing: names are case-sensitive and NUL in a name makes it unknown', () => {
    const text =
      'data:\0\ndata:  2\rData:1\ndata\0:2\ndata:1\r\0data:4\nda-ta:3\rdata_5\ndata:3\rdata:\r\n data:32\ndata:4\n\n'
    expect(eventsOf(text)).toEqual([message('\0\n 2\n1\n3\n\n4')])
  })

  it('format-field-retry, -retry-bogus and -retry-empty: digits only, leading zero is decimal', () => {
    const out = collect(['retry:03000\ndata:x\n\nretry:1000x\ndata:y\n\nretry\ndata:z\n\n'])
    expect(out.retries).toEqual([3000])
    expect(out.events.map((e) => e.data)).toEqual(['x', 'y', 'z'])
  })

  it('format-field-unknown: unknown fields, a leading space in a name and bare lines are ignored', () => {
    const text =
      'data:test\n data\ndata\nfoobar:xxx\njustsometext\n:thisisacommentyay\ndata:test\n\n'
    expect(eventsOf(text)).toEqual([message('test\n\ntest')])
  })

  it('format-leading-space: a tab is kept, one space is removed, a lone CR ends a line', () => {
    expect(eventsOf('data:\ttest\rdata: \ndata:test\n\n')).toEqual([message('\ttest\n\ntest')])
  })

  it('format-newlines: CRLF, LF and a final CRLF split between chunks', () => {
    expect(collect(['data:test\r\ndata\ndata:test\r', '\n\r', '\n']).events).toEqual([
      message('test\n\ntest'),
    ])
  })

  it('format-null-character: data may carry U+0000', () => {
    expect(eventsOf('data:\0\n\n')).toEqual([message('\0')])
  })

  it('format-utf-8: bytes are always decoded as UTF-8', () => {
    expect(collect([utf8('data:ok\u00e9 \u2603\n\n')]).events).toEqual([message('ok\u00e9 \u2603')])
  })

  it('event-data: Data: and falsefield: blocks produce no event, bare data gives an empty string', () => {
    const text = 'Data:no\n\nfalsefield:no\n\ndata\n\n'
    expect(eventsOf(text)).toEqual([message('')])
  })
})

describe('LaunchDarkly sse-contract-tests parsing cases', () => {
  const stream = 'event: greeting\nid: abc\ndata: hello\n\n'
  const expected = [message('hello', 'abc', 'greeting')]

  it('one event split at every byte', () => {
    const bytes = utf8(stream)
    const cuts = Array.from({ length: bytes.length }, (_, i) => i)
    expect(collect(splitAt(bytes, cuts)).events).toEqual(expected)
  })

  it('multibyte characters sent one byte at a time', () => {
    const bytes = utf8('data: €漢字😀\n\n')
    const chunks = Array.from(bytes, (b) => new Uint8Array([b]))
    expect(collect(chunks).events).toEqual([message('€漢字😀')])
  })

  it('a BOM split 2+1 and 1+1+1 bytes is stripped', () => {
    const bytes = utf8(`\uFEFF${stream}`)
    expect(collect(splitAt(bytes, [2])).events).toEqual(expected)
    expect(collect(splitAt(bytes, [1, 2])).events).toEqual(expected)
  })

  it('a second BOM inside data is kept', () => {
    expect(collect([utf8('\uFEFFdata: a\uFEFFb\n\n')]).events).toEqual([message('a\uFEFFb')])
  })

  it('LF, CRLF and CR line ends in 1- and 2-byte chunks', () => {
    for (const eol of ['\n', '\r\n', '\r']) {
      const bytes = utf8(`data: a${eol}data: b${eol}${eol}`)
      for (const size of [1, 2]) {
        const cuts = Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => i * size)
        expect(collect(splitAt(bytes, cuts)).events).toEqual([message('a\nb')])
      }
    }
  })

  it('100 messages arrive in order', () => {
    const text = Array.from({ length: 100 }, (_, i) => `id: ${i}\ndata: m${i}\n\n`).join('')
    const events = eventsOf(text)
    expect(events.map((e) => e.data)).toEqual(Array.from({ length: 100 }, (_, i) => `m${i}`))
    expect(events[99]?.lastEventId).toBe('99')
  })

  it('a 5 MiB message in one chunk and in two', () => {
    const payload = 'z'.repeat(5 * 1024 * 1024)
    const bytes = utf8(`data: ${payload}\n\n`)
    for (const chunks of [[bytes], splitAt(bytes, [bytes.length >> 1])]) {
      const events = collect(chunks).events
      expect(events.length).toBe(1)
      expect(events[0]?.data.length).toBe(payload.length)
    }
  })
})
