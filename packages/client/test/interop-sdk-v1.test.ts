import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { afterEach, describe, expect, test } from 'vitest'
import {
  HttpClientTransport,
  SseClientTransport,
  StreamableHttpClientTransport,
} from '../src/index.js'
import {
  HOSTILE,
  type RunningServer,
  startMcpwire,
  startSdkLegacy,
  startSdkStreamable,
} from './_fixture.js'

type AnyTransport = StreamableHttpClientTransport | SseClientTransport | HttpClientTransport

const servers: RunningServer[] = []
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close()
})

/** The interop script: initialize, tools/list, hostile echo, countdown progress, ping, close. */
async function script(transport: AnyTransport, progressOnRequestStream = true): Promise<void> {
  const client = new Client({ name: 'interop', version: '1.0.0' })
  const errors: Error[] = []
  client.onerror = (error) => errors.push(error)
  await client.connect(transport)
  const tools = await client.listTools()
  expect(tools.tools.map((tool) => tool.name).sort()).toEqual(['countdown', 'echo'])
  const echoed = await client.callTool({ name: 'echo', arguments: { text: HOSTILE } })
  expect(echoed.content).toEqual([{ type: 'text', text: HOSTILE }])
  const progress: number[] = []
  const counted = await client.callTool({ name: 'countdown', arguments: { n: 20 } }, undefined, {
    onprogress: (p) => progress.push(p.progress),
  })
  expect(counted.content).toEqual([{ type: 'text', text: 'counted 20' }])
  if (progressOnRequestStream) expect(progress).toEqual(Array.from({ length: 20 }, (_, i) => i + 1))
  await client.ping()
  await client.close()
  expect(errors).toEqual([])
  const stats = transport.stats()
  expect(stats).toMatchObject({
    state: 'closed',
    openStreams: 0,
    pendingRequests: 0,
    armedTimers: 0,
    inflightFetches: 0,
    queuedMessages: 0,
  })
}

describe('SDK v1 Client over @mcpwire/client', () => {
  test('StreamableHttpClientTransport against @mcpwire/server (node path) deletes its session on close', async () => {
    const server = await startMcpwire()
    servers.push(server)
    const transport = new StreamableHttpClientTransport(server.url)
    await script(transport)
    expect(server.seen.filter((line) => line.startsWith('DELETE'))).toHaveLength(1)
    expect(server.mcp.stats().sessions).toBe(0)
  })

  test('StreamableHttpClientTransport against @mcpwire/server in process (fetch path)', async () => {
    const server = await startMcpwire()
    servers.push(server)
    const transport = new StreamableHttpClientTransport('http://127.0.0.1/mcp', {
      fetch: (input, init) => server.mcp.fetch(new Request(input, init)),
    })
    await script(transport)
    expect(server.mcp.stats().sessions).toBe(0)
  })

  test('StreamableHttpClientTransport against @mcpwire/server answering in JSON', async () => {
    const server = await startMcpwire({ jsonResponse: true })
    servers.push(server)
    const transport = new StreamableHttpClientTransport(server.url)
    // Progress of a JSON-answered call goes to the listen stream, racing the result: not checked.
    await script(transport, false)
  })

  test('StreamableHttpClientTransport against the SDK v1 Node Streamable HTTP server', async () => {
    const server = await startSdkStreamable()
    servers.push(server)
    await script(new StreamableHttpClientTransport(server.url))
    expect(server.seen.filter((line) => line.startsWith('DELETE'))).toHaveLength(1)
  })

  test('SseClientTransport against the SDK v1 legacy SSE server', async () => {
    const server = await startSdkLegacy()
    servers.push(server)
    await script(new SseClientTransport(server.url))
  })

  test('SseClientTransport against the @mcpwire/server legacy endpoint', async () => {
    const server = await startMcpwire()
    servers.push(server)
    await script(new SseClientTransport(server.url.replace('/mcp', '/sse')))
  })

  test('HttpClientTransport falls back to legacy SSE on the SDK v1 SSE server (POST 405)', async () => {
    const server = await startSdkLegacy()
    servers.push(server)
    const transport = new HttpClientTransport(server.url)
    const fallbacks: number[] = []
    transport.on('fallback', (detail) => fallbacks.push(detail.status))
    await script(transport)
    expect(fallbacks).toEqual([405])
    expect(transport.kind).toBe('sse')
  })

  test('HttpClientTransport stays on Streamable HTTP when the server speaks it', async () => {
    const server = await startMcpwire()
    servers.push(server)
    const transport = new HttpClientTransport(server.url)
    await script(transport)
    expect(transport.kind).toBe('streamable-http')
  })
})
