import { describe, expect, it } from 'vitest'
import { encode, encodeComment } from './encode.js'

describe('encode()', () => {
  it('encode() writes the fields in order and ends with a blank line', () => {
    expect(encode({ comment: 'c', event: 'message', id: '7', retry: 1000, data: '{}' })).toBe(
      ': c\nevent: message\nid: 7\nretry: 1000\ndata: {}\n\n',
    )
  })

  it('encode() splits multi-line data on CR, LF and CRLF into data fields', () => {
    expect(encode({ data: 'a\nb\r\nc\rd' })).toBe('data: a\ndata: b\ndata: c\ndata: d\n\n')
  })

  it('encode() keeps empty data as an event with empty data', () => {
    expect(encode({ data: '' })).toBe('data: \n\n')
    expect(encode({ data: '\n' })).toBe('data: \ndata: \n\n')
  })

  it('encode() keeps a leading space of the value exactly', () => {
    expect(encode({ data: ' x' })).toBe('data:  x\n\n')
  })

  it('encode() writes an empty id, which resets the client last event ID', () => {
    expect(encode({ id: '' })).toBe('id: \n\n')
  })

  it('encode() without data writes no data field', () => {
    expect(encode({ id: '1', retry: 0 })).toBe('id: 1\nretry: 0\n\n')
    expect(encode({})).toBe('\n')
  })

  it('encode() rejects CR or LF in event and id with a TypeError', () => {
    expect(() => encode({ event: 'a\nb', data: 'x' })).toThrow(TypeError)
    expect(() => encode({ event: 'a\rb', data: 'x' })).toThrow(
      'SSE event type must not contain CR or LF',
    )
    expect(() => encode({ id: '1\r\n', data: 'x' })).toThrow(TypeError)
  })

  it('encode() rejects U+0000 in id with a TypeError', () => {
    expect(() => encode({ id: 'a\0b' })).toThrow('SSE id must not contain U+0000 NULL')
  })

  it('encode() rejects a retry that is not a non-negative safe integer with a RangeError', () => {
    for (const retry of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
      expect(() => encode({ retry })).toThrow(RangeError)
    }
  })
})

describe('encodeComment()', () => {
  it('encodeComment() writes a comment block', () => {
    expect(encodeComment('keep-alive')).toBe(': keep-alive\n\n')
    expect(encodeComment()).toBe(':\n\n')
  })

  it('encodeComment() turns newlines into several comment lines', () => {
    expect(encodeComment('a\r\nb\n\nc')).toBe(': a\n: b\n:\n: c\n\n')
  })
})
