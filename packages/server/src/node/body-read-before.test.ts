import { once } from 'node:events'
import { IncomingMessage } from 'node:http'
import { Socket } from 'node:net'
import { describe, expect, it } from 'vitest'
import { bodyReadBefore } from './body-read-before.js'
import { readNodeBody } from './read-node-body.js'

/** A request whose body `{"a":1}` a middleware already read, keeping `kept` on `req.body`. */
async function readByMiddleware(
  kept: unknown,
  headers: Record<string, string> = { 'content-length': '7' },
): Promise<IncomingMessage> {
  const req = new IncomingMessage(new Socket())
  req.headers = headers
  req.push('{"a":1}')
  req.push(null)
  req.resume()
  await once(req, 'end')
  if (kept !== undefined) Object.assign(req, { body: kept })
  return req
}

describe('bodyReadBefore()', () => {
  it('leaves an untouched request to the usual reader', () => {
    const req = new IncomingMessage(new Socket())
    req.push('{}')
    expect(bodyReadBefore(req)).toBeUndefined()
  })

  it('takes text and bytes as kept, and serialises a parsed JSON value', async () => {
    expect(bodyReadBefore(await readByMiddleware('{"a":1}'))).toEqual({
      kind: 'text',
      text: '{"a":1}',
    })
    const bytes = new TextEncoder().encode('{"a":1}')
    expect(bodyReadBefore(await readByMiddleware(bytes))).toEqual({ kind: 'bytes', bytes })
    expect(bodyReadBefore(await readByMiddleware({ a: 1, b: [null] }))).toEqual({
      kind: 'text',
      text: '{"a":1,"b":[null]}',
    })
  })

  it('says lost when the body was read and nothing kept, empty when there was none', async () => {
    expect(bodyReadBefore(await readByMiddleware(undefined))).toEqual({ kind: 'lost' })
    expect(bodyReadBefore(await readByMiddleware(undefined, {}))).toEqual({
      kind: 'text',
      text: '',
    })
  })

  it('says unserialisable for a cycle or a BigInt, without throwing', async () => {
    const cycle: Record<string, unknown> = {}
    cycle.self = cycle
    for (const kept of [cycle, { n: 1n }]) {
      expect(bodyReadBefore(await readByMiddleware(kept))).toEqual({ kind: 'unserialisable' })
    }
  })

  // Bun's JSON.stringify takes over 10 s on 100,000 levels; the bridge is for node:http anyway.
  it.skipIf('Bun' in globalThis)('never throws on nesting deeper than the stack', async () => {
    let deep: unknown = 0
    for (let i = 0; i < 100_000; i++) deep = [deep]
    const req = await readByMiddleware(deep)
    expect(['text', 'unserialisable']).toContain(bodyReadBefore(req)?.kind)
  })
})

describe('readNodeBody() after a body parser', () => {
  it('applies the size limit to what was kept', async () => {
    const req = await readByMiddleware({ text: 'x'.repeat(100) })
    expect(await readNodeBody(req, 50, () => {})).toEqual({ ok: false, reason: 'too-large' })
    expect(await readNodeBody(req, 500, () => {})).toMatchObject({ ok: true })
  })

  it('answers consumed at once when nothing was kept', async () => {
    const req = await readByMiddleware(undefined)
    expect(await readNodeBody(req, 1000, () => {})).toEqual({ ok: false, reason: 'consumed' })
  })
})
