// The legacy HTTP+SSE session against a real @mcpwire/server on node:http whose connections are
// cut, or which is shut down, in the middle of a call (rule R-X3).
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { afterEach, describe, expect, test } from 'vitest'
import { SseClientTransport } from '../src/index.js'
import { buildServer, HOSTILE, type RunningServer, startMcpwire } from './_fixture.js'

const servers: RunningServer[] = []
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close()
})

/** The fixture server plus a `hang` tool that never answers, so a call is owed when the cut comes. */
async function startWithHangingTool() {
  const server = await startMcpwire({
    connect: (transport) => {
      const mcp = buildServer()
      mcp.registerTool('hang', {}, () => new Promise<never>(() => {}))
      return mcp.connect(transport)
    },
  })
  servers.push(server)
  return server
}

async function connected(url: string) {
  // A short backoff and budget: a restore retries a server that is down until the budget is spent.
  const transport = new SseClientTransport(url.replace('/mcp', '/sse'), {
    reconnect: { initialDelayMs: 20, maxElapsedMs: 500 },
  })
  const client = new Client({ name: 'legacy-loss', version: '1.0.0' })
  const errors: Error[] = []
  const sessions: string[] = []
  let closes = 0
  transport.on('session', ({ kind }) => sessions.push(kind))
  await client.connect(transport)
  // The SDK Client installs its own onerror/onclose in connect(); wrap them.
  const onerror = transport.onerror
  transport.onerror = (error) => {
    errors.push(error)
    onerror?.(error)
  }
  const onclose = transport.onclose
  transport.onclose = () => {
    closes++
    onclose?.()
  }
  return { transport, client, errors, sessions, closes: () => closes }
}

/** Waits until `predicate` holds, polling the event loop (bounded). */
async function until(predicate: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !predicate(); i++) await new Promise((r) => setTimeout(r, 10))
  expect(predicate()).toBe(true)
}

describe('SseClientTransport against a real server that loses the stream mid-call', () => {
  test('a cut connection fails the owed call at once, and the Client goes on in a restored session', async () => {
    const server = await startWithHangingTool()
    const t = await connected(server.url)
    const owed = t.client.callTool({ name: 'hang', arguments: {} }, undefined, { timeout: 30_000 })
    // Owed, and its POST answered 202: only the stream can answer it now.
    await until(() => {
      const stats = t.transport.stats()
      return stats.pendingRequests === 1 && stats.inflightFetches === 0
    })
    server.cut()
    // Failed by the transport: the 30 s request timeout would outlast the test's own 5 s one.
    await expect(owed).rejects.toMatchObject({ code: -32000 })
    await until(() => t.sessions.length === 2)
    expect(t.sessions).toEqual(['expired', 'restored'])
    const echoed = await t.client.callTool({ name: 'echo', arguments: { text: HOSTILE } })
    expect(echoed.content).toEqual([{ type: 'text', text: HOSTILE }])
    expect(server.seen.filter((line) => line.startsWith('GET /sse'))).toHaveLength(2)
    expect(t.errors).toEqual([])
    expect(t.closes()).toBe(0)
    expect(t.transport.stats()).toMatchObject({ sessionRestarts: 1, synthesizedErrors: 1 })
    await t.client.close()
    expect(t.closes()).toBe(1)
    expect(t.transport.stats()).toMatchObject({
      openStreams: 0,
      pendingRequests: 0,
      armedTimers: 0,
      inflightFetches: 0,
      queuedMessages: 0,
    })
  })

  test('a server shut down mid-call fails the owed call at once, retries the stream until the budget is spent, and closes the transport once', async () => {
    const server = await startWithHangingTool()
    const t = await connected(server.url)
    const owed = t.client.callTool({ name: 'hang', arguments: {} }, undefined, { timeout: 30_000 })
    // Owed, and its POST answered 202: only the stream can answer it now.
    await until(() => {
      const stats = t.transport.stats()
      return stats.pendingRequests === 1 && stats.inflightFetches === 0
    })
    await server.close()
    servers.splice(servers.indexOf(server), 1)
    const attempts: number[] = []
    t.transport.on('reconnect', ({ attempt }) => attempts.push(attempt))
    await expect(owed).rejects.toMatchObject({ code: -32000 })
    await until(() => t.closes() === 1)
    // 20, 40, 80, 160 ms (+ jitter): four or five attempts fit in the 500 ms budget.
    expect(attempts.length).toBeGreaterThanOrEqual(4)
    expect(attempts).toEqual(attempts.map((_, i) => i))
    expect(t.errors.map((error) => error.name)).toEqual(['SessionExpiredError'])
    expect(t.sessions).toEqual(['expired'])
    expect(t.transport.stats()).toMatchObject({
      state: 'closed',
      openStreams: 0,
      pendingRequests: 0,
      armedTimers: 0,
      inflightFetches: 0,
      queuedMessages: 0,
      sessionRestarts: 0,
    })
  })
})
