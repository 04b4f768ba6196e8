import { connect as connectTcp } from 'node:net'
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { afterEach, describe, expect, it } from 'vitest'
import { buildServer, gates, type Running, serveHandler } from '../_fixture.js'
import { ACCEPT_BOTH } from '../_requests.js'
import { waitFor } from '../_wait-for.js'

const VERSION = '2025-11-25'
const isNode = !('Deno' in globalThis) && !('Bun' in globalThis)

let running: Running | undefined
afterEach(async () => {
  gates.reset()
  await running?.close()
  running = undefined
})

async function initializeOver(url: string): Promise<string> {
  const response = await fetch(`${url}/mcp`, {
    method: 'POST',
    headers: { accept: ACCEPT_BOTH, 'content-type': 'application/json' },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: VERSION,
        capabilities: {},
        clientInfo: { name: 't', version: '1' },
      },
    }),
  })
  await response.text()
  const sessionId = response.headers.get('mcp-session-id')!
  const done = await fetch(`${url}/mcp`, {
    method: 'POST',
    headers: { ...sessionHeaders(sessionId), 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
  })
  await done.text()
  return sessionId
}

function sessionHeaders(sessionId: string): Record<string, string> {
  return { accept: ACCEPT_BOTH, 'mcp-session-id': sessionId, 'mcp-protocol-version': VERSION }
}

/** Complete SSE events read from a body, across chunk boundaries. */
async function* sseEvents(body: NonNullable<Response['body']>) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader()
  let buffer = ''
  try {
    for (;;) {
      const { value, done } = await reader.read()
      if (done) return
      buffer += value
      let end = buffer.indexOf('\n\n')
      while (end !== -1) {
        const block = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        const id = /^id: (.*)$/m.exec(block)?.[1]
        const data = /^data: (.*)$/m.exec(block)?.[1]
        if (data !== undefined) yield { id, data }
        end = buffer.indexOf('\n\n')
      }
    }
  } finally {
    reader.releaseLock()
  }
}

describe('abort storms', () => {
  it('drains every stream and byte once a hundred POST, GET and legacy streams are aborted', async () => {
    running = await serveHandler({ keepAliveMs: 0 })
    const url = running.url
    const sessions = await Promise.all(Array.from({ length: 12 }, () => initializeOver(url)))
    const aborts: AbortController[] = []
    const opened: Promise<Response>[] = []
    const open = (path: string, init: RequestInit) => {
      const abort = new AbortController()
      aborts.push(abort)
      opened.push(fetch(`${url}${path}`, { ...init, signal: abort.signal }))
    }
    let id = 100
    for (const sessionId of sessions) {
      open('/mcp', { headers: { ...sessionHeaders(sessionId), accept: 'text/event-stream' } })
      for (let i = 0; i < 5; i++) {
        open('/mcp', {
          method: 'POST',
          headers: { ...sessionHeaders(sessionId), 'content-type': 'application/json' },
          body: JSON.stringify({
            jsonrpc: '2.0',
            id: id++,
            method: 'tools/call',
            params: { name: 'gated', arguments: {}, _meta: { progressToken: id } },
          }),
        })
      }
      open('/sse', { headers: { accept: 'text/event-stream' } })
    }
    const responses = await Promise.all(opened)
    expect(responses.every((response) => response.status === 200)).toBe(true)
    expect(running.mcp.stats().streams).toBe(sessions.length * 7)
    for (const abort of aborts) abort.abort()
    for (let i = 0; i < sessions.length * 5 * 3; i++) gates.open() // let the tools finish
    const mcp = running.mcp
    await waitFor(() => mcp.stats().streams === 0 && mcp.stats().sessions === sessions.length, 5000)
    expect(mcp.stats()).toMatchObject({
      streams: 0,
      bufferedBytes: 0,
      sessions: sessions.length, // the legacy sessions ended with their streams
    })
    await mcp.close()
    expect(mcp.stats()).toMatchObject({ sessions: 0, streams: 0, bufferedBytes: 0 })
  }, 20_000)
})

describe.skipIf(!isNode)('a client that never reads, over TCP', () => {
  it('keeps the queue under maxStreamBufferBytes, then closes the stream and counts it', async () => {
    const servers: McpServer[] = []
    const maxStreamBufferBytes = 256 * 1024
    running = await serveHandler({
      keepAliveMs: 0,
      maxStreamBufferBytes,
      connect: (transport) => {
        const server = buildServer()
        servers.push(server)
        return server.connect(transport)
      },
    })
    const sessionId = await initializeOver(running.url)
    const { port } = new URL(running.url)
    const socket = connectTcp(Number(port), '127.0.0.1')
    socket.on('error', () => {})
    await new Promise((resolve) => socket.once('connect', resolve))
    socket.pause() // never reads
    socket.write(
      `GET /mcp HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: text/event-stream\r\n` +
        `Mcp-Session-Id: ${sessionId}\r\nMcp-Protocol-Version: ${VERSION}\r\n\r\n`,
    )
    const mcp = running.mcp
    await waitFor(() => mcp.stats().streams === 1)
    const chunk = 'x'.repeat(64 * 1024)
    let maxSeen = 0
    for (let i = 0; i < 400 && mcp.stats().overflowClosedStreams === 0; i++) {
      await servers[0]!.server.notification({ method: 'notifications/big', params: { chunk } })
      maxSeen = Math.max(maxSeen, mcp.stats().bufferedBytes)
    }
    expect(maxSeen).toBeLessThanOrEqual(maxStreamBufferBytes + chunk.length + 1024)
    expect(mcp.stats()).toMatchObject({ overflowClosedStreams: 1, streams: 0, bufferedBytes: 0 })
    socket.destroy()
  }, 20_000)
})

describe('resume after drops', () => {
  it('gets every event exactly once, in order, across many dropped connections', async () => {
    running = await serveHandler({ keepAliveMs: 0 })
    const url = running.url
    const sessionId = await initializeOver(url)
    const total = 300
    const seen: string[] = []
    let lastId: string | undefined
    let abort = new AbortController()
    let response = await fetch(`${url}/mcp`, {
      method: 'POST',
      headers: { ...sessionHeaders(sessionId), 'content-type': 'application/json' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 7,
        method: 'tools/call',
        params: { name: 'count', arguments: { n: total }, _meta: { progressToken: 'c' } },
      }),
      signal: abort.signal,
    })
    let drops = 0
    for (let budget = 1; ; budget = (budget * 7) % 23) {
      let read = 0
      let ended = true
      for await (const event of sseEvents(response.body!)) {
        if (event.id !== undefined) lastId = event.id
        if (event.data !== '') seen.push(event.data)
        if (++read >= budget + 5) {
          ended = false
          break
        }
      }
      if (ended) break
      abort.abort() // drop the connection mid-stream
      drops++
      abort = new AbortController()
      response = await fetch(`${url}/mcp`, {
        headers: {
          ...sessionHeaders(sessionId),
          accept: 'text/event-stream',
          'last-event-id': lastId!,
        },
        signal: abort.signal,
      })
      expect(response.status).toBe(200)
    }
    expect(drops).toBeGreaterThan(10)
    const progress = seen
      .map((data) => JSON.parse(data) as { method?: string; params?: { progress: number } })
      .filter((m) => m.method === 'notifications/progress')
      .map((m) => m.params!.progress)
    expect(progress).toEqual(Array.from({ length: total }, (_, i) => i + 1))
    expect(seen.filter((data) => data.includes('"result"'))).toHaveLength(1)
    expect(seen.at(-1)).toContain(`counted ${total}`)
  }, 20_000)
})
