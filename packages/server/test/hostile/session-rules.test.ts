import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { afterEach, describe, expect, it } from 'vitest'
import { createMcpHandler, type McpHandler, type McpHandlerOptions } from '../../src/index.js'
import { FakeTimers } from '../_fake-timers.js'
import { BASE, initialize, post } from '../_requests.js'

const flush = () => new Promise((resolve) => setTimeout(resolve, 0))
const VERSION = '2025-11-25'
const IDLE_MS = 10_000
const ACCEPT = 'application/json, text/event-stream'

/** A handler on a fake clock whose `stall` tool never returns and `quit` tool closes its server. */
function harness(options: Partial<McpHandlerOptions> = {}) {
  const timers = new FakeTimers()
  const errors: unknown[] = []
  const mcp = createMcpHandler({
    timers,
    keepAliveMs: 0,
    sessionIdleMs: IDLE_MS,
    onerror: (error) => errors.push(error),
    connect(transport) {
      const server = new McpServer({ name: 't', version: '1' })
      server.registerTool('stall', { inputSchema: {} }, () => new Promise<never>(() => {}))
      server.registerTool('quit', { inputSchema: {} }, async () => {
        await server.close()
        return { content: [] }
      })
      return server.connect(transport)
    },
    ...options,
  })
  return { timers, errors, mcp }
}

let current: McpHandler | undefined
afterEach(async () => {
  await current?.close()
  current = undefined
})

const headers = (sessionId: string) => ({
  'mcp-session-id': sessionId,
  'mcp-protocol-version': VERSION,
})
const call = (id: number, name: string) =>
  JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: {} } })

describe('what keeps a session alive', () => {
  it('refuses ids and params the server would drop, so they never pin the session', async () => {
    const { timers, mcp } = harness()
    current = mcp
    const sessionId = await initialize(mcp)
    for (const body of [
      '{"jsonrpc":"2.0","id":1.5,"method":"ping"}',
      '{"jsonrpc":"2.0","id":1e20,"method":"ping"}',
      '{"jsonrpc":"2.0","id":3,"method":"ping","params":[]}',
    ]) {
      expect((await mcp.fetch(post(body, headers(sessionId)))).status).toBe(400)
    }
    timers.advance(IDLE_MS)
    await flush()
    expect(mcp.stats()).toMatchObject({ sessions: 0, streams: 0 })
  })

  it('a request in flight keeps the session; a request the client cancels no longer does', async () => {
    const { timers, mcp } = harness()
    current = mcp
    const sessionId = await initialize(mcp)
    const stalled = await mcp.fetch(post(call(5, 'stall'), headers(sessionId)))
    expect(stalled.status).toBe(200)
    timers.advance(IDLE_MS * 3)
    expect(mcp.stats()).toMatchObject({ sessions: 1, streams: 1 })
    // The SDK sends no response to a cancelled request: the POST's stream must end anyway.
    const cancel = JSON.stringify({
      jsonrpc: '2.0',
      method: 'notifications/cancelled',
      params: { requestId: 5, reason: 'user' },
    })
    expect((await mcp.fetch(post(cancel, headers(sessionId)))).status).toBe(202)
    await stalled.text() // ends
    expect(mcp.stats().streams).toBe(0)
    timers.advance(IDLE_MS)
    await flush()
    expect(mcp.stats().sessions).toBe(0)
  })

  it('answers a cancelled request in JSON mode with 202 and no body', async () => {
    const { mcp } = harness({ jsonResponse: true })
    current = mcp
    const sessionId = await initialize(mcp)
    const stalled = mcp.fetch(post(call(5, 'stall'), headers(sessionId)))
    await flush()
    const cancel = JSON.stringify({
      jsonrpc: '2.0',
      method: 'notifications/cancelled',
      params: { requestId: 5 },
    })
    await mcp.fetch(post(cancel, headers(sessionId)))
    expect((await stalled).status).toBe(202)
  })

  it('a server that closes its transport ends the session and every request in it', async () => {
    const { mcp } = harness()
    current = mcp
    const sessionId = await initialize(mcp)
    const stalled = await mcp.fetch(post(call(5, 'stall'), headers(sessionId)))
    const quit = await mcp.fetch(post(call(6, 'quit'), headers(sessionId)))
    await Promise.all([stalled.text(), quit.text()])
    expect(mcp.stats()).toMatchObject({ sessions: 0, streams: 0 })
    expect((await mcp.fetch(post(call(7, 'stall'), headers(sessionId)))).status).toBe(404)
  })

  it('a deleted session ends its requests in flight at once', async () => {
    const { mcp } = harness()
    current = mcp
    const sessionId = await initialize(mcp)
    const stalled = await mcp.fetch(post(call(5, 'stall'), headers(sessionId)))
    const del = new Request(`${BASE}/mcp`, { method: 'DELETE', headers: headers(sessionId) })
    expect((await mcp.fetch(del)).status).toBe(200)
    await stalled.text()
    expect(mcp.stats()).toMatchObject({ sessions: 0, streams: 0 })
  })

  it('an open GET stream keeps the session; the idle deadline restarts when it closes', async () => {
    const { timers, mcp } = harness()
    current = mcp
    const sessionId = await initialize(mcp)
    const abort = new AbortController()
    const get = await mcp.fetch(
      new Request(`${BASE}/mcp`, {
        headers: { ...headers(sessionId), accept: 'text/event-stream' },
        signal: abort.signal,
      }),
    )
    expect(get.status).toBe(200)
    timers.advance(IDLE_MS * 3)
    expect(mcp.stats().sessions).toBe(1)
    abort.abort()
    await flush()
    timers.advance(IDLE_MS - 1)
    expect(mcp.stats().sessions).toBe(1)
    timers.advance(1)
    await flush()
    expect(mcp.stats().sessions).toBe(0)
  })

  it('closes a session unused after initialize once unusedSessionIdleMs passes', async () => {
    const { timers, mcp } = harness({ sessionIdleMs: 30 * 60_000, unusedSessionIdleMs: 1000 })
    current = mcp
    const orphan = await mcp.fetch(post(initializeRequest()))
    await orphan.text()
    const used = await initialize(mcp)
    timers.advance(1000)
    await flush()
    expect(mcp.stats().sessions).toBe(1) // the orphan went, the used one stays
    const ping = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'ping' })
    expect((await mcp.fetch(post(ping, headers(used)))).status).toBe(200)
    const orphanId = orphan.headers.get('mcp-session-id')!
    expect((await mcp.fetch(post(ping, headers(orphanId)))).status).toBe(404)
  })

  it('closes an unused session on time when older sessions set a later deadline', async () => {
    const { timers, mcp } = harness({ sessionIdleMs: 30 * 60_000, unusedSessionIdleMs: 1000 })
    current = mcp
    await initialize(mcp) // used: its deadline is 30 minutes away
    timers.advance(10)
    await (await mcp.fetch(post(initializeRequest()))).text()
    timers.advance(1000)
    await flush()
    expect(mcp.stats().sessions).toBe(1)
  })

  it('defaults unusedSessionIdleMs to one minute', async () => {
    const { timers, mcp } = harness({ sessionIdleMs: 30 * 60_000 })
    current = mcp
    await (await mcp.fetch(post(initializeRequest()))).text()
    timers.advance(59_999)
    expect(mcp.stats().sessions).toBe(1)
    timers.advance(1)
    await flush()
    expect(mcp.stats().sessions).toBe(0)
  })

  it('caps sessions per principal with 429, leaving other principals alone', async () => {
    const { mcp } = harness({
      maxSessionsPerPrincipal: 2,
      authenticate: (request) => ({ principal: request.headers.get('x-user') ?? '' }),
    })
    current = mcp
    const as = (user: string) => ({ 'x-user': user })
    await initialize(mcp, VERSION, as('a'))
    await initialize(mcp, VERSION, as('a'))
    const third = await mcp.fetch(post(initializeRequest(), as('a')))
    expect(third.status).toBe(429)
    expect(third.headers.get('retry-after')).toBe('5')
    expect(((await third.json()) as { error: { code: number } }).error.code).toBe(-32000)
    await initialize(mcp, VERSION, as('b'))
    const legacy = await mcp.fetch(
      new Request(`${BASE}/sse`, { headers: { accept: 'text/event-stream', ...as('a') } }),
    )
    expect(legacy.status).toBe(429)
    expect(mcp.stats().sessions).toBe(3)
  })
})

describe('cheap refusals', () => {
  it('refuses a POST for an unknown session without reading its body', async () => {
    const { mcp } = harness()
    current = mcp
    let pulls = 0
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulls++
        controller.enqueue(new TextEncoder().encode('['.repeat(1024)))
      },
    })
    const request = new Request(`${BASE}/mcp`, {
      method: 'POST',
      headers: {
        accept: 'application/json, text/event-stream',
        'content-type': 'application/json',
        'mcp-session-id': 'forged',
      },
      body,
      duplex: 'half',
    } as RequestInit)
    const response = await mcp.fetch(request)
    expect(response.status).toBe(404)
    expect(((await response.json()) as { error: { code: number } }).error.code).toBe(-32001)
    // A runtime may pull once when the body is attached; the handler itself reads nothing.
    expect(pulls).toBeLessThanOrEqual(1)
  })
})

function initializeRequest(): string {
  return JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: VERSION, capabilities: {}, clientInfo: { name: 't', version: '1' } },
  })
}

describe.skipIf('Deno' in globalThis || 'Bun' in globalThis)(
  'cheap refusals on the direct Node path',
  () => {
    it('answers a POST for an unknown session before its body arrives, then closes the connection', async () => {
      const { serveHandler } = await import('../_fixture.js')
      const { connect } = await import('node:net')
      const running = await serveHandler({ keepAliveMs: 0 })
      try {
        const { port } = new URL(running.url)
        const socket = connect(Number(port), '127.0.0.1')
        socket.on('error', () => {})
        await new Promise((resolve) => socket.once('connect', resolve))
        let received = ''
        socket.on('data', (chunk) => {
          received += chunk.toString()
        })
        const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
        // Announces 50 MB and sends a few bytes of it: the answer must not wait for the rest.
        socket.write(
          `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: ${ACCEPT}\r\n` +
            'Content-Type: application/json\r\nMcp-Session-Id: forged\r\n' +
            `Content-Length: ${50 * 1024 * 1024}\r\n\r\n[[[[`,
        )
        await closed
        expect(received).toMatch(/^HTTP\/1\.1 404/)
        expect(received.toLowerCase()).toContain('connection: close')
        expect(received).toContain('-32001')
      } finally {
        await running.close()
      }
    })
  },
)
