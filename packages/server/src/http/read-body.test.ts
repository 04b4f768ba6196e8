import { describe, expect, it } from 'vitest'
import { readBody } from './read-body.js'

const req = (body: BodyInit, headers: Record<string, string> = {}) =>
  new Request('http://localhost/', { method: 'POST', body, headers })

describe('readBody()', () => {
  it('reads UTF-8 text up to the cap', async () => {
    expect(await readBody(req('héllo'), 6)).toEqual({ ok: true, text: 'héllo' })
  })

  it('refuses a body over the cap, by Content-Length or by counting', async () => {
    expect(await readBody(req('x'.repeat(11)), 10)).toEqual({ ok: false, reason: 'too-large' })
    expect(await readBody(req('x', { 'content-length': '999' }), 10)).toEqual({
      ok: false,
      reason: 'too-large',
    })
  })

  it('refuses invalid UTF-8', async () => {
    expect(await readBody(req(new Uint8Array([0xff, 0xfe])), 10)).toEqual({
      ok: false,
      reason: 'invalid-utf8',
    })
  })
})
