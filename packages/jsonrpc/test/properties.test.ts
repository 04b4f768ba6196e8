import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  createDispatcher,
  JsonRpcError,
  type JsonRpcMessage,
  parseMessage,
  serialize,
} from '../src/index.js'

const RUNS = { numRuns: 300 }
const id = fc.oneof(fc.string(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }))
const params = fc.oneof(
  fc.array(fc.jsonValue(), { maxLength: 4 }),
  fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 4 }),
)
const method = fc.string()
const optionalParams = fc.option(params, { nil: undefined })

// Optional members are generated as undefined, which JSON leaves out, as serialize() does.
const message = fc.oneof(
  fc.record({ jsonrpc: fc.constant('2.0' as const), id, method, params: optionalParams }),
  fc.record({ jsonrpc: fc.constant('2.0' as const), method, params: optionalParams }),
  fc.record({
    jsonrpc: fc.constant('2.0' as const),
    id,
    result: fc.jsonValue().filter((v) => v !== null),
  }),
  fc.record({
    jsonrpc: fc.constant('2.0' as const),
    id: fc.oneof(id, fc.constant(null)),
    error: fc.record({
      code: fc.integer(),
      message: fc.string(),
      data: fc.option(fc.jsonValue(), { nil: undefined }),
    }),
  }),
) as unknown as fc.Arbitrary<JsonRpcMessage>

/** The message as JSON sees it (undefined members dropped, -0 as 0). */
const asJson = (m: unknown) => JSON.parse(JSON.stringify(m))

describe('properties', () => {
  it('parseMessage(serialize(m)) round-trips every valid message and batch', () => {
    fc.assert(
      fc.property(message, (m) => {
        const r = parseMessage(serialize(m))
        expect(r.ok && !r.batch && r.message).toEqual(asJson(m))
      }),
      RUNS,
    )
    fc.assert(
      fc.property(fc.array(message, { minLength: 1, maxLength: 5 }), (ms) => {
        const r = parseMessage(new TextEncoder().encode(serialize(ms)))
        expect(r.ok && r.batch && r.items.map((i) => i.ok && i.message)).toEqual(asJson(ms))
      }),
      RUNS,
    )
  })

  it('parseMessage never throws and always classifies arbitrary strings, bytes and JSON values', () => {
    const input = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.uint8Array(),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.jsonValue().map((v) =>
        JSON.stringify({
          jsonrpc: '2.0',
          ...(typeof v === 'object' && v !== null && !Array.isArray(v) ? v : { v }),
        }),
      ),
    )
    fc.assert(
      fc.property(input, fc.boolean(), fc.boolean(), (body, allowBatch, allowNullId) => {
        const r = parseMessage(body, { allowBatch, allowNullId })
        if (r.ok) {
          const items = r.batch ? r.items : [{ ok: true as const, message: r.message }]
          expect(r.batch ? allowBatch : true).toBe(true)
          for (const item of items) {
            if (!item.ok) expect(item.error.error.code).toBe(-32600)
          }
        } else {
          expect([-32700, -32600]).toContain(r.error.error.code)
          expect(r.error.jsonrpc).toBe('2.0')
        }
      }),
      RUNS,
    )
  })

  it('the dispatcher answers every request exactly once and no notification ever', async () => {
    const call = fc.record({
      id: fc.option(fc.integer({ min: 0, max: 1e6 }), { nil: undefined }),
      method: fc.constantFrom('ok', 'async', 'throws', 'typed', 'missing'),
    })
    const rpc = createDispatcher({
      methods: {
        ok: () => 1,
        async: async () => 2,
        throws: () => {
          throw new Error('x')
        },
        typed: () => {
          throw new JsonRpcError(-32000, 'typed')
        },
      },
    })
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(call, { minLength: 1, maxLength: 8, selector: (c) => c.id ?? Symbol() }),
        async (calls) => {
          const body = JSON.stringify(calls.map((c) => ({ jsonrpc: '2.0', ...c })))
          const text = await rpc.handle(body)
          const requests = calls.filter((c) => c.id !== undefined)
          if (requests.length === 0) {
            expect(text).toBeUndefined()
            return
          }
          const answers = JSON.parse(text!) as { id: number }[]
          expect(answers.map((a) => a.id).sort()).toEqual(requests.map((c) => c.id).sort())
        },
      ),
      RUNS,
    )
  })
})
