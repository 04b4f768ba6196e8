import { JSONRPCMessageSchema } from '@modelcontextprotocol/sdk/types.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseMessages } from '../../src/protocol/message.js'

// Values JSON-RPC messages are made of, including the near misses the SDK drops.
const id = fc.oneof(
  fc.string({ maxLength: 4 }),
  fc.integer(),
  fc.constantFrom(1.5, -0.25, 1e20, 2 ** 53, -(2 ** 53), 1e300, 0),
  fc.constantFrom(null, true, false),
  fc.constant({}),
  fc.constant([1]),
)
const json = fc.jsonValue({ maxDepth: 3 })
const meta = fc.oneof(
  fc.record({ progressToken: id }, { requiredKeys: [] }),
  fc.record({
    'io.modelcontextprotocol/related-task': fc.oneof(json, fc.record({ taskId: json })),
  }),
  json,
)
const objectWithMeta = fc.oneof(
  fc.dictionary(fc.string({ maxLength: 3 }), json, { maxKeys: 3 }),
  fc.record({ _meta: meta, x: json }, { requiredKeys: ['_meta'] }),
)
const params = fc.oneof(objectWithMeta, json)
const error = fc.oneof(
  fc.record(
    {
      code: fc.oneof(fc.integer(), fc.double(), fc.constant(1e20)),
      message: fc.oneof(fc.string(), json),
      data: json,
    },
    { requiredKeys: ['code', 'message'] },
  ),
  json,
)
const member = {
  jsonrpc: fc.constantFrom('2.0', '2.0', '2.0', '1.0', 2),
  id,
  method: fc.oneof(
    fc.constantFrom('ping', 'tools/call', 'notifications/cancelled'),
    fc.string({ maxLength: 3 }),
    json,
  ),
  params,
  result: fc.oneof(objectWithMeta, json),
  error,
  extra: json,
}
/** Objects shaped like JSON-RPC messages: any subset of the members, each well or badly formed. */
const messageLike = fc.oneof(
  fc.record(member, { requiredKeys: ['jsonrpc'] }),
  fc.record(
    { jsonrpc: member.jsonrpc, id: member.id, method: member.method, params: member.params },
    { requiredKeys: ['jsonrpc', 'method'] },
  ),
  fc.record(
    { jsonrpc: member.jsonrpc, id: member.id, result: member.result },
    { requiredKeys: ['jsonrpc', 'id', 'result'] },
  ),
  fc.record(
    { jsonrpc: member.jsonrpc, id: member.id, error: member.error },
    { requiredKeys: ['jsonrpc', 'error'] },
  ),
)
const body = fc.oneof(
  messageLike.map((value) => JSON.stringify(value)),
  fc.array(messageLike, { minLength: 1, maxLength: 4 }).map((values) => JSON.stringify(values)),
)

describe('parseMessages() against the SDK', () => {
  it('accepts only what the SDK’s JSONRPCMessageSchema accepts', () => {
    let accepted = 0
    fc.assert(
      fc.property(body, (text) => {
        const parsed = parseMessages(text)
        if (!parsed.ok) return
        accepted++
        for (const message of parsed.messages) {
          const result = JSONRPCMessageSchema.safeParse(message)
          expect(result.success, JSON.stringify(message)).toBe(true)
        }
      }),
      { numRuns: 2000 },
    )
    // The property says something only if the arbitraries reach accepted messages too.
    expect(accepted).toBeGreaterThan(25)
  })

  it('refuses the near misses the SDK would drop without an answer', () => {
    const refused = [
      '{"jsonrpc":"2.0","id":1.5,"method":"ping"}',
      '{"jsonrpc":"2.0","id":1e20,"method":"ping"}',
      '{"jsonrpc":"2.0","id":1,"method":"ping","params":[]}',
      '{"jsonrpc":"2.0","id":1,"method":"ping","params":{"_meta":{"progressToken":0.5}}}',
      '{"jsonrpc":"2.0","id":1,"method":"ping","x":1}',
      '{"jsonrpc":"2.0","id":null,"error":{"code":1,"message":"m"}}',
      '{"jsonrpc":"2.0","id":1,"result":[]}',
    ]
    for (const text of refused) {
      expect(parseMessages(text).ok, text).toBe(false)
      expect(JSONRPCMessageSchema.safeParse(JSON.parse(text)).success, text).toBe(false)
    }
  })
})
