import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { afterEach, describe, expect, it } from 'vitest'
import { createMcpHandler, type McpHandler, type McpTransport } from '../src/index.js'
import { BASE, initialize, readEvents } from './_requests.js'

let mcp: McpHandler | undefined
afterEach(async () => {
  await mcp?.close()
  expect(mcp?.stats()).toMatchObject({ sessions: 0, streams: 0, bufferedBytes: 0 })
})

describe('a client that never reads', () => {
  it('keeps buffered bytes under maxStreamBufferBytes, closes the stream and counts it, and loses nothing on resume', async () => {
    const maxStreamBufferBytes = 16 * 1024
    let transport: McpTransport | undefined
    mcp = createMcpHandler({
      maxStreamBufferBytes,
      keepAliveMs: 0,
      async connect(t) {
        transport = t
        await new McpServer({ name: 't', version: '1' }).connect(t)
      },
    })
    const sessionId = await initialize(mcp)
    const headers = {
      accept: 'text/event-stream',
      'mcp-session-id': sessionId,
      'mcp-protocol-version': '2025-11-25',
    }
    const stalled = await mcp.fetch(new Request(`${BASE}/mcp`, { headers }))
    expect(stalled.status).toBe(200)
    // Read only the priming event, then stop reading for good.
    const reader = stalled.body!.pipeThrough(new TextDecoderStream()).getReader()
    const priming = (await reader.read()).value ?? ''
    const primingId = /^id: (.+)$/m.exec(priming)?.[1]
    expect(primingId).toBeDefined()

    const payload = 'x'.repeat(1000)
    let maxSeen = 0
    for (let i = 0; i < 200; i++) {
      await transport!.send({
        jsonrpc: '2.0',
        method: 'notifications/message',
        params: { level: 'info', data: { i, payload } },
      })
      maxSeen = Math.max(maxSeen, mcp.stats().bufferedBytes)
    }
    expect(maxSeen).toBeGreaterThan(0)
    expect(maxSeen).toBeLessThanOrEqual(maxStreamBufferBytes)
    expect(mcp.stats()).toMatchObject({ overflowClosedStreams: 1, streams: 0, bufferedBytes: 0 })
    await reader.cancel()

    const resumed = await mcp.fetch(
      new Request(`${BASE}/mcp`, { headers: { ...headers, 'last-event-id': primingId! } }),
    )
    const resumedReader = resumed.body!.pipeThrough(new TextDecoderStream()).getReader()
    let text = ''
    while (!text.includes('"i":199,')) {
      const { done, value } = await resumedReader.read()
      if (done) break
      text += value
    }
    await resumedReader.cancel()
    const events = await readEvents(new Response(text))
    const indexes = events.map((e) => JSON.parse(e.data).params.data.i as number)
    expect(indexes).toEqual(Array.from({ length: 200 }, (_, i) => i))
  })
})
