import { createMcpHandler, McpServer } from '@modelcontextprotocol/server'
import { afterEach, describe, expect, test } from 'vitest'
import { z } from 'zod'
import { connect } from '../src/index.js'
import { HOSTILE, startMcpwire, startSdkLegacy } from './_fixture.js'

function buildV2Server(): McpServer {
  const server = new McpServer({ name: 'v2-fixture', version: '1.0.0' })
  server.registerTool(
    'echo',
    { inputSchema: z.object({ text: z.string() }) },
    async ({ text }) => ({ content: [{ type: 'text', text }] }),
  )
  server.registerTool(
    'countdown',
    { inputSchema: z.object({ n: z.number() }) },
    async ({ n }, ctx) => {
      const token = ctx.mcpReq._meta?.progressToken
      for (let i = 1; i <= n; i++) {
        if (token !== undefined)
          await ctx.mcpReq.notify({
            method: 'notifications/progress',
            params: { progressToken: token, progress: i },
          })
      }
      return { content: [{ type: 'text', text: `counted ${n}` }] }
    },
  )
  return server
}

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup()
})

async function script(url: string, fetch?: typeof globalThis.fetch) {
  const client = await connect(url, fetch === undefined ? {} : { fetch })
  const { tools } = (await client.request('tools/list')) as { tools: Array<{ name: string }> }
  expect(tools.map((tool) => tool.name).sort()).toEqual(['countdown', 'echo'])
  const echoed = (await client.request('tools/call', {
    name: 'echo',
    arguments: { text: HOSTILE },
  })) as { content: unknown }
  expect(echoed.content).toEqual([{ type: 'text', text: HOSTILE }])
  const progress: number[] = []
  await client.request(
    'tools/call',
    { name: 'countdown', arguments: { n: 10 } },
    { onProgress: (p) => progress.push(p.progress) },
  )
  expect(progress).toEqual(Array.from({ length: 10 }, (_, i) => i + 1))
  if (client.era !== 'stateless') await client.request('ping')
  await client.close()
  expect(client.stats()).toMatchObject({ openStreams: 0, pendingRequests: 0, armedTimers: 0 })
  return client
}

describe('connect() negotiates the era itself', () => {
  test('2026-07-28 with the SDK v2 handler', async () => {
    const handler = createMcpHandler(() => buildV2Server())
    cleanups.push(() => handler.close())
    const client = await script('http://127.0.0.1/mcp', ((input, init) =>
      handler.fetch(new Request(input, init))) as typeof globalThis.fetch)
    expect(client.era).toBe('stateless')
    expect(client.protocolVersion).toBe('2026-07-28')
  })

  test('2025 sessions with @mcpwire/server (the discover probe is refused, initialize follows)', async () => {
    const server = await startMcpwire()
    cleanups.push(() => server.close())
    const client = await script(server.url)
    expect(client.era).toBe('session')
    expect(server.seen.filter((line) => line.startsWith('DELETE'))).toHaveLength(1)
  })

  test('2026-07-28 with the dual-era @mcpwire/server', async () => {
    const modern = createMcpHandler(() => buildV2Server(), { legacy: 'reject' } as never)
    const server = await startMcpwire({ modern })
    cleanups.push(async () => {
      await modern.close()
      await server.close()
    })
    const client = await script(server.url)
    expect(client.era).toBe('stateless')
  })

  test('legacy HTTP+SSE with the SDK v1 SSE server', async () => {
    const server = await startSdkLegacy()
    cleanups.push(() => server.close())
    const client = await script(server.url)
    expect(client.era).toBe('legacy')
  })

  test("transport: 'sse' pinned opens the legacy stream itself, with no Streamable HTTP probe", async () => {
    const server = await startMcpwire()
    cleanups.push(() => server.close())
    const client = await connect(server.url.replace('/mcp', '/sse'), {
      protocolVersion: '2024-11-05',
      transport: 'sse',
    })
    expect(client.era).toBe('legacy')
    const echoed = (await client.request('tools/call', {
      name: 'echo',
      arguments: { text: HOSTILE },
    })) as { content: unknown }
    expect(echoed.content).toEqual([{ type: 'text', text: HOSTILE }])
    await client.close()
    expect(server.seen.filter((line) => line.startsWith('POST /mcp'))).toEqual([])
    expect(client.stats()).toMatchObject({ openStreams: 0, pendingRequests: 0, armedTimers: 0 })
  })
})
