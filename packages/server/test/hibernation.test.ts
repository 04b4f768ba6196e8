import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import {
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
} from '@modelcontextprotocol/sdk/types.js'
import { afterEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import {
  createMcpHandler,
  InMemoryEventStore,
  type McpHandler,
  type McpHandlerOptions,
  type McpMessage,
  type McpTransport,
} from '../src/index.js'
import { MAX_REPLAYED_SUBSCRIPTIONS } from '../src/session/replay-log.js'
import { WAKE_TIMEOUT_MS } from '../src/session/session.js'
import { FakeTimers } from './_fake-timers.js'
import { type Running, serveHandler } from './_fixture.js'
import { BASE, initialize, post, readEvents } from './_requests.js'
import { waitFor } from './_wait-for.js'

const flush = () => new Promise((resolve) => setTimeout(resolve, 0))
const VERSION = '2025-11-25'

/** A server whose tools show what it knows of its client, and a log of what happened to servers. */
function harness(options: Partial<McpHandlerOptions> = {}) {
  const timers = new FakeTimers()
  const log = {
    connects: 0,
    closes: 0,
    initialized: 0,
    servers: [] as McpServer[],
    transports: [] as McpTransport[],
    errors: [] as unknown[],
    waiting: [] as (() => void)[],
  }
  const mcp = createMcpHandler({
    timers,
    hibernateAfterMs: 1000,
    sessionIdleMs: 60_000,
    keepAliveMs: 0,
    onerror: (error) => log.errors.push(error),
    async connect(transport) {
      log.connects++
      const server = new McpServer(
        { name: 'sleepy', version: '1' },
        { capabilities: { logging: {} } },
      )
      server.registerTool('whoami', { inputSchema: {} }, async () => ({
        content: [
          {
            type: 'text',
            text: JSON.stringify({
              client: server.server.getClientVersion(),
              capabilities: server.server.getClientCapabilities(),
            }),
          },
        ],
      }))
      server.registerTool('log', { inputSchema: {} }, async (_args, extra) => {
        await server.server.sendLoggingMessage(
          { level: 'info', data: 'info line' },
          extra.sessionId,
        )
        await server.server.sendLoggingMessage(
          { level: 'error', data: 'error line' },
          extra.sessionId,
        )
        return { content: [{ type: 'text', text: 'logged' }] }
      })
      server.registerTool('echo', { inputSchema: { text: z.string() } }, async ({ text }) => ({
        content: [{ type: 'text', text }],
      }))
      const subscribed = new Set<string>()
      server.server.registerCapabilities({ resources: { subscribe: true } })
      server.server.setRequestHandler(SubscribeRequestSchema, (request) => {
        subscribed.add(request.params.uri)
        return {}
      })
      server.server.setRequestHandler(UnsubscribeRequestSchema, (request) => {
        subscribed.delete(request.params.uri)
        return {}
      })
      server.registerTool('subscriptions', { inputSchema: {} }, async () => ({
        content: [{ type: 'text', text: JSON.stringify([...subscribed].sort()) }],
      }))
      server.registerTool('wait', { inputSchema: {} }, async () => {
        await new Promise<void>((resolve) => log.waiting.push(resolve))
        return { content: [{ type: 'text', text: 'waited' }] }
      })
      server.server.oninitialized = () => void log.initialized++
      log.servers.push(server)
      log.transports.push(transport)
      await server.connect(transport)
      const onclose = transport.onclose
      transport.onclose = () => {
        log.closes++
        onclose?.()
      }
    },
    ...options,
  })
  return { timers, log, mcp }
}

function headersFor(sessionId: string): Record<string, string> {
  return { 'mcp-session-id': sessionId, 'mcp-protocol-version': VERSION }
}

/** Sends one request on the session and reads its answer stream. */
async function request(mcp: McpHandler, sessionId: string, method: string, params: unknown) {
  const body = JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params })
  return readEvents(await mcp.fetch(post(body, headersFor(sessionId))))
}

let nextId = 100
async function callTool(
  mcp: McpHandler,
  sessionId: string,
  name: string,
  args: Record<string, unknown> = {},
) {
  const id = nextId++
  const body = JSON.stringify({
    jsonrpc: '2.0',
    id,
    method: 'tools/call',
    params: { name, arguments: args },
  })
  const response = await mcp.fetch(post(body, headersFor(sessionId)))
  const messages =
    response.status === 200
      ? (await readEvents(response)).filter((e) => e.data !== '').map((e) => JSON.parse(e.data))
      : []
  return { id, status: response.status, messages }
}

function getStream(mcp: McpHandler, sessionId: string, signal: AbortSignal) {
  return mcp.fetch(
    new Request(`${BASE}/mcp`, {
      headers: { accept: 'text/event-stream', ...headersFor(sessionId) },
      signal,
    }),
  )
}

describe('hibernateAfterMs', () => {
  it('lets an idle session’s server go and rebuilds it on the next request, unseen by the client', async () => {
    const { timers, log, mcp } = harness()
    const sessionId = await initialize(mcp)
    timers.advance(999)
    expect(mcp.stats()).toMatchObject({ sessions: 1, hibernatedSessions: 0 })
    timers.advance(1)
    expect(mcp.stats()).toMatchObject({ sessions: 1, hibernatedSessions: 1 })
    expect(log.closes).toBe(1)

    const call = await callTool(mcp, sessionId, 'whoami')
    expect(call.status).toBe(200)
    // Only the answer to this request: the rebuilt server's InitializeResult stays inside.
    expect(call.messages).toHaveLength(1)
    expect(call.messages[0].id).toBe(call.id)
    const known = JSON.parse(call.messages[0].result.content[0].text)
    expect(known).toEqual({ client: { name: 't', version: '1' }, capabilities: {} })
    expect(log.connects).toBe(2)
    expect(log.initialized).toBe(2) // notifications/initialized was replayed too
    expect(log.transports[1]!.sessionId).toBe(sessionId)
    expect(mcp.stats()).toMatchObject({ sessions: 1, hibernatedSessions: 0, rebuiltServers: 1 })

    timers.advance(1000)
    expect(mcp.stats().hibernatedSessions).toBe(1)
    expect(log.closes).toBe(2)
    await mcp.close()
    expect(log.closes).toBe(2) // each transport's onclose fired once
    expect(mcp.stats()).toMatchObject({ sessions: 0, hibernatedSessions: 0, streams: 0 })
    expect(timers.size).toBe(0)
  })

  it('replays the last logging/setLevel, so the rebuilt server filters logs as before', async () => {
    const { timers, log, mcp } = harness()
    const sessionId = await initialize(mcp)
    const set = await request(mcp, sessionId, 'logging/setLevel', { level: 'error' })
    expect(set.map((e) => e.data).join('')).toContain('"result":{}')
    timers.advance(1000)
    expect(mcp.stats().hibernatedSessions).toBe(1)

    const abort = new AbortController()
    const get = await getStream(mcp, sessionId, abort.signal) // wakes the server
    expect(get.status).toBe(200)
    expect(log.connects).toBe(2)
    const reader = get.body!.pipeThrough(new TextDecoderStream()).getReader()
    const call = await callTool(mcp, sessionId, 'log')
    expect(call.messages.map((m) => m.id)).toEqual([call.id])
    // The tool logs at info, then at error: with the level replayed, only the error comes.
    let text = ''
    while (!text.includes('error line')) text += (await reader.read()).value ?? ''
    expect(text).not.toContain('info line')
    abort.abort()
    await mcp.close()
  })

  it('replays resource subscriptions, without the ones the client dropped', async () => {
    const { timers, log, mcp } = harness()
    const sessionId = await initialize(mcp)
    await request(mcp, sessionId, 'resources/subscribe', { uri: 'test://a' })
    await request(mcp, sessionId, 'resources/subscribe', { uri: 'test://b' })
    await request(mcp, sessionId, 'resources/unsubscribe', { uri: 'test://a' })
    timers.advance(1000)
    expect(mcp.stats().hibernatedSessions).toBe(1)
    const call = await callTool(mcp, sessionId, 'subscriptions')
    expect(log.connects).toBe(2)
    expect(JSON.parse(call.messages[0].result.content[0].text)).toEqual(['test://b'])
    await mcp.close()
  })

  it('keeps the server of a session with more subscriptions than a replay holds', async () => {
    const { timers, mcp } = harness()
    const sessionId = await initialize(mcp)
    for (let i = 0; i <= MAX_REPLAYED_SUBSCRIPTIONS; i++) {
      await request(mcp, sessionId, 'resources/subscribe', { uri: `test://${i}` })
    }
    timers.advance(5000)
    expect(mcp.stats()).toMatchObject({ sessions: 1, hibernatedSessions: 0 })
    await mcp.close()
  })

  it('wakes a server that refused the client’s logging/setLevel: only initialize must succeed', async () => {
    const { timers, mcp } = harness({
      // No logging capability: the SDK answers logging/setLevel with an error.
      async connect(transport) {
        const server = new McpServer({ name: 't', version: '1' })
        server.registerTool('echo', { inputSchema: { text: z.string() } }, async ({ text }) => ({
          content: [{ type: 'text', text }],
        }))
        await server.connect(transport)
      },
    })
    const sessionId = await initialize(mcp)
    const refused = await request(mcp, sessionId, 'logging/setLevel', { level: 'error' })
    expect(refused.map((e) => e.data).join('')).toContain('"error"')
    timers.advance(1000)
    expect(mcp.stats().hibernatedSessions).toBe(1)
    const call = await callTool(mcp, sessionId, 'echo', { text: 'still here' })
    expect(call.messages[0].result.content[0].text).toBe('still here')
    await mcp.close()
  })

  it('keeps nothing of a POST refused for reusing an id in flight, so the session still hibernates', async () => {
    const { timers, log, mcp } = harness()
    const sessionId = await initialize(mcp)
    const body = JSON.stringify({
      jsonrpc: '2.0',
      id: 7,
      method: 'tools/call',
      params: { name: 'wait', arguments: {} },
    })
    const first = await mcp.fetch(post(body, headersFor(sessionId)))
    await flush()
    for (let i = 0; i < 3; i++) {
      expect((await mcp.fetch(post(body, headersFor(sessionId)))).status).toBe(400)
    }
    timers.advance(5000)
    expect(mcp.stats().hibernatedSessions).toBe(0) // the first call is in flight
    log.waiting.shift()!()
    expect((await readEvents(first)).map((e) => e.data).join('')).toContain('waited')
    timers.advance(1000)
    expect(mcp.stats().hibernatedSessions).toBe(1)
    await mcp.close()
  })

  it('keeps the server of a session with a GET stream open or a request in flight', async () => {
    const { timers, log, mcp } = harness()
    const sessionId = await initialize(mcp)
    const abort = new AbortController()
    const get = await getStream(mcp, sessionId, abort.signal)
    expect(get.status).toBe(200)
    timers.advance(5000)
    expect(mcp.stats().hibernatedSessions).toBe(0)
    abort.abort()
    await flush()
    timers.advance(999)
    expect(mcp.stats().hibernatedSessions).toBe(0)
    timers.advance(1)
    expect(mcp.stats().hibernatedSessions).toBe(1)
    expect(log.closes).toBe(1)
    await mcp.close()
  })

  it('keeps the server while it waits for the client’s answer to its own request', async () => {
    // The request reaches the client through the event store (no GET is open): read it there.
    const store = new InMemoryEventStore()
    const sent: McpMessage[] = []
    const storeEvent = store.storeEvent.bind(store)
    store.storeEvent = (streamId, message) => {
      sent.push(message as McpMessage)
      return storeEvent(streamId, message)
    }
    const { timers, log, mcp } = harness({ eventStore: store })
    const body = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: VERSION,
        capabilities: { roots: {} },
        clientInfo: { name: 't', version: '1' },
      },
    })
    const init = await mcp.fetch(post(body))
    const sessionId = init.headers.get('mcp-session-id')!
    await init.text()
    const initialized = JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })
    await mcp.fetch(post(initialized, headersFor(sessionId)))

    const roots = log.servers[0]!.server.listRoots() // no GET open: the request waits in the store
    await flush()
    const request = sent.find((m) => 'id' in m && 'method' in m)!
    expect(typeof request.id).toBe('string') // the wire id, not the server's own 0
    timers.advance(5000)
    expect(mcp.stats().hibernatedSessions).toBe(0)

    const answer = JSON.stringify({ jsonrpc: '2.0', id: request.id, result: { roots: [] } })
    expect((await mcp.fetch(post(answer, headersFor(sessionId)))).status).toBe(202)
    await expect(roots).resolves.toEqual({ roots: [] })
    timers.advance(1000)
    expect(mcp.stats().hibernatedSessions).toBe(1)
    await mcp.close()
  })

  it('shares one rebuild among requests that arrive together', async () => {
    const { timers, log, mcp } = harness()
    const sessionId = await initialize(mcp)
    timers.advance(1000)
    const calls = await Promise.all([
      callTool(mcp, sessionId, 'echo', { text: 'a' }),
      callTool(mcp, sessionId, 'echo', { text: 'b' }),
    ])
    expect(calls.map((c) => c.messages.map((m) => m.result.content[0].text))).toEqual([
      ['a'],
      ['b'],
    ])
    expect(log.connects).toBe(2)
    await mcp.close()
  })

  it('ends the session with 404 when connect fails on wake, and reports the fault', async () => {
    let connects = 0
    const failure = new Error('database gone')
    const { timers, log, mcp } = harness({
      async connect(transport) {
        if (++connects === 2) throw failure
        await new McpServer({ name: 't', version: '1' }).connect(transport)
      },
    })
    const sessionId = await initialize(mcp)
    timers.advance(1000)
    const call = await callTool(mcp, sessionId, 'echo', { text: 'x' })
    expect(call.status).toBe(404)
    expect(log.errors).toEqual([failure])
    expect(mcp.stats()).toMatchObject({ sessions: 0, hibernatedSessions: 0 })
    expect((await callTool(mcp, sessionId, 'echo', { text: 'x' })).status).toBe(404)
    expect(connects).toBe(2)
  })

  it('ends the session with 404 when the rebuilt server never answers the replayed initialize', async () => {
    let connects = 0
    const { timers, log, mcp } = harness({
      async connect(transport) {
        connects++
        await new McpServer({ name: 't', version: '1' }).connect(transport)
        if (connects === 2) transport.onmessage = () => {} // deaf
      },
    })
    const sessionId = await initialize(mcp)
    timers.advance(1000)
    const pending = callTool(mcp, sessionId, 'echo', { text: 'x' })
    await flush()
    timers.advance(WAKE_TIMEOUT_MS)
    expect((await pending).status).toBe(404)
    expect(String(log.errors[0])).toMatch(/took too long/)
    expect(mcp.stats()).toMatchObject({ sessions: 0, hibernatedSessions: 0 })
    expect(timers.size).toBe(0)
  })

  it('answers every request waiting for a wake at once when the session is deleted', async () => {
    let connects = 0
    const { timers, log, mcp } = harness({
      async connect(transport) {
        connects++
        if (connects === 2) return new Promise<void>(() => {}) // the rebuild never finishes
        await new McpServer({ name: 't', version: '1' }).connect(transport)
      },
    })
    const sessionId = await initialize(mcp)
    timers.advance(1000)
    expect(mcp.stats().hibernatedSessions).toBe(1)
    const post1 = callTool(mcp, sessionId, 'echo', { text: 'x' })
    const get = mcp.fetch(
      new Request(`${BASE}/mcp`, {
        headers: { ...headersFor(sessionId), accept: 'text/event-stream' },
      }),
    )
    await flush()
    const del = await mcp.fetch(
      new Request(`${BASE}/mcp`, { method: 'DELETE', headers: headersFor(sessionId) }),
    )
    expect(del.status).toBe(200)
    // No time passes on the fake clock: without the fix these wait for the 10 s wake timeout.
    expect((await post1).status).toBe(404)
    expect((await get).status).toBe(404)
    expect(log.errors).toEqual([])
    expect(mcp.stats()).toMatchObject({ sessions: 0, hibernatedSessions: 0, streams: 0 })
    expect(timers.size).toBe(0)
  })

  it('answers every request waiting for a wake at once when the handler closes', async () => {
    let connects = 0
    const { timers, mcp } = harness({
      async connect(transport) {
        connects++
        if (connects === 2) return new Promise<void>(() => {})
        await new McpServer({ name: 't', version: '1' }).connect(transport)
      },
    })
    const sessionId = await initialize(mcp)
    timers.advance(1000)
    const pending = [1, 2, 3].map(() => callTool(mcp, sessionId, 'echo', { text: 'x' }))
    await flush()
    await mcp.close()
    expect((await Promise.all(pending)).map((call) => call.status)).toEqual([404, 404, 404])
    expect(mcp.stats()).toMatchObject({ sessions: 0, hibernatedSessions: 0 })
    expect(timers.size).toBe(0)
  })

  it('never sends the client the same server request id twice, across rebuilds', async () => {
    const store = new InMemoryEventStore()
    const sent: McpMessage[] = []
    const storeEvent = store.storeEvent.bind(store)
    store.storeEvent = (streamId, message) => {
      sent.push(message as McpMessage)
      return storeEvent(streamId, message)
    }
    const { timers, log, mcp } = harness({ eventStore: store })
    const body = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: VERSION,
        capabilities: { roots: {} },
        clientInfo: { name: 't', version: '1' },
      },
    })
    const init = await mcp.fetch(post(body))
    const sessionId = init.headers.get('mcp-session-id')!
    await init.text()
    const initialized = JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })
    await mcp.fetch(post(initialized, headersFor(sessionId)))

    const ids: unknown[] = []
    for (let round = 0; round < 3; round++) {
      const server = log.servers[log.servers.length - 1]!
      const roots = server.server.listRoots()
      await flush()
      const request = sent.filter((m) => 'method' in m && 'id' in m).at(-1)!
      ids.push(request.id)
      const answer = JSON.stringify({ jsonrpc: '2.0', id: request.id, result: { roots: [] } })
      expect((await mcp.fetch(post(answer, headersFor(sessionId)))).status).toBe(202)
      await expect(roots).resolves.toEqual({ roots: [] })
      timers.advance(1000) // hibernates
      expect(mcp.stats().hibernatedSessions).toBe(1)
      expect((await callTool(mcp, sessionId, 'echo', { text: 'wake' })).status).toBe(200)
    }
    expect(log.servers).toHaveLength(4)
    // Each rebuilt server numbers its requests from 0; the wire ids never repeat.
    expect(new Set(ids).size).toBe(3)
    await mcp.close()
  })

  it('expires or deletes a hibernated session without firing onclose again', async () => {
    const { timers, log, mcp } = harness({ sessionIdleMs: 5000 })
    const expiring = await initialize(mcp)
    const deleted = await initialize(mcp)
    timers.advance(1000)
    expect(mcp.stats()).toMatchObject({ sessions: 2, hibernatedSessions: 2 })
    expect(log.closes).toBe(2)
    const del = await mcp.fetch(
      new Request(`${BASE}/mcp`, { method: 'DELETE', headers: headersFor(deleted) }),
    )
    expect(del.status).toBe(200)
    expect(mcp.stats()).toMatchObject({ sessions: 1, hibernatedSessions: 1 })
    timers.advance(4000)
    await flush()
    expect(mcp.stats()).toMatchObject({ sessions: 0, hibernatedSessions: 0 })
    expect(log.closes).toBe(2)
    expect(log.connects).toBe(2)
    expect((await callTool(mcp, expiring, 'echo', { text: 'x' })).status).toBe(404)
    expect(timers.size).toBe(0)
  })

  it('never hibernates a legacy HTTP+SSE session, whose stream stays open', async () => {
    const { timers, log, mcp } = harness()
    const abort = new AbortController()
    const sse = await mcp.fetch(
      new Request(`${BASE}/sse`, {
        headers: { accept: 'text/event-stream' },
        signal: abort.signal,
      }),
    )
    expect(sse.status).toBe(200)
    timers.advance(5000)
    expect(mcp.stats()).toMatchObject({ sessions: 1, hibernatedSessions: 0 })
    expect(log.closes).toBe(0)
    abort.abort()
    await flush()
    expect(mcp.stats().sessions).toBe(0)
  })

  it('rejects a hibernateAfterMs below 1', () => {
    expect(() => createMcpHandler({ connect: () => {}, hibernateAfterMs: 0 })).toThrow(RangeError)
    expect(() => createMcpHandler({ connect: () => {}, hibernateAfterMs: Number.NaN })).toThrow(
      RangeError,
    )
  })
})

describe('hibernateAfterMs with the official SDK client over HTTP', () => {
  let running: Running | undefined
  afterEach(async () => {
    await running?.close()
    running = undefined
  })

  it('serves a client that comes back to its session after its server hibernated', async () => {
    let connects = 0
    running = await serveHandler({
      hibernateAfterMs: 100,
      async connect(transport) {
        connects++
        console.log('connect', new Error().stack?.split('\n').slice(2, 6).join(' | '))
        const server = new McpServer({ name: 'sleepy', version: '1' })
        server.registerTool('echo', { inputSchema: { text: z.string() } }, async ({ text }) => ({
          content: [{ type: 'text', text }],
        }))
        await server.connect(transport)
      },
    })
    const url = new URL(`${running.url}/mcp`)
    const first = new Client({ name: 'first', version: '1' })
    const firstTransport = new StreamableHTTPClientTransport(url)
    await first.connect(firstTransport)
    const sessionId = firstTransport.sessionId!
    expect(await first.callTool({ name: 'echo', arguments: { text: 'one' } })).toMatchObject({
      content: [{ type: 'text', text: 'one' }],
    })
    await first.close() // the connection drops, without DELETE: the session stays
    const mcp = running.mcp
    await waitFor(() => mcp.stats().hibernatedSessions === 1)
    expect(mcp.stats().sessions).toBe(1)

    const again = new Client({ name: 'again', version: '1' })
    const againTransport = new StreamableHTTPClientTransport(url, { sessionId })
    await again.connect(againTransport)
    expect(await again.callTool({ name: 'echo', arguments: { text: 'two' } })).toMatchObject({
      content: [{ type: 'text', text: 'two' }],
    })
    expect(connects).toBeGreaterThanOrEqual(2) // rebuilt at least once (again if it slept twice)
    expect(againTransport.sessionId).toBe(sessionId)
    await againTransport.terminateSession()
    await again.close()
    await waitFor(() => mcp.stats().sessions === 0)
  })
})
