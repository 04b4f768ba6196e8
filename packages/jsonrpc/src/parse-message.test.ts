import { describe, expect, it } from 'vitest'
import { parseMessage } from './parse-message.js'

const code = (input: string | Uint8Array, options = {}) => {
  const r = parseMessage(input, options)
  return r.ok ? 'ok' : r.error.error.code
}

describe('parseMessage()', () => {
  it('classifies a request, a notification and both responses', () => {
    for (const text of [
      '{"jsonrpc":"2.0","id":1,"method":"ping"}',
      '{"jsonrpc":"2.0","method":"notifications/initialized"}',
      '{"jsonrpc":"2.0","id":"a","result":{}}',
      '{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}}',
    ]) {
      const r = parseMessage(text)
      expect(r.ok && !r.batch && r.message).toEqual(JSON.parse(text))
    }
  })

  it('answers invalid JSON and invalid UTF-8 with -32700 and id null', () => {
    expect(parseMessage('{').ok).toBe(false)
    expect(code('{')).toBe(-32700)
    expect(code(new Uint8Array([0x7b, 0xff, 0x7d]))).toBe(-32700)
    const r = parseMessage('nope')
    expect(!r.ok && r.error).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32700, message: 'Parse error' },
    })
  })

  it('validates each rule exactly with -32600', () => {
    for (const bad of [
      '1',
      'null',
      '"x"',
      '{}',
      '{"jsonrpc":"1.0","id":1,"method":"a"}',
      '{"jsonrpc":2,"id":1,"method":"a"}',
      '{"jsonrpc":"2.0","id":1,"method":1}',
      '{"jsonrpc":"2.0","id":1,"method":"a","params":"x"}',
      '{"jsonrpc":"2.0","id":1,"method":"a","params":null}',
      '{"jsonrpc":"2.0","id":{},"method":"a"}',
      '{"jsonrpc":"2.0","id":true,"method":"a"}',
      '{"jsonrpc":"2.0","id":1}',
      '{"jsonrpc":"2.0","id":1,"result":1,"error":{"code":1,"message":"m"}}',
      '{"jsonrpc":"2.0","result":1}',
      '{"jsonrpc":"2.0","id":1,"error":{"code":1.5,"message":"m"}}',
      '{"jsonrpc":"2.0","id":1,"error":{"code":1}}',
      '{"jsonrpc":"2.0","id":1,"error":"x"}',
    ]) {
      expect([bad, code(bad)]).toEqual([bad, -32600])
    }
  })

  it('echoes a well-formed id in the error for an invalid request, else null', () => {
    const r = parseMessage('{"jsonrpc":"2.0","method":1,"id":5}')
    expect(!r.ok && r.error.id).toBe(5)
    const s = parseMessage('{"jsonrpc":"2.0","method":1,"id":{"x":1}}')
    expect(!s.ok && s.error.id).toBe(null)
  })

  it('accepts a null id only with allowNullId', () => {
    const text = '{"jsonrpc":"2.0","id":null,"method":"a"}'
    expect(code(text)).toBe('ok')
    expect(code(text, { allowNullId: false })).toBe(-32600)
  })

  it('validates batch elements one by one and honours allowBatch and maxBatchLength', () => {
    const r = parseMessage('[{"jsonrpc":"2.0","method":"a"},1]')
    expect(r.ok && r.batch && r.items.map((i) => i.ok)).toEqual([true, false])
    expect(code('[{"jsonrpc":"2.0","method":"a"}]', { allowBatch: false })).toBe(-32600)
    expect(code('[]')).toBe(-32600)
    expect(code('[1,2,3]', { maxBatchLength: 2 })).toBe(-32600)
  })

  it('refuses input over maxBytes as an error value, counting UTF-8 bytes', () => {
    const text = `{"jsonrpc":"2.0","method":"${'é'.repeat(30)}"}`
    expect(code(text, { maxBytes: 60 })).toBe(-32600)
    expect(code(text, { maxBytes: 200 })).toBe('ok')
    expect(code(new TextEncoder().encode(text), { maxBytes: 60 })).toBe(-32600)
    const r = parseMessage(text, { maxBytes: 60 })
    expect(!r.ok && r.error.error.data).toBe('Message exceeds 60 bytes')
  })

  it('survives pathological JSON without throwing or polluting prototypes', () => {
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`
    expect(() => parseMessage(deep)).not.toThrow()
    expect(code('{"jsonrpc":"2.0","id":1e999,"method":"a"}')).toBe(-32600)
    expect(
      code('{"jsonrpc":"2.0","id":1,"method":"a","params":[1e999,123456789012345678901234567890]}'),
    ).toBe('ok')
    const r = parseMessage(
      '{"jsonrpc":"2.0","id":1,"method":"a","params":{"__proto__":{"polluted":1}}}',
    )
    expect(r.ok).toBe(true)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(code('{"__proto__":{"jsonrpc":"2.0"},"id":1,"method":"a"}')).toBe(-32600)
  })
})
