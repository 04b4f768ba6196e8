import { describe, expect, it } from 'vitest'
import { createDispatcher } from './dispatcher.js'
import { JsonRpcError } from './json-rpc-error.js'

describe('createDispatcher()', () => {
  const seen: unknown[] = []
  const rpc = createDispatcher({
    methods: {
      echo: (params) => params,
      slow: async (params) => {
        await new Promise((r) => setTimeout(r, 5))
        return params
      },
      nothing: () => undefined,
      fail: () => {
        throw new Error('database password is hunter2')
      },
      typed: () => {
        throw new JsonRpcError(-32602, 'Invalid params', { field: 'x' })
      },
      record: (params, context) => {
        seen.push([params, context])
      },
    },
    allowNullId: false,
  })
  const call = async (body: string) => {
    const text = await rpc.handle(body)
    return text === undefined ? undefined : JSON.parse(text)
  }

  it('passes params exactly as sent and the context', async () => {
    seen.length = 0
    await call('{"jsonrpc":"2.0","id":1,"method":"record","params":[1]}')
    await call('{"jsonrpc":"2.0","id":2,"method":"record"}')
    expect(seen).toEqual([
      [[1], { id: 1, method: 'record' }],
      [undefined, { id: 2, method: 'record' }],
    ])
  })

  it('awaits async methods and answers result null for undefined', async () => {
    expect(await call('{"jsonrpc":"2.0","id":1,"method":"slow","params":{"a":1}}')).toEqual({
      jsonrpc: '2.0',
      id: 1,
      result: { a: 1 },
    })
    expect((await call('{"jsonrpc":"2.0","id":1,"method":"nothing"}')).result).toBe(null)
  })

  it('answers a JsonRpcError with its code, message and data', async () => {
    expect((await call('{"jsonrpc":"2.0","id":1,"method":"typed"}')).error).toEqual({
      code: -32602,
      message: 'Invalid params',
      data: { field: 'x' },
    })
  })

  it('turns any other throw into -32603 without leaking its message', async () => {
    const text = await rpc.handle('{"jsonrpc":"2.0","id":1,"method":"fail"}')
    expect(JSON.parse(text!).error).toEqual({ code: -32603, message: 'Internal error' })
    expect(text).not.toContain('hunter2')
  })

  it('never calls inherited properties as methods', async () => {
    for (const name of ['toString', '__proto__', 'constructor', 'hasOwnProperty']) {
      expect((await call(`{"jsonrpc":"2.0","id":1,"method":"${name}"}`)).error.code).toBe(-32601)
    }
  })

  it('never answers notifications, even failing ones or inside a batch', async () => {
    expect(await rpc.handle('{"jsonrpc":"2.0","method":"fail"}')).toBeUndefined()
    expect(await rpc.handle('{"jsonrpc":"2.0","method":"missing"}')).toBeUndefined()
    const batch = await call(
      '[{"jsonrpc":"2.0","method":"fail"},{"jsonrpc":"2.0","id":7,"method":"echo","params":[1]}]',
    )
    expect(batch).toEqual([{ jsonrpc: '2.0', id: 7, result: [1] }])
  })

  it('applies allowNullId and ignores responses sent to it', async () => {
    expect((await call('{"jsonrpc":"2.0","id":null,"method":"echo"}')).error.code).toBe(-32600)
    expect(await rpc.handle('{"jsonrpc":"2.0","id":1,"result":1}')).toBeUndefined()
  })

  it('answers a result JSON cannot represent with -32603', async () => {
    const cyclic = createDispatcher({
      methods: {
        loop: () => {
          const o: Record<string, unknown> = {}
          o.self = o
          return o
        },
      },
    })
    const text = await cyclic.handle('{"jsonrpc":"2.0","id":1,"method":"loop"}')
    expect(JSON.parse(text!).error.code).toBe(-32603)
  })
})
