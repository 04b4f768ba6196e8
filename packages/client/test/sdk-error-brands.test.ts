import { Client as ClientV2, SdkHttpError } from '@modelcontextprotocol/client'
import { describe, expect, test } from 'vitest'
import { McpHttpError, StreamableHttpClientTransport } from '../src/index.js'
import { withSdkErrorBrands } from '../src/sdk-error-brands.js'
import { fakeFetch, initResult, json } from './_fake.js'

/** A 2025-only server behind a front that answers the 2026 probe with an HTML 404. */
function legacyOnlyServer() {
  return fakeFetch((request) => {
    const method = request.body?.method
    if (method === 'server/discover')
      return new Response('<h1>Not Found</h1>', {
        status: 404,
        headers: { 'content-type': 'text/html' },
      })
    if (method === 'initialize')
      return json(initResult(request.body.id, request.body.params.protocolVersion), 200, {
        'mcp-session-id': 's-1',
      })
    if (method === 'tools/list')
      return json({ jsonrpc: '2.0', id: request.body.id, result: { tools: [] } })
    if (request.method === 'POST') return new Response(null, { status: 202 })
    return new Response(null, { status: 405 })
  })
}

async function connectV2(sdkErrorBrands: boolean) {
  const { fetch, seen } = legacyOnlyServer()
  const transport = new StreamableHttpClientTransport('http://127.0.0.1:9/mcp', {
    fetch,
    sdkErrorBrands,
  })
  const client = new ClientV2({ name: 'brands', version: '1.0.0' }, {
    versionNegotiation: { mode: 'auto' },
  } as never)
  return { client, transport, seen, connecting: client.connect(transport as never) }
}

describe('SDK v2 error brands (R-F4)', () => {
  test('with sdkErrorBrands the SDK v2 Client reads a 404 to its probe as an HTTP answer and falls back to initialize', async () => {
    const { client, transport, seen, connecting } = await connectV2(true)
    await connecting
    expect(seen.map((request) => request.body?.method)).toContain('initialize')
    const { tools } = await client.listTools()
    expect(tools).toEqual([])
    expect(transport.sessionId).toBe('s-1')
    await client.close()
  })

  test('without them the same 404 looks like a network failure and connect() fails', async () => {
    const { connecting, seen } = await connectV2(false)
    await expect(connecting).rejects.toThrow(/probe failed/)
    expect(seen.map((request) => request.body?.method)).not.toContain('initialize')
  })

  test('a branded McpHttpError is an SdkHttpError to the SDK and still an McpHttpError', () => {
    const error = withSdkErrorBrands(
      new McpHttpError('x', { status: 405, statusText: 'Method Not Allowed', bodyText: 'no' }),
    )
    expect(error).toBeInstanceOf(SdkHttpError)
    expect(error).toBeInstanceOf(McpHttpError)
    expect((error as unknown as SdkHttpError).status).toBe(405)
    expect((error as unknown as { data: unknown }).data).toEqual({
      status: 405,
      statusText: 'Method Not Allowed',
      text: 'no',
    })
    const plain = new Error('x')
    expect(withSdkErrorBrands(plain)).not.toBeInstanceOf(SdkHttpError)
  })
})
