import {
  Client as V2Client,
  StreamableHTTPClientTransport as V2Transport,
} from '@modelcontextprotocol/client'
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport as V1Transport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type {
  McpHttpHandler,
  MessageExtraInfo as V2MessageExtraInfo,
  Transport as V2ServerTransport,
} from '@modelcontextprotocol/server'
import { afterEach, describe, expect, expectTypeOf, it, vi } from 'vitest'
import { createMcpHandler, type McpTransport, type ModernHandler } from '../src/index.js'
import { NodeIncoming } from '../src/node/node-incoming.js'
import { type Running, serveHandler } from './_fixture.js'
import { buildV2Server, type RunningV2, seenRequests, serveV2 } from './_fixture-v2.js'
import { initialize, post, readEvents } from './_requests.js'
import { waitFor } from './_wait-for.js'

let running: RunningV2 | Running | undefined
const clients: { close(): Promise<void> }[] = []
afterEach(async () => {
  vi.restoreAllMocks()
  for (const client of clients.splice(0)) await client.close().catch(() => {})
  await running?.close()
  running = undefined
  seenRequests.length = 0
})

async function connectV2(url: string): Promise<{ client: V2Client; transport: V2Transport }> {
  const client = new V2Client({ name: 'v2', version: '1.0.0' })
  clients.push(client)
  const transport = new V2Transport(new URL(`${url}/mcp`))
  await client.connect(transport)
  return { client, transport }
}

function text(result: { content?: unknown }): string {
  return (result.content as { text: string }[])[0]!.text
}

describe('SDK v2 types', () => {
  it('takes the SDK v2 createMcpHandler result as ModernHandler', () => {
    expectTypeOf<McpHttpHandler>().toExtend<ModernHandler>()
  })
  it('hands connect a transport the SDK v2 server accepts as its Transport', () => {
    expectTypeOf<McpTransport>().toExtend<V2ServerTransport>()
    expectTypeOf<V2MessageExtraInfo>().toExtend<
      NonNullable<Parameters<NonNullable<McpTransport['onmessage']>>[1]>
    >()
  })
})

describe('SDK v2 servers on the legacy leg', () => {
  it('see the HTTP request, body-less, as ctx.http.req', async () => {
    running = await serveV2()
    const { client } = await connectV2(running.url)
    const seen = JSON.parse(text(await client.callTool({ name: 'whoami', arguments: {} })))
    expect(seen).toEqual({
      url: `${running.url}/mcp`,
      accept: expect.stringContaining('text/event-stream'),
      hasBody: false,
      isRequest: true,
    })
  })

  it('build that request only when a handler reads it (none for an SDK v1 server)', async () => {
    const built = vi.spyOn(NodeIncoming.prototype, 'toBodylessRequest')
    running = await serveHandler()
    const client = new V1Client({ name: 'v1', version: '1.0.0' })
    clients.push(client)
    await client.connect(new V1Transport(new URL(`${running.url}/mcp`)))
    await client.callTool({ name: 'echo', arguments: { text: 'x' } })
    await client.listTools()
    expect(built).not.toHaveBeenCalled()
  })

  it('reach closeSSEStream as ctx.http.closeSSE, and the client resumes the call', async () => {
    running = await serveV2()
    const { client } = await connectV2(running.url)
    const progress: number[] = []
    const result = await client.callTool({ name: 'closes-stream', arguments: {} }, {
      onprogress: (p: { progress: number }) => progress.push(p.progress),
    } as never)
    expect(text(result)).toBe('after reconnect')
    expect(progress).toEqual([1, 2])
  })

  it('hibernate and wake with their session intact (replayed into a new SDK v2 server)', async () => {
    let connects = 0
    const mcp = createMcpHandler({
      connect: (transport) => {
        connects++
        return buildV2Server().connect(transport)
      },
      hibernateAfterMs: 1,
      onerror: () => {},
    })
    const session = await initialize(mcp)
    const headers = { 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25' }
    const call = async (id: number, value: string) => {
      const body = JSON.stringify({
        jsonrpc: '2.0',
        id,
        method: 'tools/call',
        params: { name: 'echo', arguments: { text: value } },
      })
      const events = await readEvents(await mcp.fetch(post(body, headers)))
      const answer = events.find((event) => event.data !== '') // after the priming event
      return JSON.parse(answer!.data).result.content[0].text
    }
    expect(await call(2, 'one')).toBe('one')
    await waitFor(() => mcp.stats().hibernatedSessions === 1)
    expect(mcp.stats()).toMatchObject({ sessions: 1, hibernatedSessions: 1 })
    expect(await call(3, 'two')).toBe('two')
    expect(connects).toBe(2)
    expect(mcp.stats()).toMatchObject({ sessions: 1, hibernatedSessions: 0 })
    await mcp.close()
  })
})
