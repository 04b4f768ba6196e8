import { Client as ClientV2 } from '@modelcontextprotocol/client'
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js'
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server'
import { afterEach, describe, expect, test } from 'vitest'
import { z } from 'zod'
import { StreamableHttpClientTransport } from '../src/index.js'
import { HOSTILE, type RunningServer, startMcpwire } from './_fixture.js'

/** An SDK v2 server with the interop tools. */
function buildV2Server(): McpServer {
  const server = new McpServer({ name: 'v2-fixture', version: '1.0.0' })
  server.registerTool(
    'echo',
    { inputSchema: z.object({ text: z.string() }) },
    async ({ text }) => ({
      content: [{ type: 'text', text }],
    }),
  )
  server.registerTool(
    'countdown',
    { inputSchema: z.object({ n: z.number() }) },
    async ({ n }, ctx) => {
      const token = ctx.mcpReq._meta?.progressToken
      for (let i = 1; i <= n; i++) {
        if (token !== undefined) {
          await ctx.mcpReq.notify({
            method: 'notifications/progress',
            params: { progressToken: token, progress: i, total: n },
          })
        }
      }
      return { content: [{ type: 'text', text: `counted ${n}` }] }
    },
  )
  return server
}

const handlers: Array<{ close(): Promise<void> }> = []
const servers: RunningServer[] = []
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close()
})
afterEach(async () => {
  for (const handler of handlers.splice(0)) await handler.close()
})

function v2Handler() {
  const handler = createMcpHandler(() => buildV2Server())
  handlers.push(handler)
  const seen: Request[] = []
  const fetch = (input: string | URL | Request, init?: RequestInit) => {
    const request = new Request(input, init)
    seen.push(request.clone())
    return handler.fetch(request)
  }
  return { fetch: fetch as typeof globalThis.fetch, seen }
}

describe('interop with the SDK v2 createMcpHandler', () => {
  test('SDK v2 Client negotiates the stateless 2026-07-28 era over StreamableHttpClientTransport', async () => {
    const { fetch, seen } = v2Handler()
    const transport = new StreamableHttpClientTransport('http://127.0.0.1/mcp', { fetch })
    const client = new ClientV2({ name: 'interop', version: '1.0.0' }, {
      versionNegotiation: { mode: 'auto' },
    } as never)
    const errors: Error[] = []
    client.onerror = (error) => errors.push(error)
    await client.connect(transport)
    const tools = await client.listTools()
    expect(tools.tools.map((tool) => tool.name).sort()).toEqual(['countdown', 'echo'])
    const echoed = await client.callTool({ name: 'echo', arguments: { text: HOSTILE } })
    expect(echoed.content).toEqual([{ type: 'text', text: HOSTILE }])
    const progress: number[] = []
    const counted = await client.callTool(
      { name: 'countdown', arguments: { n: 10 } },
      { onprogress: (p) => progress.push(p.progress) },
    )
    expect(counted.content).toEqual([{ type: 'text', text: 'counted 10' }])
    expect(progress).toEqual(Array.from({ length: 10 }, (_, i) => i + 1))
    // No ping in 2026-07-28: the SDK refuses it for that era.
    await client.close()
    expect(errors).toEqual([])
    expect(transport.stats()).toMatchObject({
      era: 'stateless',
      state: 'closed',
      openStreams: 0,
      pendingRequests: 0,
      armedTimers: 0,
    })
    const call = seen.find((request) => request.headers.get('mcp-method') === 'tools/call')
    expect(call?.headers.get('mcp-protocol-version')).toBe('2026-07-28')
    expect(call?.headers.get('mcp-name')).toBe('echo')
    expect(seen.some((request) => request.method === 'GET' || request.method === 'DELETE')).toBe(
      false,
    )
    expect(seen.some((request) => request.headers.has('mcp-session-id'))).toBe(false)
  })

  test('SDK v1 Client speaks the 2025 era to the same handler (served statelessly) over StreamableHttpClientTransport', async () => {
    const { fetch } = v2Handler()
    const transport = new StreamableHttpClientTransport('http://127.0.0.1/mcp', { fetch })
    const client = new ClientV1({ name: 'interop', version: '1.0.0' })
    const errors: Error[] = []
    client.onerror = (error) => errors.push(error)
    await client.connect(transport)
    const echoed = await client.callTool({ name: 'echo', arguments: { text: HOSTILE } })
    expect(echoed.content).toEqual([{ type: 'text', text: HOSTILE }])
    const progress: number[] = []
    await client.callTool({ name: 'countdown', arguments: { n: 10 } }, undefined, {
      onprogress: (p) => progress.push(p.progress),
    })
    expect(progress).toEqual(Array.from({ length: 10 }, (_, i) => i + 1))
    await client.ping()
    await client.close()
    expect(errors).toEqual([])
    expect(transport.stats()).toMatchObject({ state: 'closed', openStreams: 0, pendingRequests: 0 })
  })
})

describe('interop with the dual-era @mcpwire/server (node path; modern leg by the SDK v2 handler)', () => {
  async function dualEra() {
    const modern = createMcpHandler(() => buildV2Server(), { legacy: 'reject' } as never)
    handlers.push(modern)
    const server = await startMcpwire({ modern })
    servers.push(server)
    return server
  }

  test('SDK v2 Client reaches the 2026-07-28 leg', async () => {
    const server = await dualEra()
    const transport = new StreamableHttpClientTransport(server.url)
    const client = new ClientV2({ name: 'interop', version: '1.0.0' }, {
      versionNegotiation: { mode: 'auto' },
    } as never)
    const errors: Error[] = []
    client.onerror = (error) => errors.push(error)
    await client.connect(transport)
    expect((await client.listTools()).tools.map((tool) => tool.name).sort()).toEqual([
      'countdown',
      'echo',
    ])
    const echoed = await client.callTool({ name: 'echo', arguments: { text: HOSTILE } })
    expect(echoed.content).toEqual([{ type: 'text', text: HOSTILE }])
    const progress: number[] = []
    await client.callTool(
      { name: 'countdown', arguments: { n: 10 } },
      { onprogress: (p) => progress.push(p.progress) },
    )
    expect(progress).toEqual(Array.from({ length: 10 }, (_, i) => i + 1))
    await client.close()
    expect(errors).toEqual([])
    expect(transport.stats()).toMatchObject({
      era: 'stateless',
      openStreams: 0,
      pendingRequests: 0,
      armedTimers: 0,
    })
    expect(server.seen.some((line) => line.startsWith('GET') || line.startsWith('DELETE'))).toBe(
      false,
    )
  })

  test('SDK v1 Client reaches the 2025 session leg of the same endpoint', async () => {
    const server = await dualEra()
    const transport = new StreamableHttpClientTransport(server.url)
    const client = new ClientV1({ name: 'interop', version: '1.0.0' })
    await client.connect(transport)
    const progress: number[] = []
    await client.callTool({ name: 'countdown', arguments: { n: 10 } }, undefined, {
      onprogress: (p) => progress.push(p.progress),
    })
    expect(progress).toEqual(Array.from({ length: 10 }, (_, i) => i + 1))
    await client.ping()
    await client.close()
    expect(server.seen.filter((line) => line.startsWith('DELETE'))).toHaveLength(1)
  })
})
