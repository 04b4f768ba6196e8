import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { describe, expect, it } from 'vitest'
import { createMcpHandler, InMemoryEventStore } from '../src/index.js'
import { FakeTimers } from './_fake-timers.js'
import { BASE, initialize, post } from './_requests.js'

const flush = () => new Promise((resolve) => setTimeout(resolve, 0))

describe('session lifecycle', () => {
  it('closes an idle session after sessionIdleMs, fires onclose once, and then answers 404', async () => {
    const timers = new FakeTimers()
    let closes = 0
    const mcp = createMcpHandler({
      timers,
      sessionIdleMs: 1000,
      async connect(transport) {
        await new McpServer({ name: 't', version: '1' }).connect(transport)
        const onclose = transport.onclose
        transport.onclose = () => {
          closes++
          onclose?.()
        }
      },
    })
    const sessionId = await initialize(mcp)
    timers.advance(999)
    expect(mcp.stats().sessions).toBe(1)
    timers.advance(1)
    await flush()
    expect(mcp.stats().sessions).toBe(0)
    expect(closes).toBe(1)
    expect(timers.size).toBe(0)
    const ping = JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'ping' })
    const response = await mcp.fetch(post(ping, { 'mcp-session-id': sessionId }))
    expect(response.status).toBe(404)
    await mcp.close()
    expect(closes).toBe(1)
  })

  it('keeps a session with an open GET stream alive, sends keep-alive comments, and expires it after the client leaves', async () => {
    const timers = new FakeTimers()
    const mcp = createMcpHandler({
      timers,
      sessionIdleMs: 1000,
      keepAliveMs: 300,
      connect: (transport) => new McpServer({ name: 't', version: '1' }).connect(transport),
    })
    const sessionId = await initialize(mcp)
    const abort = new AbortController()
    const get = await mcp.fetch(
      new Request(`${BASE}/mcp`, {
        headers: {
          accept: 'text/event-stream',
          'mcp-session-id': sessionId,
          'mcp-protocol-version': '2025-11-25',
        },
        signal: abort.signal,
      }),
    )
    const reader = get.body!.pipeThrough(new TextDecoderStream()).getReader()
    expect((await reader.read()).value).toMatch(/^id: .+\nretry: 1000\ndata: \n\n$/)
    timers.advance(5000)
    expect(mcp.stats()).toMatchObject({ sessions: 1, streams: 1 })
    expect((await reader.read()).value).toBe(': keep-alive\n\n')
    abort.abort()
    await flush()
    expect(mcp.stats().streams).toBe(0)
    timers.advance(1000)
    await flush()
    expect(mcp.stats()).toMatchObject({ sessions: 0, streams: 0, bufferedBytes: 0 })
    expect(timers.size).toBe(0)
  })

  it('DELETE ends the session and closes its streams', async () => {
    const mcp = createMcpHandler({
      connect: (transport) => new McpServer({ name: 't', version: '1' }).connect(transport),
    })
    const sessionId = await initialize(mcp)
    const get = await mcp.fetch(
      new Request(`${BASE}/mcp`, {
        headers: { accept: 'text/event-stream', 'mcp-session-id': sessionId },
      }),
    )
    const body = get.text()
    const del = await mcp.fetch(
      new Request(`${BASE}/mcp`, { method: 'DELETE', headers: { 'mcp-session-id': sessionId } }),
    )
    expect(del.status).toBe(200)
    await body
    expect(mcp.stats()).toMatchObject({ sessions: 0, streams: 0 })
    await mcp.close()
  })

  it('keeps a long session bounded: only the latest ended POST streams stay resumable, and all go at the end', async () => {
    const eventStore = new InMemoryEventStore()
    const mcp = createMcpHandler({
      eventStore,
      connect: (transport) => new McpServer({ name: 't', version: '1' }).connect(transport),
    })
    const sessionId = await initialize(mcp)
    const headers = { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' }
    for (let id = 10; id < 60; id++) {
      const response = await mcp.fetch(
        post(JSON.stringify({ jsonrpc: '2.0', id, method: 'ping' }), headers),
      )
      expect(await response.text()).toContain(`"id":${id}`)
    }
    expect(eventStore.size).toBeLessThanOrEqual(17)
    await mcp.close()
    expect(eventStore.size).toBe(0)
  })
})
