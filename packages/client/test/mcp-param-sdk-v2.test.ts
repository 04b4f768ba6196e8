// connect()'s McpClient against the SDK v2 handler, which refuses a tools/call whose tool has
// x-mcp-header arguments when the Mcp-Param-* headers are missing (2026-07-28, SEP-2243).
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server'
import { afterEach, expect, test } from 'vitest'
import { z } from 'zod'
import { connect } from '../src/index.js'

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup()
})

function buildServer(): McpServer {
  const server = new McpServer({ name: 'headers', version: '1.0.0' })
  server.registerTool(
    'deploy',
    {
      inputSchema: z.object({
        region: z.string().meta({ 'x-mcp-header': 'Region' }),
        note: z.string(),
      }),
    },
    async ({ region }) => ({ content: [{ type: 'text', text: `deployed to ${region}` }] }),
  )
  return server
}

function serve() {
  const handler = createMcpHandler(() => buildServer())
  cleanups.push(() => handler.close())
  const seen: Array<{ method: string | null; region: string | null }> = []
  const fetch = ((input: string | URL | Request, init?: RequestInit) => {
    const request = new Request(input, init)
    seen.push({
      method: request.headers.get('mcp-method'),
      region: request.headers.get('mcp-param-region'),
    })
    return handler.fetch(request)
  }) as typeof globalThis.fetch
  return { fetch, seen }
}

const CALL = { name: 'deploy', arguments: { region: 'eu-west 1 ü', note: 'x' } }

test('a tools/call made before any tools/list gets its Mcp-Param-* header after one refusal', async () => {
  const { fetch, seen } = serve()
  const client = await connect('http://127.0.0.1/mcp', { fetch, protocolVersion: '2026-07-28' })
  expect(await client.request('tools/call', CALL)).toMatchObject({
    content: [{ type: 'text', text: 'deployed to eu-west 1 ü' }],
  })
  expect(seen.slice(1)).toEqual([
    { method: 'tools/call', region: null },
    { method: 'tools/list', region: null },
    { method: 'tools/call', region: '=?base64?ZXUtd2VzdCAxIMO8?=' },
  ])
  // From then on the cache serves every call: one POST each.
  await client.request('tools/call', { ...CALL, arguments: { region: 'us', note: '' } })
  expect(seen.at(-1)).toEqual({ method: 'tools/call', region: 'us' })
  expect(seen).toHaveLength(5)
  await client.close()
})

test('after tools/list, the first tools/call carries the header', async () => {
  const { fetch, seen } = serve()
  const client = await connect('http://127.0.0.1/mcp', { fetch, protocolVersion: '2026-07-28' })
  await client.request('tools/list')
  await client.request('tools/call', CALL)
  expect(seen.slice(1).map((request) => request.method)).toEqual(['tools/list', 'tools/call'])
  await client.close()
})
