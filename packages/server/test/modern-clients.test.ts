import {
  SdkError,
  Client as V2Client,
  StreamableHTTPClientTransport as V2Transport,
} from '@modelcontextprotocol/client'
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport as V1Transport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { afterEach, describe, expect, it } from 'vitest'
import { type RunningV2, serveV2 } from './_fixture-v2.js'
import { waitFor } from './_wait-for.js'

let running: RunningV2 | undefined
const clients: { close(): Promise<void> }[] = []
afterEach(async () => {
  for (const client of clients.splice(0)) await client.close().catch(() => {})
  await running?.close()
  running = undefined
})

function v2Client(mode: 'legacy' | 'auto' | { pin: string } | undefined): V2Client {
  const client = new V2Client(
    { name: 'v2-test', version: '1.0.0' },
    mode === undefined ? {} : { versionNegotiation: { mode } },
  )
  clients.push(client)
  return client
}

describe('clients of every era on one dual-era endpoint', () => {
  it('gives an SDK v1 client a session (2025-11-25) served by the SDK v2 server', async () => {
    running = await serveV2()
    const client = new V1Client({ name: 'v1', version: '1.0.0' })
    clients.push(client)
    const transport = new V1Transport(new URL(`${running.url}/mcp`))
    await client.connect(transport)
    expect(transport.sessionId).toBeDefined()
    expect(transport.protocolVersion).toBe('2025-11-25')
    const echo = await client.callTool({ name: 'echo', arguments: { text: 'a\n"b"\0ü' } })
    expect(echo.content).toEqual([{ type: 'text', text: 'a\n"b"\0ü' }])
    expect(running.mcp.stats()).toMatchObject({ sessions: 1, modernRequests: 0 })
  })

  it('gives an SDK v2 client in its default mode a session', async () => {
    running = await serveV2()
    const client = v2Client(undefined)
    const transport = new V2Transport(new URL(`${running.url}/mcp`))
    await client.connect(transport)
    expect(transport.sessionId).toBeDefined()
    expect(client.getNegotiatedProtocolVersion()).toBe('2025-11-25')
    const echo = await client.callTool({ name: 'echo', arguments: { text: 'legacy leg' } })
    expect(echo.content).toEqual([{ type: 'text', text: 'legacy leg' }])
    expect(running.mcp.stats().sessions).toBe(1)
  })

  it('serves an SDK v2 client in auto mode on the modern leg, without a session', async () => {
    running = await serveV2()
    const client = v2Client('auto')
    const transport = new V2Transport(new URL(`${running.url}/mcp`))
    await client.connect(transport)
    expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28')
    expect(transport.sessionId).toBeUndefined()
    const echo = await client.callTool({ name: 'echo', arguments: { text: 'a\n"b"\0ü' } })
    expect(echo.content).toEqual([{ type: 'text', text: 'a\n"b"\0ü' }])
    const progress: number[] = []
    const counted = await client.callTool({ name: 'count', arguments: { n: 3 } }, {
      onprogress: (p: { progress: number }) => progress.push(p.progress),
    } as never)
    expect(counted.content).toEqual([{ type: 'text', text: 'counted 3' }])
    expect(progress).toEqual([1, 2, 3])
    expect(running.mcp.stats().sessions).toBe(0)
    await waitFor(() => running?.mcp.stats().modernRequests === 0)
    expect(running.mcp.stats()).toMatchObject({ modernStreams: 0, streams: 0, bufferedBytes: 0 })
  })

  it('serves an SDK v2 client pinned to 2026-07-28', async () => {
    running = await serveV2()
    const client = v2Client({ pin: '2026-07-28' })
    await client.connect(new V2Transport(new URL(`${running.url}/mcp`)))
    expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28')
    const echo = await client.callTool({ name: 'echo', arguments: { text: 'pinned' } })
    expect(echo.content).toEqual([{ type: 'text', text: 'pinned' }])
  })

  it('lets an SDK v2 client in auto mode fall back to a session on a legacy-only endpoint', async () => {
    running = await serveV2({ modern: undefined })
    const client = v2Client('auto')
    const transport = new V2Transport(new URL(`${running.url}/mcp`))
    await client.connect(transport)
    expect(client.getNegotiatedProtocolVersion()).toBe('2025-11-25')
    expect(transport.sessionId).toBeDefined()
    const echo = await client.callTool({ name: 'echo', arguments: { text: 'fell back' } })
    expect(echo.content).toEqual([{ type: 'text', text: 'fell back' }])
  })

  it('gives an SDK v2 client pinned to 2026-07-28 a typed error on a legacy-only endpoint', async () => {
    running = await serveV2({ modern: undefined })
    const client = v2Client({ pin: '2026-07-28' })
    const failure = await client.connect(new V2Transport(new URL(`${running.url}/mcp`))).then(
      () => undefined,
      (error: unknown) => error,
    )
    expect(failure).toBeInstanceOf(SdkError)
    expect((failure as SdkError).code).toBe('ERA_NEGOTIATION_FAILED')
    expect(running.mcp.stats().sessions).toBe(0)
  })

  it('serves a modern-only endpoint (no connect) to an SDK v2 client in auto mode', async () => {
    running = await serveV2({ connect: undefined })
    const client = v2Client('auto')
    await client.connect(new V2Transport(new URL(`${running.url}/mcp`)))
    expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28')
    const echo = await client.callTool({ name: 'echo', arguments: { text: 'modern only' } })
    expect(echo.content).toEqual([{ type: 'text', text: 'modern only' }])
  })
})
