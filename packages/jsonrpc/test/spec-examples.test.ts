// Every example of the JSON-RPC 2.0 specification's Examples section, compared as JSON values.
import { describe, expect, it } from 'vitest'
import { createDispatcher, type JsonRpcMethod } from '../src/index.js'

const methods: Record<string, JsonRpcMethod> = {
  subtract: (params) => {
    if (Array.isArray(params)) return (params[0] as number) - (params[1] as number)
    const { minuend, subtrahend } = params as { minuend: number; subtrahend: number }
    return minuend - subtrahend
  },
  sum: (params) => (params as number[]).reduce((a, b) => a + b, 0),
  update: () => undefined,
  notify_hello: () => undefined,
  notify_sum: () => undefined,
  get_data: () => ['hello', 5],
}
const rpc = createDispatcher({ methods })

async function call(body: string): Promise<unknown> {
  const text = await rpc.handle(body)
  return text === undefined ? undefined : JSON.parse(text)
}

const cases: [string, string, unknown][] = [
  [
    'rpc call with positional parameters (1)',
    '{"jsonrpc": "2.0", "method": "subtract", "params": [42, 23], "id": 1}',
    { jsonrpc: '2.0', result: 19, id: 1 },
  ],
  [
    'rpc call with positional parameters (2)',
    '{"jsonrpc": "2.0", "method": "subtract", "params": [23, 42], "id": 2}',
    { jsonrpc: '2.0', result: -19, id: 2 },
  ],
  [
    'rpc call with named parameters (1)',
    '{"jsonrpc": "2.0", "method": "subtract", "params": {"subtrahend": 23, "minuend": 42}, "id": 3}',
    { jsonrpc: '2.0', result: 19, id: 3 },
  ],
  [
    'rpc call with named parameters (2)',
    '{"jsonrpc": "2.0", "method": "subtract", "params": {"minuend": 42, "subtrahend": 23}, "id": 4}',
    { jsonrpc: '2.0', result: 19, id: 4 },
  ],
  [
    'a notification (1)',
    '{"jsonrpc": "2.0", "method": "update", "params": [1,2,3,4,5]}',
    undefined,
  ],
  ['a notification (2)', '{"jsonrpc": "2.0", "method": "foobar"}', undefined],
  [
    'rpc call of non-existent method',
    '{"jsonrpc": "2.0", "method": "foobar", "id": "1"}',
    { jsonrpc: '2.0', error: { code: -32601, message: 'Method not found' }, id: '1' },
  ],
  [
    'rpc call with invalid JSON',
    '{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]',
    { jsonrpc: '2.0', error: { code: -32700, message: 'Parse error' }, id: null },
  ],
  [
    'rpc call with invalid Request object',
    '{"jsonrpc": "2.0", "method": 1, "params": "bar"}',
    { jsonrpc: '2.0', error: { code: -32600, message: 'Invalid Request' }, id: null },
  ],
  [
    'rpc call Batch, invalid JSON',
    '[ {"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"}, {"jsonrpc": "2.0", "method" ]',
    { jsonrpc: '2.0', error: { code: -32700, message: 'Parse error' }, id: null },
  ],
  [
    'rpc call with an empty Array',
    '[]',
    { jsonrpc: '2.0', error: { code: -32600, message: 'Invalid Request' }, id: null },
  ],
  [
    'rpc call with an invalid Batch (but not empty)',
    '[1]',
    [{ jsonrpc: '2.0', error: { code: -32600, message: 'Invalid Request' }, id: null }],
  ],
  [
    'rpc call with invalid Batch',
    '[1,2,3]',
    [1, 2, 3].map(() => ({
      jsonrpc: '2.0',
      error: { code: -32600, message: 'Invalid Request' },
      id: null,
    })),
  ],
  [
    'rpc call Batch',
    `[
      {"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},
      {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]},
      {"jsonrpc": "2.0", "method": "subtract", "params": [42,23], "id": "2"},
      {"foo": "boo"},
      {"jsonrpc": "2.0", "method": "foo.get", "params": {"name": "myself"}, "id": "5"},
      {"jsonrpc": "2.0", "method": "get_data", "id": "9"}
    ]`,
    [
      { jsonrpc: '2.0', result: 7, id: '1' },
      { jsonrpc: '2.0', result: 19, id: '2' },
      { jsonrpc: '2.0', error: { code: -32600, message: 'Invalid Request' }, id: null },
      { jsonrpc: '2.0', error: { code: -32601, message: 'Method not found' }, id: '5' },
      { jsonrpc: '2.0', result: ['hello', 5], id: '9' },
    ],
  ],
  [
    'rpc call Batch (all notifications)',
    `[
      {"jsonrpc": "2.0", "method": "notify_sum", "params": [1,2,4]},
      {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]}
    ]`,
    undefined,
  ],
]

describe('JSON-RPC 2.0 specification examples', () => {
  it('has all 15 examples', () => expect(cases.length).toBe(15))
  for (const [name, request, expected] of cases) {
    it(`answers ${name} exactly`, async () => {
      expect(await call(request)).toEqual(expected)
    })
  }
})
