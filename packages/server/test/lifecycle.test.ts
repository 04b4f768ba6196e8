import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { describe, expect, it } from 'vitest'
import { createMcpHandler, InMemoryEventStore } from '../src/index.js'
import { FakeTimers } from './_fake-timers.js'
import { BASE, initialize, post, readEvents } from './_requests.js'

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

  it('replays an ended POST stream from its priming event id, until 16 newer streams have ended', async () => {
    const mcp = createMcpHandler({
      connect: (transport) => new McpServer({ name: 't', version: '1' }).connect(transport),
    })
    const sessionId = await initialize(mcp)
    const headers = { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' }
    const primingIds: string[] = []
    for (let id = 10; id < 27; id++) {
      const response = await mcp.fetch(
        post(JSON.stringify({ jsonrpc: '2.0', id, method: 'ping' }), headers),
      )
      const [priming] = await readEvents(response)
      primingIds.push(priming!.id!)
    }
    const resume = (lastEventId: string) =>
      mcp.fetch(
        new Request(`${BASE}/mcp`, {
          headers: { ...headers, accept: 'text/event-stream', 'last-event-id': lastEventId },
        }),
      )
    // The oldest of the 17 ended streams is forgotten (400: the session lives on); the next one
    // still replays its response.
    expect((await resume(primingIds[0]!)).status).toBe(400)
    const replayed = await readEvents(await resume(primingIds[1]!))
    expect(replayed.map((event) => JSON.parse(event.data))).toEqual([
      { jsonrpc: '2.0', id: 11, result: {} },
    ])
    expect(mcp.stats()).toMatchObject({ sessions: 1, streams: 0 })
    await mcp.close()
  })

  it('expires each session at its own deadline with a single timer for all of them', async () => {
    const timers = new FakeTimers()
    const mcp = createMcpHandler({
      timers,
      sessionIdleMs: 1000,
      connect: (transport) => new McpServer({ name: 't', version: '1' }).connect(transport),
    })
    const first = await initialize(mcp) // t = 0
    timers.advance(400)
    const second = await initialize(mcp) // t = 400
    timers.advance(400)
    const third = await initialize(mcp) // t = 800
    timers.advance(100)
    const ping = JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'ping' })
    const pinged = await mcp.fetch(
      post(ping, { 'mcp-session-id': first, 'mcp-protocol-version': '2025-11-25' }),
    )
    await pinged.text() // t = 900: the first session is active again
    expect(timers.size).toBe(1)
    const alive = async (sessionId: string) => {
      const response = await mcp.fetch(
        post(ping, { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' }),
      )
      await response.text()
      return response.status === 200
    }
    timers.advance(499) // t = 1399
    await flush()
    expect(mcp.stats().sessions).toBe(3)
    timers.advance(1) // t = 1400: the second session's deadline
    await flush()
    expect(mcp.stats().sessions).toBe(2)
    expect(await alive(second)).toBe(false)
    timers.advance(400) // t = 1800: the third's
    await flush()
    expect(await alive(third)).toBe(false)
    expect(mcp.stats().sessions).toBe(1)
    timers.advance(100) // t = 1900: the first's (pinged at 900)
    await flush()
    expect(mcp.stats().sessions).toBe(0)
    expect(await alive(first)).toBe(false)
    expect(timers.size).toBe(0)
  })
})
