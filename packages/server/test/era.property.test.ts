import { classifyInboundRequest, isLegacyRequest } from '@modelcontextprotocol/server'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { classifyEra } from '../src/index.js'

const PV = 'io.modelcontextprotocol/protocolVersion'
const CAPS = 'io.modelcontextprotocol/clientCapabilities'
const INFO = 'io.modelcontextprotocol/clientInfo'
const LOG = 'io.modelcontextprotocol/logLevel'

const version = fc.constantFrom<unknown>(
  '2026-07-28',
  '2027-01-01',
  'v999.0.0',
  '2025-11-25',
  '2025-06-18',
  '2024-11-05',
  '',
  42,
  null,
)
const absent = Symbol('absent')
const optional = <T>(arb: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 1, arbitrary: fc.constant(absent) }, { weight: 3, arbitrary: arb })

/** A `_meta` object: the claim and the other reserved keys, each present or not, valid or not. */
const meta = fc
  .record({
    [PV]: optional(version),
    [CAPS]: optional(fc.constantFrom<unknown>({}, { sampling: {} }, { roots: {} }, 'x', null)),
    [INFO]: optional(
      fc.constantFrom<unknown>({ name: 'c', version: '1' }, { name: 1 }, { name: 'c' }, 'x'),
    ),
    [LOG]: optional(fc.constantFrom<unknown>('info', 'debug', 'loud', 3)),
    progressToken: optional(fc.constantFrom<unknown>('tok', 7)),
  })
  .map((record) =>
    Object.fromEntries(Object.entries(record).filter(([, value]) => value !== absent)),
  )

const params = fc.oneof(
  { weight: 1, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.constant({}) },
  { weight: 4, arbitrary: meta.map((m) => ({ _meta: m })) },
  { weight: 2, arbitrary: meta.map((m) => ({ name: 'echo', arguments: {}, _meta: m })) },
)

const methodName = fc.constantFrom(
  'initialize',
  'initialize',
  'initialize',
  'tools/list',
  'tools/call',
  'server/discover',
  'ping',
  'notifications/initialized',
  'notifications/cancelled',
)

const request = fc
  .record({ method: methodName, id: fc.oneof(fc.integer({ min: 0, max: 9 }), fc.constant('r')) })
  .chain(({ method, id }) =>
    params.map((p) => ({ jsonrpc: '2.0', id, method, ...(p === undefined ? {} : { params: p }) })),
  )
const notification = methodName.chain((method) =>
  params.map((p) => ({ jsonrpc: '2.0', method, ...(p === undefined ? {} : { params: p }) })),
)
const response = fc.constantFrom<unknown>(
  { jsonrpc: '2.0', id: 1, result: {} },
  { jsonrpc: '2.0', id: 'x', error: { code: -32000, message: 'no' } },
)
const message = fc.oneof(request, notification, response)
const body = fc.oneof(
  { weight: 6, arbitrary: message },
  { weight: 2, arbitrary: fc.array(message, { minLength: 0, maxLength: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>({ hello: 1 }, 'text', 3) },
)

const header = optional(
  fc.constantFrom('2026-07-28', 'v999.0.0', '2025-11-25', '2025-03-26', ' 2026-07-28 '),
)
const mcpMethod = optional(fc.constantFrom('tools/list', 'tools/call', 'initialize', 'ping'))

/** The SDK's outcome in our terms: which leg answers, or the edge's own refusal code. */
function sdkEra(outcome: ReturnType<typeof classifyInboundRequest>): string {
  if (outcome.kind !== 'reject') return outcome.kind
  if (outcome.cell === 'initialize-with-modern-header') return 'invalid -32020'
  if (outcome.rung === 'jsonrpc-shape') return 'invalid -32600'
  return 'modern' // a refusal of the modern ladder: only the modern leg may answer it
}

function ourEra(outcome: ReturnType<typeof classifyEra>): string {
  return outcome.era === 'invalid' ? `invalid ${outcome.code}` : outcome.era
}

describe('classifyEra() agrees with the official SDK classifier', () => {
  it('decides every generated request as classifyInboundRequest() of SDK 2.4 does', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('POST', 'POST', 'POST', 'GET', 'DELETE'),
        header,
        mcpMethod,
        body,
        (httpMethod, pv, method, value) => {
          const headers = new Headers()
          if (pv !== absent) headers.set('mcp-protocol-version', pv)
          if (method !== absent) headers.set('mcp-method', method)
          const sdk = classifyInboundRequest({
            httpMethod,
            ...(pv === absent ? {} : { protocolVersionHeader: pv }),
            ...(method === absent ? {} : { mcpMethodHeader: method }),
            body: value,
          })
          expect(ourEra(classifyEra(httpMethod, headers, value))).toBe(sdkEra(sdk))
        },
      ),
      { numRuns: 1500 },
    )
  })

  it('routes to the legacy leg exactly the POSTs isLegacyRequest() of SDK 2.4 routes there', async () => {
    await fc.assert(
      fc.asyncProperty(header, message, async (pv, value) => {
        const headers: Record<string, string> = { 'content-type': 'application/json' }
        if (pv !== absent) headers['mcp-protocol-version'] = pv
        const request = new Request('http://127.0.0.1/mcp', { method: 'POST', headers })
        const expected = await isLegacyRequest(request, value)
        const ours = classifyEra('POST', request.headers, value)
        expect(ours.era === 'legacy').toBe(expected)
      }),
      { numRuns: 300 },
    )
  })
})
