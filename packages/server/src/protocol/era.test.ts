import { describe, expect, it } from 'vitest'
import { classifyEra, type EraClassification } from './era.js'

const PV = 'io.modelcontextprotocol/protocolVersion'
const CAPS = 'io.modelcontextprotocol/clientCapabilities'
const INFO = 'io.modelcontextprotocol/clientInfo'
const LOG = 'io.modelcontextprotocol/logLevel'

function envelope(version: unknown = '2026-07-28', extra: Record<string, unknown> = {}) {
  return { [PV]: version, [CAPS]: {}, [INFO]: { name: 'c', version: '1' }, ...extra }
}

function request(method: string, meta?: Record<string, unknown>, id: number | string = 1) {
  return {
    jsonrpc: '2.0',
    id,
    method,
    params: meta === undefined ? {} : { _meta: meta },
  }
}

function notification(method: string, meta?: Record<string, unknown>) {
  return { jsonrpc: '2.0', method, ...(meta === undefined ? {} : { params: { _meta: meta } }) }
}

function era(body: unknown, headers: Record<string, string> = {}, method = 'POST') {
  return classifyEra(method, new Headers(headers), body)
}

const legacy: EraClassification = { era: 'legacy' }
const modern: EraClassification = { era: 'modern' }
const invalidBatch = { era: 'invalid', code: -32600 }
const headerMismatch = { era: 'invalid', code: -32020 }

describe('classifyEra() rule 1: methods other than POST', () => {
  it('classifyEra() puts GET and DELETE in the legacy era, whatever the headers say', () => {
    expect(era(undefined, { 'mcp-protocol-version': '2026-07-28' }, 'GET')).toEqual(legacy)
    expect(era(undefined, { 'mcp-protocol-version': '2026-07-28' }, 'DELETE')).toEqual(legacy)
    expect(era(request('tools/list', envelope()), {}, 'get')).toEqual(legacy)
  })
})

describe('classifyEra() rule 2: batches', () => {
  it('classifyEra() puts a batch of envelope-less messages in the legacy era', () => {
    expect(era([request('tools/list'), notification('notifications/initialized')])).toEqual(legacy)
  })
  it('classifyEra() refuses a batch holding a modern message with -32600', () => {
    expect(era([request('tools/list'), request('tools/list', envelope(), 2)])).toMatchObject(
      invalidBatch,
    )
    // Even a malformed claim counts.
    expect(era([request('tools/list', { [PV]: 7 })])).toMatchObject(invalidBatch)
  })
  it('classifyEra() refuses an empty batch and a batch with a non-message with -32600', () => {
    expect(era([])).toMatchObject(invalidBatch)
    expect(era([request('ping'), { hello: 'world' }])).toMatchObject(invalidBatch)
  })
})

describe('classifyEra() rule 3: posted responses', () => {
  it('classifyEra() puts results and errors posted by a client in the legacy era', () => {
    expect(era({ jsonrpc: '2.0', id: 1, result: {} })).toEqual(legacy)
    expect(era({ jsonrpc: '2.0', id: 'a', error: { code: -1, message: 'x' } })).toEqual(legacy)
    expect(
      era({ jsonrpc: '2.0', id: 1, result: {} }, { 'mcp-protocol-version': '2026-07-28' }),
    ).toEqual(legacy)
  })
})

describe('classifyEra() rule 4: requests', () => {
  it('classifyEra() puts an initialize without an envelope in the legacy era', () => {
    expect(era(request('initialize'))).toEqual(legacy)
    expect(era(request('initialize'), { 'mcp-protocol-version': '2025-11-25' })).toEqual(legacy)
  })
  it('classifyEra() refuses an initialize sent with a modern MCP-Protocol-Version with -32020', () => {
    expect(era(request('initialize'), { 'mcp-protocol-version': '2026-07-28' })).toMatchObject(
      headerMismatch,
    )
    expect(era(request('initialize'), { 'mcp-protocol-version': 'v999.0.0' })).toMatchObject(
      headerMismatch,
    )
  })
  it('classifyEra() puts an initialize with a valid modern envelope in the modern era', () => {
    expect(era(request('initialize', envelope()))).toEqual(modern)
  })
  it('classifyEra() keeps an initialize with a malformed or 2025 envelope in the legacy era', () => {
    expect(era(request('initialize', { [PV]: '2026-07-28' }))).toEqual(legacy) // no capabilities
    expect(era(request('initialize', envelope('2025-11-25')))).toEqual(legacy)
    expect(era(request('initialize', envelope('2026-07-28', { [INFO]: { name: 1 } })))).toEqual(
      legacy,
    )
    expect(era(request('initialize', envelope('2026-07-28', { [LOG]: 'loud' })))).toEqual(legacy)
  })
  it('classifyEra() puts any request with the envelope claim in the modern era', () => {
    expect(era(request('tools/list', envelope()))).toEqual(modern)
    expect(era(request('tools/list', { [PV]: '2026-07-28' }))).toEqual(modern) // malformed: -32602 there
    expect(era(request('tools/list', envelope('2025-06-18')))).toEqual(modern) // -32022 there
    expect(era(request('tools/list', envelope('v999.0.0')))).toEqual(modern)
    expect(era(request('tools/list', { [PV]: null }))).toEqual(modern)
  })
  it('classifyEra() leaves header/body disagreements of a modern request to the modern leg', () => {
    const body = request('tools/list', envelope())
    expect(era(body, { 'mcp-protocol-version': '2025-11-25' })).toEqual(modern)
    expect(era(body, { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call' })).toEqual(
      modern,
    )
  })
  it('classifyEra() puts an envelope-less request with a modern header in the modern era', () => {
    expect(era(request('tools/list'), { 'mcp-protocol-version': '2026-07-28' })).toEqual(modern)
    expect(era(request('tools/list'), { 'mcp-protocol-version': ' 2026-07-28\t' })).toEqual(modern)
    expect(era(request('tools/list'), { 'mcp-protocol-version': 'v999.0.0' })).toEqual(modern)
  })
  it('classifyEra() puts an envelope-less request without a modern header in the legacy era', () => {
    expect(era(request('tools/list'))).toEqual(legacy)
    expect(era(request('tools/list'), { 'mcp-protocol-version': '2025-06-18' })).toEqual(legacy)
    // Reserved keys other than the protocol version are no claim.
    expect(era(request('tools/list', { [CAPS]: {} }))).toEqual(legacy)
  })
  it('classifyEra() ignores Mcp-Session-Id', () => {
    const headers = { 'mcp-session-id': 'abc' }
    expect(era(request('tools/list', envelope()), headers)).toEqual(modern)
    expect(era(request('tools/list'), headers)).toEqual(legacy)
  })
})

describe('classifyEra() rule 5: notifications', () => {
  it('classifyEra() puts a notification with a claim or a modern header in the modern era', () => {
    expect(era(notification('notifications/cancelled', envelope()))).toEqual(modern)
    expect(era(notification('notifications/cancelled', { [PV]: 1 }))).toEqual(modern)
    expect(
      era(notification('notifications/initialized'), { 'mcp-protocol-version': '2026-07-28' }),
    ).toEqual(modern)
  })
  it('classifyEra() puts other notifications in the legacy era', () => {
    expect(era(notification('notifications/initialized'))).toEqual(legacy)
    expect(
      era(notification('notifications/initialized'), { 'mcp-protocol-version': '2025-11-25' }),
    ).toEqual(legacy)
  })
})

describe('classifyEra() on bodies that are no JSON-RPC message', () => {
  it('classifyEra() refuses them with -32600', () => {
    expect(era({ hello: 'world' })).toMatchObject(invalidBatch)
    expect(era('text')).toMatchObject(invalidBatch)
    expect(era(null)).toMatchObject(invalidBatch)
    expect(era({ jsonrpc: '2.0', method: 'x', params: [1] })).toMatchObject(invalidBatch)
  })
})
