import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { afterEach, describe, expect, it } from 'vitest'
import { createMcpHandler, type McpHandler } from '../src/index.js'
import { buildServer, gates, type Running, serveHandler } from './_fixture.js'
import { BASE, initialize, post, readEvents } from './_requests.js'
import { waitFor } from './_wait-for.js'

let mcp: McpHandler | undefined
let running: Running | undefined
afterEach(async () => {
  gates.reset()
  await running?.close()
  await mcp?.close()
  running = undefined
  mcp = undefined
})

/** An SDK client whose reconnections (polling and resumption) wait milliseconds, not seconds. */
async function connectFastReconnectingClient(
  url: string,
): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const client = new Client({ name: 't', version: '1' })
  const transport = new StreamableHTTPClientTransport(new URL(`${url}/mcp`), {
    reconnectionOptions: {
      initialReconnectionDelay: 10,
      maxReconnectionDelay: 50,
      reconnectionDelayGrowFactor: 1,
      maxRetries: 5,
    },
  })
  await client.connect(transport)
  return { client, transport }
}

function call(id: number, name: string): string {
  return JSON.stringify({
    jsonrpc: '2.0',
    id,
    method: 'tools/call',
    params: { name, arguments: {}, _meta: { progressToken: `p${id}` } },
  })
}

describe('resumable streams', () => {
  it('starts a 2025-11-25 stream with a priming event carrying retry, and not for older versions', async () => {
    mcp = createMcpHandler({ connect: (t) => buildServer().connect(t), retryMs: 1234 })
    const sessionId = await initialize(mcp, '2025-11-25')
    const ping = JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'ping' })
    const headers = { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' }
    const text = await (await mcp.fetch(post(ping, headers))).text()
    expect(text).toMatch(/^id: [^\n]+\nretry: 1234\ndata: \n\n/)

    const old = await initialize(mcp, '2025-06-18')
    const oldText = await (
      await mcp.fetch(post(ping, { 'mcp-session-id': old, 'mcp-protocol-version': '2025-06-18' }))
    ).text()
    expect(oldText).not.toContain('retry:')
    expect(oldText).not.toContain('data: \n')
    expect(oldText).toContain('"id":5')
  })

  it('replays after a dropped connection exactly the events the client missed, then continues live', async () => {
    mcp = createMcpHandler({ connect: (t) => buildServer().connect(t) })
    const sessionId = await initialize(mcp)
    const headers = { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' }
    const abort = new AbortController()
    const response = await mcp.fetch(post(call(7, 'gated'), headers, '/mcp', abort.signal))
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
    let seen = ''
    while (!seen.includes('"progress":1')) seen += (await reader.read()).value ?? ''
    const lastId = [...seen.matchAll(/^id: (.+)$/gm)].at(-1)?.[1]
    expect(lastId).toBeDefined()
    abort.abort()
    await waitFor(() => mcp?.stats().streams === 0)
    expect(mcp.stats().streams).toBe(0)

    gates.open() // progress 2 goes to the store only
    await waitFor(() => gates.waiting.length === 1)
    const resumed = await mcp.fetch(
      new Request(`${BASE}/mcp`, {
        headers: { ...headers, accept: 'text/event-stream', 'last-event-id': lastId! },
      }),
    )
    expect(resumed.status).toBe(200)
    gates.open() // progress 3, live on the resumed connection
    gates.open() // the result
    const events = await readEvents(resumed)
    const messages = events.filter((e) => e.data !== '').map((e) => JSON.parse(e.data))
    expect(messages.map((m) => m.params?.progress ?? m.result?.content?.[0]?.text)).toEqual([
      2,
      3,
      'gated done',
    ])
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length)
  })

  it('lets a tool close its stream early so the SDK client polls and gets everything once', async () => {
    running = await serveHandler({ retryMs: 10 })
    const { client, transport } = await connectFastReconnectingClient(running.url)
    const progress: number[] = []
    const result = await client.callTool({ name: 'reconnect', arguments: {} }, undefined, {
      onprogress: (p) => progress.push(p.progress),
    })
    expect(result.content).toEqual([{ type: 'text', text: 'after reconnect' }])
    expect(progress).toEqual([1, 2])
    await transport.terminateSession()
    await client.close()
  })

  it('resumes an SDK client after its connection drops mid-call: nothing lost, nothing duplicated', async () => {
    running = await serveHandler({ retryMs: 10 })
    const { client } = await connectFastReconnectingClient(running.url)
    const progress: number[] = []
    const result = client.callTool({ name: 'gated', arguments: {} }, undefined, {
      onprogress: (p) => progress.push(p.progress),
    })
    await waitFor(() => progress.length === 1)
    running.dropConnections()
    gates.open() // progress 2 while the client is disconnected
    gates.open() // progress 3
    gates.open() // the result
    expect((await result).content).toEqual([{ type: 'text', text: 'gated done' }])
    expect(progress).toEqual([1, 2, 3])
    await client.close()
  })
})
