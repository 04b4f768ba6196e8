import { afterEach, describe, expect, it } from 'vitest'
import {
  type ClusterBackend,
  createMcpHandler,
  createMemoryCluster,
  INTERRUPTED_MESSAGE,
} from '../src/index.js'
import { buildClusterServer, hangs, sseReader, startCluster, type TestCluster } from './_cluster.js'
import { initializeBody, post } from './_requests.js'
import { waitFor } from './_wait-for.js'

const VERSION = '2025-11-25'
let cluster: TestCluster | undefined

afterEach(async () => {
  await cluster?.close()
  cluster = undefined
})

function headers(sessionId: string): Record<string, string> {
  return { 'mcp-session-id': sessionId, 'mcp-protocol-version': VERSION }
}

function call(
  id: number,
  name: string,
  args: Record<string, unknown> = {},
  token?: string,
): string {
  const meta = token === undefined ? {} : { _meta: { progressToken: token } }
  return JSON.stringify({
    jsonrpc: '2.0',
    id,
    method: 'tools/call',
    params: { name, arguments: args, ...meta },
  })
}

function get(sessionId: string, lastEventId?: string): Request {
  const extra: Record<string, string> =
    lastEventId === undefined ? {} : { 'last-event-id': lastEventId }
  return new Request('http://127.0.0.1:3000/mcp', {
    headers: { accept: 'text/event-stream', ...headers(sessionId), ...extra },
  })
}

/** initialize on instance `on`, `notifications/initialized` on the next one. */
async function open(c: TestCluster, on = 0): Promise<string> {
  const response = await c.fetchOn(on, post(initializeBody(1, VERSION)))
  expect(response.status).toBe(200)
  await response.text()
  const sessionId = response.headers.get('mcp-session-id')!
  const initialized = JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })
  const done = await c.fetchOn((on + 1) % c.handlers.length, post(initialized, headers(sessionId)))
  expect(done.status).toBe(202)
  return sessionId
}

describe('cluster mode, raw requests to chosen instances', () => {
  it('a POST stream cut on its instance resumes with Last-Event-ID on another, nothing lost or repeated', async () => {
    cluster = startCluster(3)
    const sessionId = await open(cluster)
    const response = await cluster.fetchOn(
      0,
      post(call(2, 'count', { n: 12, ms: 15 }, 'p'), headers(sessionId)),
    )
    const reader = sseReader(response)
    const seen: string[] = []
    let last = ''
    for (let i = 0; i < 4; i++) {
      const event = (await reader.next())!
      last = event.id!
      if (event.data !== '') seen.push(event.data)
    }
    await reader.stop() // the client loses the connection; instance 0 keeps producing
    const resumed = await cluster.fetchOn(1, get(sessionId, last))
    expect(resumed.status).toBe(200)
    const rest = sseReader(resumed)
    const ids = new Set<string>()
    for (;;) {
      const event = await rest.next()
      if (event === undefined) break
      expect(ids.has(event.id!)).toBe(false)
      ids.add(event.id!)
      seen.push(event.data)
    }
    const messages = seen.map((data) => JSON.parse(data))
    const progress = messages
      .filter((m) => m.method === 'notifications/progress')
      .map((m) => m.params.progress)
    expect(progress).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
    expect(messages.at(-1).result.content[0].text).toBe('i0:counted 12')
  })

  it('an ended POST stream replays on any instance; a Last-Event-ID of another session gets 400', async () => {
    cluster = startCluster(3)
    const sessionId = await open(cluster)
    const other = await open(cluster, 1)
    const response = await cluster.fetchOn(
      2,
      post(call(2, 'count', { n: 3 }, 'p'), headers(sessionId)),
    )
    const reader = sseReader(response)
    const priming = (await reader.next())!
    while ((await reader.next()) !== undefined) {}
    for (const instance of [0, 1, 2]) {
      const replay = sseReader(await cluster.fetchOn(instance, get(sessionId, priming.id)))
      const events: string[] = []
      for (let e = await replay.next(); e !== undefined; e = await replay.next())
        events.push(e.data)
      expect(events).toHaveLength(4) // three progress notifications and the result
    }
    const foreign = await cluster.fetchOn(0, get(other, priming.id))
    expect(foreign.status).toBe(400)
  })

  it('DELETE on one instance ends the GET stream held on another and the session everywhere', async () => {
    cluster = startCluster(3, {}, undefined, 60_000) // the bus, not a periodic re-read, ends it
    const sessionId = await open(cluster)
    const stream = await cluster.fetchOn(1, get(sessionId))
    expect(stream.status).toBe(200)
    const reader = sseReader(stream)
    expect((await reader.next())!.data).toBe('') // the priming event
    const deleted = await cluster.fetchOn(
      2,
      new Request('http://127.0.0.1:3000/mcp', { method: 'DELETE', headers: headers(sessionId) }),
    )
    expect(deleted.status).toBe(200)
    expect(await reader.next()).toBeUndefined() // the stream ended
    for (const instance of [0, 1, 2]) {
      const response = await cluster.fetchOn(
        instance,
        post(call(3, 'echo', { text: 'x' }), headers(sessionId)),
      )
      expect(response.status).toBe(404)
    }
    expect(await cluster.backend.sessions.get(sessionId)).toBeUndefined()
    // No instance still listens on the session's topic.
    await waitFor(() => (cluster!.backend.bus as unknown as { topics: number }).topics === 0)
  })

  it('an idle session expires on every instance; activity on one keeps it alive on all', async () => {
    cluster = startCluster(3, { sessionIdleMs: 300 })
    const sessionId = await open(cluster)
    for (let i = 0; i < 4; i++) {
      await new Promise((resolve) => setTimeout(resolve, 150))
      const alive = await cluster.fetchOn(
        2,
        post(call(10 + i, 'echo', { text: 'x' }), headers(sessionId)),
      )
      expect(alive.status).toBe(200)
      await alive.text()
    }
    await new Promise((resolve) => setTimeout(resolve, 450))
    for (const instance of [0, 1, 2]) {
      const response = await cluster.fetchOn(
        instance,
        post(call(20, 'echo', { text: 'x' }), headers(sessionId)),
      )
      expect(response.status).toBe(404)
    }
  })

  it('a resumed stream whose producer died gets an error for its request, not a hang', async () => {
    cluster = startCluster(3, {}, undefined, 100)
    const sessionId = await open(cluster)
    const response = await cluster.fetchOn(0, post(call(7, 'hang', {}, 'h'), headers(sessionId)))
    const reader = sseReader(response)
    await reader.next() // priming
    const progress = (await reader.next())!
    expect(JSON.parse(progress.data).method).toBe('notifications/progress')
    cluster.kill(0)
    const resumed = sseReader(await cluster.fetchOn(1, get(sessionId, progress.id)))
    const event = (await resumed.next())!
    expect(JSON.parse(event.data)).toEqual({
      jsonrpc: '2.0',
      id: 7,
      error: { code: -32603, message: INTERRUPTED_MESSAGE },
    })
    expect(await resumed.next()).toBeUndefined()
    expect(hangs.waiting).toHaveLength(1) // the tool itself never answered
  })

  it('notifications/cancelled POSTed to another instance reaches the request it names', async () => {
    cluster = startCluster(3, {}, undefined, 60_000)
    const sessionId = await open(cluster)
    const response = await cluster.fetchOn(0, post(call(7, 'hang', {}, 'h'), headers(sessionId)))
    const reader = sseReader(response)
    await reader.next() // priming
    await reader.next() // progress: the tool runs
    const cancel = JSON.stringify({
      jsonrpc: '2.0',
      method: 'notifications/cancelled',
      params: { requestId: 7, reason: 'changed my mind' },
    })
    expect((await cluster.fetchOn(2, post(cancel, headers(sessionId)))).status).toBe(202)
    expect(await reader.next()).toBeUndefined() // no response follows; the stream ends
  })

  it('a failing or silent backend gets 503 with a JSON-RPC error, quickly', async () => {
    const memory = createMemoryCluster()
    let mode: 'ok' | 'fail' | 'hang' = 'ok'
    const sessions = new Proxy(memory.sessions, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver)
        if (typeof value !== 'function') return value
        return (...args: unknown[]) => {
          if (mode === 'fail') return Promise.reject(new Error('ECONNREFUSED'))
          if (mode === 'hang') return new Promise(() => {})
          return value.apply(target, args)
        }
      },
    })
    cluster = startCluster(2, {}, { ...memory, sessions })
    const handler = createMcpHandler({
      connect: (transport) => buildClusterServer('x').connect(transport),
      onerror: () => {},
      hibernateAfterMs: 60_000,
      cluster: { ...memory, sessions, backendTimeoutMs: 100, heartbeatMs: 50 },
    })
    try {
      const sessionId = await open(cluster)
      for (const m of ['fail', 'hang'] as const) {
        mode = m
        const response = await handler.fetch(
          post(call(2, 'echo', { text: 'x' }), headers(sessionId)),
        )
        expect(response.status).toBe(503)
        expect(response.headers.get('retry-after')).toBe('1')
        expect((await response.json()).error.code).toBe(-32000)
        const init = await handler.fetch(post(initializeBody(1, VERSION)))
        const body = await init.text()
        expect(body).toContain('Service unavailable')
      }
      mode = 'ok'
      const back = await handler.fetch(post(call(3, 'echo', { text: 'y' }), headers(sessionId)))
      expect(back.status).toBe(200)
      expect(await back.text()).toContain('x:y')
    } finally {
      mode = 'ok'
      await handler.close()
    }
  })
})

/** A backend that counts the calls a handler makes (each is one round trip to a remote backend). */
function counting(backend: ClusterBackend): { backend: ClusterBackend; calls: string[] } {
  const calls: string[] = []
  const wrap = <T extends object>(name: string, target: T): T =>
    new Proxy(target, {
      get(t, key, receiver) {
        const value = Reflect.get(t, key, receiver)
        if (typeof value !== 'function') return value
        return (...args: unknown[]) => {
          calls.push(`${name}.${String(key)}`)
          return value.apply(t, args)
        }
      },
    })
  return {
    calls,
    backend: {
      sessions: wrap('sessions', backend.sessions),
      events: wrap('events', backend.events),
      bus: wrap('bus', backend.bus),
    },
  }
}

describe('cluster option checks', () => {
  const connect = () => {}
  it('refuses a cluster without a finite hibernateAfterMs or sessionIdleMs, or with an eventStore', () => {
    const cluster = createMemoryCluster()
    expect(() => createMcpHandler({ connect, cluster })).toThrow(/hibernateAfterMs/)
    expect(() =>
      createMcpHandler({ connect, cluster, hibernateAfterMs: Number.POSITIVE_INFINITY }),
    ).toThrow(/hibernateAfterMs/)
    expect(() =>
      createMcpHandler({
        connect,
        cluster,
        hibernateAfterMs: 1000,
        sessionIdleMs: Number.POSITIVE_INFINITY,
      }),
    ).toThrow(/sessionIdleMs/)
    expect(() =>
      createMcpHandler({ connect, cluster, hibernateAfterMs: 1000, eventStore: false }),
    ).toThrow(/eventStore/)
    expect(() =>
      createMcpHandler({
        connect,
        cluster: { ...cluster, instanceId: 'a.b' },
        hibernateAfterMs: 1,
      }),
    ).toThrow(/instanceId/)
  })
})

/** The same backend without the optional `events.touchAndOpen` (a backend that lacks it). */
function withoutTouchAndOpen(backend: ClusterBackend): ClusterBackend {
  const events = new Proxy(backend.events, {
    get: (t, key) => {
      if (key === 'touchAndOpen') return undefined
      const value = Reflect.get(t, key, t)
      return typeof value === 'function' ? value.bind(t) : value
    },
  })
  return { ...backend, events }
}

/** The backend calls of one steady-state `tools/call`, per negotiated protocol version. */
async function steadyStateCalls(backend: ClusterBackend): Promise<Record<string, string[]>> {
  const counted = counting(backend)
  const { calls } = counted
  const handler = createMcpHandler({
    connect: (transport) => buildClusterServer('x').connect(transport),
    onerror: () => {},
    hibernateAfterMs: 60_000,
    cluster: { ...counted.backend, instanceId: 'solo', heartbeatMs: 60_000 },
  })
  try {
    const perVersion: Record<string, string[]> = {}
    // The negotiated version decides priming: 2025-06-18 sessions get none.
    for (const version of ['2025-11-25', '2025-06-18']) {
      const init = await handler.fetch(post(initializeBody(1, version)))
      const sid = init.headers.get('mcp-session-id')!
      await init.text()
      const h = { 'mcp-session-id': sid, 'mcp-protocol-version': version }
      const warm = await handler.fetch(post(call(2, 'echo', { text: 'w' }), h))
      await warm.text()
      await new Promise((resolve) => setTimeout(resolve, 10))
      calls.length = 0
      const steady = await handler.fetch(post(call(3, 'echo', { text: 's' }), h))
      expect(await steady.text()).toContain('x:s')
      await new Promise((resolve) => setTimeout(resolve, 10))
      perVersion[version] = [...calls]
    }
    return perVersion
  } finally {
    await handler.close()
  }
}

describe('cluster mode costs', () => {
  it('counts backend calls per steady-state tools/call on one instance', async () => {
    const perVersion = await steadyStateCalls(createMemoryCluster())
    console.log('backend calls per steady-state tools/call:', JSON.stringify(perVersion))
    // The stream's first event (priming, or an unsent opening one) touches the session in the
    // same call; the response and the end marker go together.
    expect(perVersion['2025-11-25']).toEqual(['events.touchAndOpen', 'events.end'])
    expect(perVersion['2025-06-18']).toEqual(['events.touchAndOpen', 'events.end'])
  })

  it('falls back to touch then open on a backend without touchAndOpen', async () => {
    const perVersion = await steadyStateCalls(withoutTouchAndOpen(createMemoryCluster()))
    expect(perVersion['2025-11-25']).toEqual(['sessions.touch', 'events.open', 'events.end'])
    expect(perVersion['2025-06-18']).toEqual(['sessions.touch', 'events.open', 'events.end'])
  })

  for (const combined of [true, false]) {
    it(`refuses (404) a session gone from the store that this instance still holds, running nothing (${combined ? 'touchAndOpen' : 'touch, then open'})`, async () => {
      const cluster = createMemoryCluster()
      const counted = counting(combined ? cluster : withoutTouchAndOpen(cluster))
      const handler = createMcpHandler({
        connect: (transport) => buildClusterServer('x').connect(transport),
        onerror: () => {},
        hibernateAfterMs: 60_000,
        cluster: { ...counted.backend, instanceId: 'solo', heartbeatMs: 60_000 },
      })
      try {
        const init = await handler.fetch(post(initializeBody(1, VERSION)))
        const sid = init.headers.get('mcp-session-id')!
        await init.text()
        const warm = await handler.fetch(post(call(2, 'echo', { text: 'w' }), headers(sid)))
        expect(await warm.text()).toContain('x:w')
        // Deleted behind the instance's back (as if the bus lost the DELETE's message).
        expect(await cluster.sessions.delete(sid)).toBe(true)
        counted.calls.length = 0
        const refused = await handler.fetch(post(call(3, 'echo', { text: 's' }), headers(sid)))
        expect(refused.status).toBe(404)
        await refused.text()
        await new Promise((resolve) => setTimeout(resolve, 10))
        // The session was checked and nothing else happened: no response was stored.
        const steps = counted.calls.filter((c) => c !== 'sessions.heartbeat')
        expect(steps).toEqual(combined ? ['events.touchAndOpen'] : ['sessions.touch'])
        const again = await handler.fetch(post(call(4, 'echo', { text: 't' }), headers(sid)))
        expect(again.status).toBe(404)
        await again.text()
      } finally {
        await handler.close()
      }
    })
  }
})
