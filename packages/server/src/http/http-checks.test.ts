import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { accepts } from './http-checks.js'

/** A request whose only header is `accept` (absent when `undefined`). */
function withAccept(accept: string | undefined) {
  return { headers: new Headers(accept === undefined ? {} : { accept }) }
}

/** The rule, written plainly: split on commas, drop parameters, compare ranges. */
function reference(header: string, type: string): boolean {
  const [major] = type.split('/')
  return header
    .split(',')
    .map((part) => part.split(';')[0]?.trim().toLowerCase())
    .some((range) => range === type || range === '*/*' || range === `${major}/*`)
}

describe('accepts', () => {
  it.each([
    ['application/json, text/event-stream', 'text/event-stream', true],
    ['application/json, text/event-stream', 'application/json', true],
    ['application/json', 'text/event-stream', false],
    ['TEXT/Event-Stream;q=0.9', 'text/event-stream', true],
    ['text/*', 'text/event-stream', true],
    ['text/*;q=1, application/xml', 'application/json', false],
    ['*/*', 'application/json', true],
    ['application/jsonx, text/event-streams', 'application/json', false],
    ['textual/*', 'text/event-stream', false],
    ['text/x', 'text/event-stream', false],
    ['  application/json  ;  charset=utf-8 ,', 'application/json', true],
    [',,', 'application/json', false],
    ['', 'application/json', false],
  ])('Accept %j lists %s: %s', (header, type, expected) => {
    expect(accepts(withAccept(header), type)).toBe(expected)
  })

  it('refuses a request without Accept', () => {
    expect(accepts(withAccept(undefined), 'application/json')).toBe(false)
  })

  it('agrees with the plain split-and-compare rule on any header', () => {
    const token = fc.constantFrom(
      'application/json',
      'text/event-stream',
      'Application/JSON',
      'text/*',
      '*/*',
      'application/*',
      'text/event-streamx',
      'text/x',
      'text',
      '/x',
      'application',
      '',
      ' ',
      ';q=0.5',
      ';',
      ',',
      '/*',
    )
    const header = fc.oneof(
      fc.array(token, { maxLength: 8 }).map((parts) => parts.join('')),
      fc.string({ maxLength: 40 }),
    )
    const type = fc.constantFrom('application/json', 'text/event-stream', 'application')
    fc.assert(
      fc.property(header, type, (value, wanted) => {
        const reader = { headers: { get: () => value, has: () => true, forEach: () => {} } }
        expect(accepts(reader, wanted)).toBe(reference(value, wanted))
      }),
      { numRuns: 2000 },
    )
  })
})
