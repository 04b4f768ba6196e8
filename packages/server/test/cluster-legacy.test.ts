import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { afterEach, describe, expect, it } from 'vitest'
import { createMemoryCluster, type SessionRecord, type SessionStore } from '../src/index.js'
import { sseReader, startCluster, type TestCluster } from './_cluster.js'
import { initializeBody, post } from './_requests.js'
import { waitFor } from './_wait-for.js'

let cluster: TestCluster | undefined
const readers: { stop(): Promise<void> }[] = []

afterEach(async () => {
  await Promise.all(readers.splice(0).map((reader) => reader.stop().catch(() => {})))
  await cluster?.close()
  cluster = undefined
})

const INITIALIZED = { jsonrpc: '2.0', method: 'notifications/initialized' }

function messages(sessionId: string, body: unknown, headers: Record<string, string> = {}): Request {
  const text = typeof body === 'string' ? body : JSON.stringify(body)
  return post(text, headers, `/messages?sessionId=${encodeURIComponent(sessionId)}`)
}

function sse(headers: Record<string, string> = {}): Request {
  return new Request('http://127.0.0.1:3000/sse', {
    headers: { accept: 'text/event-stream', ...headers },
  })
}

/**
 * Opens a legacy session with its SSE stream on `owner`: initialize and initialized POSTed to
 * the next instances. Returns the session id and the stream's reader.
 */
async function openLegacy(
  c: TestCluster,
  owner: number,
  headers: Record<string, string> = {},
): Promise<{ sessionId: string; events: ReturnType<typeof sseReader> }> {
  const response = await c.fetchOn(owner, sse(headers))
  expect(response.status).toBe(200)
  const events = sseReader(response)
  readers.push(events)
  const endpoint = (await events.next())!.data
  const sessionId = new URL(endpoint, 'http://x').searchParams.get('sessionId')!
  const count = c.handlers.length
  const init = await c.fetchOn(
    (owner + 1) % count,
    messages(sessionId, initializeBody(1, '2024-11-05'), headers),
  )
  expect(init.status).toBe(202)
  expect(JSON.parse((await events.next())!.data).result.protocolVersion).toBe('2024-11-05')
  const done = await c.fetchOn((owner + 2) % count, messages(sessionId, INITIALIZED, headers))
  expect(done.status).toBe(202)
  return { sessionId, events }
}

/** A legacy record as an instance that is not running would have left it. */
function ghostRecord(owner: string): SessionRecord {
  return {
    id: crypto.randomUUID(),
    principal: '',
    kind: 'legacy',
    protocolVersion: '2024-11-05',
    replay: { initialize: '', initialized: false, subscriptions: [] },
    replayVersion: 0,
    owner,
  }
}

describe('legacy HTTP+SSE in cluster mode, raw requests to chosen instances', () => {
  it('a forwarded POST reaches the server with the auth info, headers and URL a local one has', async () => {
    cluster = startCluster(3, {
      authenticate: (request) => ({
        principal: request.headers.get('x-user') ?? '',
        token: 'secret',
        scopes: ['a'],
      }),
      connect: (transport) => {
        const server = new McpServer({ name: 'probe', version: '1.0.0' })
        server.registerTool('probe', {}, async (extra) => ({
          content: [
            {
              type: 'text',
              text: JSON.stringify({
                auth: extra.authInfo,
                probe: extra.requestInfo?.headers['x-probe'],
                url: extra.requestInfo?.url?.href,
              }),
            },
          ],
        }))
        return server.connect(transport)
      },
    })
    const user = { 'x-user': 'ada' }
    const { sessionId, events } = await openLegacy(cluster, 0, user)
    const call = (id: number) => ({
      jsonrpc: '2.0',
      id,
      method: 'tools/call',
      params: { name: 'probe', arguments: {} },
    })
    const seen: unknown[] = []
    for (const instance of [0, 1]) {
      const response = await cluster.fetchOn(
        instance,
        messages(sessionId, call(10 + instance), { ...user, 'x-probe': `via ${instance}` }),
      )
      expect(response.status).toBe(202)
      const answer = JSON.parse((await events.next())!.data)
      expect(answer.id).toBe(10 + instance)
      seen.push(JSON.parse(answer.result.content[0].text))
    }
    const url = `http://127.0.0.1:3000/messages?sessionId=${sessionId}`
    const auth = { principal: 'ada', token: 'secret', scopes: ['a'] }
    expect(seen).toEqual([
      { auth, probe: 'via 0', url }, // POSTed to the owner
      { auth, probe: 'via 1', url }, // forwarded to it
    ])
    // Another principal cannot use the session, on the owner or elsewhere.
    for (const instance of [0, 1, 2]) {
      const response = await cluster.fetchOn(
        instance,
        messages(sessionId, INITIALIZED, { 'x-user': 'eve' }),
      )
      expect(response.status).toBe(404)
    }
  })

  it('an owner with no heartbeat is dead: 404, and its record is deleted', async () => {
    cluster = startCluster(3)
    const record = ghostRecord('gone')
    await cluster.backend.sessions.create(record, 60_000)
    const response = await cluster.fetchOn(1, messages(record.id, INITIALIZED))
    expect(response.status).toBe(404)
    expect((await response.json()).error).toEqual({ code: -32001, message: 'Session not found' })
    expect(await cluster.backend.sessions.get(record.id)).toBeUndefined()
  })

  it('an owner alive but not hearing its inbox: 503 with Retry-After at once; the record stays', async () => {
    cluster = startCluster(3)
    const record = ghostRecord('deaf')
    await cluster.backend.sessions.create(record, 60_000)
    await cluster.backend.sessions.heartbeat('deaf', 60_000)
    const response = await cluster.fetchOn(2, messages(record.id, INITIALIZED))
    expect(response.status).toBe(503)
    expect(response.headers.get('retry-after')).toBe('1')
    expect((await response.json()).error.code).toBe(-32000)
    expect(await cluster.backend.sessions.get(record.id)).toBeDefined()
  })

  it('an owner that hears but never answers: 503 after backendTimeoutMs, not a hang', async () => {
    cluster = startCluster(3) // backendTimeoutMs: 1000
    const record = ghostRecord('mute')
    await cluster.backend.sessions.create(record, 60_000)
    await cluster.backend.sessions.heartbeat('mute', 60_000)
    const heard: string[] = []
    const unsubscribe = await cluster.backend.bus.subscribe('i.mute', (payload) => {
      heard.push(payload)
    })
    try {
      const response = await cluster.fetchOn(0, messages(record.id, INITIALIZED))
      expect(response.status).toBe(503)
      expect(heard).toHaveLength(1)
      expect(JSON.parse(heard[0]!).body).toMatchObject({ t: 'legacy', sessionId: record.id })
    } finally {
      await unsubscribe()
    }
  })

  it('the owner keeps its record alive while the stream is open, and stores it again once lost', async () => {
    cluster = startCluster(3, {}, undefined, 50) // the record lives 3 heartbeats: 150 ms
    const { sessionId } = await openLegacy(cluster, 0)
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect(await cluster.backend.sessions.get(sessionId)).toBeDefined()
    expect((await cluster.fetchOn(1, messages(sessionId, INITIALIZED))).status).toBe(202)
    // Deleted behind the owner's back (another instance took its heartbeat for stale).
    await cluster.backend.sessions.delete(sessionId)
    expect((await cluster.fetchOn(2, messages(sessionId, INITIALIZED))).status).toBe(404)
    await waitFor(() => false, 120) // the owner's next heartbeat stores it again
    expect(await cluster.backend.sessions.get(sessionId)).toMatchObject({ owner: 'i0' })
    expect((await cluster.fetchOn(2, messages(sessionId, INITIALIZED))).status).toBe(202)
    // Once the stream is gone, so is the record, at once.
    await readers.pop()!.stop()
    await waitFor(() => cluster!.handlers[0]!.stats().sessions === 0)
    await waitFor(() => false, 20)
    expect(await cluster.backend.sessions.get(sessionId)).toBeUndefined()
  })

  it('unknown, Streamable HTTP and bad requests get the local answers on a non-owner', async () => {
    cluster = startCluster(3)
    const { sessionId } = await openLegacy(cluster, 0)
    // A forged id is refused before the body is read.
    const unknown = await cluster.fetchOn(1, messages(crypto.randomUUID(), '{not json'))
    expect(unknown.status).toBe(404)
    const bad = await cluster.fetchOn(1, messages(sessionId, '{not json'))
    expect(bad.status).toBe(400)
    expect((await bad.json()).error.code).toBe(-32700)
    const missing = await cluster.fetchOn(1, post(JSON.stringify(INITIALIZED), {}, '/messages'))
    expect(missing.status).toBe(400)
    // A Streamable HTTP session is no legacy session, and the other way round.
    const init = await cluster.fetchOn(1, post(initializeBody(1, '2025-11-25')))
    const streamable = init.headers.get('mcp-session-id')!
    await init.text()
    expect((await cluster.fetchOn(2, messages(streamable, INITIALIZED))).status).toBe(404)
    const onMcp = await cluster.fetchOn(
      2,
      post(JSON.stringify(INITIALIZED), {
        'mcp-session-id': sessionId,
        'mcp-protocol-version': '2025-11-25',
      }),
    )
    expect(onMcp.status).toBe(404)
  })

  it('a backend that cannot store the record: GET /sse gets 503 and nothing is kept', async () => {
    const backend = createMemoryCluster()
    const store = backend.sessions
    const sessions: SessionStore = {
      create: async () => {
        throw new Error('backend down')
      },
      get: (id) => store.get(id),
      touch: (id, ttl, claim) => store.touch(id, ttl, claim),
      updateReplay: (id, replay, expected) => store.updateReplay(id, replay, expected),
      delete: (id) => store.delete(id),
      lease: (id, name, holder, ttl, mode) => store.lease(id, name, holder, ttl, mode),
      releaseLease: (id, name, holder) => store.releaseLease(id, name, holder),
      heartbeat: (instance, ttl) => store.heartbeat(instance, ttl),
      isAlive: (instance) => store.isAlive(instance),
    }
    cluster = startCluster(3, {}, { ...backend, sessions })
    const response = await cluster.fetchOn(0, sse())
    expect(response.status).toBe(503)
    expect(response.headers.get('retry-after')).toBe('1')
    expect(cluster.handlers[0]!.stats().sessions).toBe(0)
  })

  it('closing the owner deletes the records of its sessions', async () => {
    cluster = startCluster(3)
    const { sessionId } = await openLegacy(cluster, 0)
    await cluster.handlers[0]!.close()
    cluster.kill(0)
    expect(await cluster.backend.sessions.get(sessionId)).toBeUndefined()
    expect((await cluster.fetchOn(1, messages(sessionId, INITIALIZED))).status).toBe(404)
  })
})
