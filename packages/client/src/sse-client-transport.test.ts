import { describe, expect, test } from 'vitest'
import {
  controlledBody,
  FakeClock,
  fakeFetch,
  INIT,
  initResult,
  type Seen,
  settle,
  sse,
} from '../test/_fake.js'
import { SessionExpiredError } from './errors.js'
import { SseClientTransport, type SseTransportOptions } from './sse-client-transport.js'

type Body = ReturnType<typeof controlledBody>

/** The first reconnection delay of the transports {@link handshaken} builds (no jitter). */
const RESTORE_DELAY_MS = 100

/**
 * A fake legacy server: every GET opens a new stream announcing `/messages?session=<n>`; a POSTed
 * `initialize` is answered on the stream of its session; `answer` decides the rest.
 */
function legacyServer(
  answer: (request: Seen, stream: Body) => void = () => {},
  refuseGet: (n: number) => Response | undefined = () => undefined,
) {
  const streams: Body[] = []
  const { fetch, seen } = fakeFetch((request) => {
    if (request.method === 'GET') {
      const refused = refuseGet(streams.length + 1)
      if (refused !== undefined) return refused
      const stream = controlledBody()
      streams.push(stream)
      stream.push(`event: endpoint\ndata: /messages?session=${streams.length}\n\n`)
      return sse(stream.body)
    }
    const session = Number(new URL(request.url).searchParams.get('session'))
    const stream = streams[session - 1] as Body
    if (request.body?.method === 'initialize')
      stream.push(`data: ${JSON.stringify(initResult(request.body.id))}\n\n`)
    else answer(request, stream)
    return new Response(null, { status: 202 })
  })
  return { fetch, seen, streams }
}

/** A started transport that completed the handshake, with what it delivered and reported. */
async function handshaken(
  server: ReturnType<typeof legacyServer>,
  options: SseTransportOptions = {},
) {
  const clock = new FakeClock()
  const transport = new SseClientTransport('http://mcp.test/sse', {
    fetch: server.fetch,
    timers: clock,
    random: () => 0,
    reconnect: { initialDelayMs: RESTORE_DELAY_MS },
    ...options,
  })
  const delivered: unknown[] = []
  const errors: Error[] = []
  const sessions: string[] = []
  let closes = 0
  transport.onmessage = (message) => delivered.push(message)
  transport.onerror = (error) => errors.push(error)
  transport.onclose = () => closes++
  transport.on('session', ({ kind }) => sessions.push(kind))
  await transport.start()
  await transport.send(INIT)
  await settle()
  transport.setProtocolVersion('2025-11-25')
  await transport.send({ jsonrpc: '2.0', method: 'notifications/initialized' })
  return { transport, clock, delivered, errors, sessions, closes: () => closes }
}

const call = (id: number, name = 'slow') => ({
  jsonrpc: '2.0' as const,
  id,
  method: 'tools/call',
  params: { name, arguments: {} },
})

const synthesized = (id: number) => ({
  jsonrpc: '2.0',
  id,
  error: {
    code: -32000,
    message: 'Connection closed',
    data: { reason: 'legacy-stream-lost', retryable: true },
  },
})

describe('SseClientTransport when its stream drops (R-X3)', () => {
  test('fails each owed request exactly once, then replays the captured handshake on a new stream', async () => {
    const server = legacyServer((request, stream) => {
      if (request.body?.params?.name === 'fast')
        stream.push(
          `data: ${JSON.stringify({ jsonrpc: '2.0', id: request.body.id, result: { ok: 1 } })}\n\n`,
        )
    })
    const t = await handshaken(server)
    await t.transport.send(call(1))
    await t.transport.send(call(2))
    const lost: unknown[] = []
    t.transport.on('streamlost', (detail) => lost.push(detail))
    server.streams[0]!.error()
    await settle()

    expect(t.delivered.slice(1)).toEqual([synthesized(1), synthesized(2)])
    expect(lost).toEqual([{ stream: 'get', requestIds: [1, 2], reason: 'legacy-stream-lost' }])
    // The new stream waits for the reconnection delay, as a Streamable HTTP resume does.
    expect(server.seen).toHaveLength(5)
    await t.clock.advance(RESTORE_DELAY_MS)
    const afterDrop = server.seen.slice(5)
    expect(afterDrop.map((r) => `${r.method} ${new URL(r.url).search}`)).toEqual([
      'GET ',
      'POST ?session=2',
      'POST ?session=2',
    ])
    // The same initialize params under a private id, whose answer never reaches the client.
    expect(afterDrop[1]!.body).toEqual({ ...INIT, id: 'mcpwire:reinit:1' })
    expect(afterDrop[1]!.headers.has('mcp-protocol-version')).toBe(false)
    expect(afterDrop[2]!.body).toEqual({ jsonrpc: '2.0', method: 'notifications/initialized' })
    expect(afterDrop[2]!.headers.get('mcp-protocol-version')).toBe('2025-11-25')
    expect(t.delivered).toHaveLength(3)
    expect(t.sessions).toEqual(['expired', 'restored'])
    expect(t.errors).toEqual([])
    expect(t.closes()).toBe(0)
    expect(t.transport.state).toBe('open')
    expect(t.transport.endpoint?.search).toBe('?session=2')

    await t.transport.send(call(3, 'fast'))
    await settle()
    expect(server.seen.at(-1)!.url).toBe('http://mcp.test/messages?session=2')
    expect(t.delivered.at(-1)).toEqual({ jsonrpc: '2.0', id: 3, result: { ok: 1 } })
    expect(t.transport.stats()).toMatchObject({ sessionRestarts: 1, synthesizedErrors: 2 })

    await t.transport.close()
    expect(t.closes()).toBe(1)
    expect(t.transport.stats()).toMatchObject({
      openStreams: 0,
      pendingRequests: 0,
      armedTimers: 0,
      inflightFetches: 0,
      queuedMessages: 0,
    })
    expect(t.delivered).toHaveLength(4)
  })

  test('messages sent while the session is restored wait for it and go to the new endpoint', async () => {
    let releaseGet: (() => void) | undefined
    const server = legacyServer()
    const gate = server.fetch
    const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
      if ((init?.method ?? 'GET') === 'GET' && server.streams.length === 1)
        await new Promise<void>((resolve) => (releaseGet = resolve))
      return gate(input, init)
    }) as typeof globalThis.fetch
    const t = await handshaken({ ...server, fetch })
    server.streams[0]!.close()
    await t.clock.advance(RESTORE_DELAY_MS)
    expect(t.transport.state).toBe('reconnecting')
    const sent = t.transport.send(call(7))
    await settle()
    expect(server.seen.filter((r) => r.body?.id === 7)).toEqual([])
    releaseGet!()
    await sent
    const posted = server.seen.filter((r) => r.body?.id === 7)
    expect(posted.map((r) => new URL(r.url).search)).toEqual(['?session=2'])
    expect(t.transport.stats().pendingRequests).toBe(1)
    await t.transport.close()
    expect(t.delivered.at(-1)).toEqual(synthesized(7))
  })

  test('with sessionRecovery.reinitialize off, fails the owed requests and closes, never reconnecting', async () => {
    const server = legacyServer()
    const t = await handshaken(server, { sessionRecovery: { reinitialize: false } })
    await t.transport.send(call(1))
    server.streams[0]!.close()
    await settle()
    expect(t.delivered.slice(1)).toEqual([synthesized(1)])
    expect(t.closes()).toBe(1)
    expect(t.sessions).toEqual([])
    expect(server.seen.filter((r) => r.method === 'GET')).toHaveLength(1)
    await expect(t.transport.send(call(2))).rejects.toThrow('Transport is closed')
    expect(t.transport.stats()).toMatchObject({
      openStreams: 0,
      pendingRequests: 0,
      armedTimers: 0,
    })
  })

  test('a drop before the handshake completed closes: there is nothing to replay', async () => {
    const server = legacyServer()
    const transport = new SseClientTransport('http://mcp.test/sse', { fetch: server.fetch })
    const delivered: unknown[] = []
    let closes = 0
    transport.onmessage = (message) => delivered.push(message)
    transport.onclose = () => closes++
    await transport.start()
    await transport.send(call(1))
    server.streams[0]!.close()
    await settle()
    expect(delivered).toEqual([synthesized(1)])
    expect(closes).toBe(1)
    expect(server.seen.filter((r) => r.method === 'GET')).toHaveLength(1)
  })

  test('a restore refused by the server reports SessionExpiredError once, then closes once', async () => {
    const server = legacyServer(undefined, (n) =>
      n === 2 ? new Response('gone', { status: 404 }) : undefined,
    )
    const t = await handshaken(server)
    await t.transport.send(call(1))
    server.streams[0]!.error()
    await t.clock.advance(RESTORE_DELAY_MS)
    expect(t.delivered.slice(1)).toEqual([synthesized(1)])
    expect(t.errors).toHaveLength(1)
    expect(t.errors[0]).toBeInstanceOf(SessionExpiredError)
    expect(t.closes()).toBe(1)
    expect(t.sessions).toEqual(['expired'])
    expect(t.transport.stats()).toMatchObject({
      state: 'closed',
      openStreams: 0,
      pendingRequests: 0,
      armedTimers: 0,
      inflightFetches: 0,
      sessionRestarts: 0,
    })
  })

  test('a replayed initialize answered with another protocol version closes the transport', async () => {
    const streams: Body[] = []
    const { fetch } = fakeFetch((request) => {
      if (request.method === 'GET') {
        const stream = controlledBody()
        streams.push(stream)
        stream.push(`event: endpoint\ndata: /messages?session=${streams.length}\n\n`)
        return sse(stream.body)
      }
      const stream = streams.at(-1) as Body
      if (request.body?.method === 'initialize')
        stream.push(
          `data: ${JSON.stringify(initResult(request.body.id, streams.length === 1 ? '2025-11-25' : '2025-06-18'))}\n\n`,
        )
      return new Response(null, { status: 202 })
    })
    const t = await handshaken({ fetch, seen: [], streams })
    streams[0]!.close()
    await t.clock.advance(RESTORE_DELAY_MS)
    expect(t.errors.map((error) => error.name)).toEqual(['SessionExpiredError'])
    expect(t.closes()).toBe(1)
    expect(t.delivered).toHaveLength(1)
  })

  test('a replayed initialize left unanswered times out after endpointTimeoutMs and closes', async () => {
    const streams: Body[] = []
    const { fetch } = fakeFetch((request) => {
      if (request.method === 'GET') {
        const stream = controlledBody()
        streams.push(stream)
        stream.push(`event: endpoint\ndata: /messages?session=${streams.length}\n\n`)
        return sse(stream.body)
      }
      if (request.body?.method === 'initialize' && streams.length === 1)
        streams[0]!.push(`data: ${JSON.stringify(initResult(request.body.id))}\n\n`)
      return new Response(null, { status: 202 })
    })
    const t = await handshaken({ fetch, seen: [], streams }, { endpointTimeoutMs: 5000 })
    streams[0]!.close()
    await t.clock.advance(RESTORE_DELAY_MS)
    expect(t.transport.stats().armedTimers).toBe(1)
    await t.clock.advance(4999)
    expect(t.closes()).toBe(0)
    await t.clock.advance(1)
    expect(t.errors.map((error) => error.name)).toEqual(['SessionExpiredError'])
    expect(t.closes()).toBe(1)
    expect(t.clock.armed).toBe(0)
    expect(t.transport.stats()).toMatchObject({
      openStreams: 0,
      armedTimers: 0,
      inflightFetches: 0,
    })
  })

  test('close() during a restore ends it quietly: onclose once, no onerror', async () => {
    const server = legacyServer()
    const gate = server.fetch
    const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
      if ((init?.method ?? 'GET') === 'GET' && server.streams.length === 1)
        await new Promise((_, reject) =>
          init?.signal?.addEventListener('abort', () =>
            reject(new DOMException('Aborted', 'AbortError')),
          ),
        )
      return gate(input, init)
    }) as typeof globalThis.fetch
    const t = await handshaken({ ...server, fetch })
    server.streams[0]!.close()
    await t.clock.advance(RESTORE_DELAY_MS)
    expect(t.transport.stats().inflightFetches).toBe(1)
    await t.transport.close()
    await settle()
    expect(t.errors).toEqual([])
    expect(t.closes()).toBe(1)
    expect(t.transport.stats()).toMatchObject({
      state: 'closed',
      inflightFetches: 0,
      armedTimers: 0,
    })
  })

  test('a restore retries transient failures with the Streamable HTTP backoff, jitter and retry floor', async () => {
    let refusals = 0
    let get = 0
    const server = legacyServer(undefined, () => {
      get++
      if (get === 2) return new Response('busy', { status: 503 })
      if (get === 3) return new Response(null, { status: 409 })
      if (get === 4) {
        refusals++
        throw new TypeError('fetch failed')
      }
      return undefined
    })
    const t = await handshaken(server, {
      random: () => 0.5,
      reconnect: { initialDelayMs: 100, factor: 2, jitter: 0.2 },
    })
    const delays: number[] = []
    t.transport.on('reconnect', ({ attempt, delayMs }) => delays.push(attempt, delayMs))
    // The stream's `retry` is a floor under the backoff, as for Streamable HTTP (R-R3).
    server.streams[0]!.push('retry: 150\n\n')
    await settle()
    server.streams[0]!.error()
    await settle()
    const gets = () => server.seen.filter((r) => r.method === 'GET').length
    await t.clock.advance(149)
    expect(gets()).toBe(1)
    await t.clock.advance(1)
    expect(gets()).toBe(2)
    // Attempt 1: max(retry 150, 100 + 10% jitter); attempt 2: 200 + 10%; attempt 3: 400 + 10%.
    await t.clock.advance(150)
    expect(gets()).toBe(3)
    await t.clock.advance(219)
    expect(gets()).toBe(3)
    await t.clock.advance(1)
    expect(gets()).toBe(4)
    await t.clock.advance(440)
    expect(gets()).toBe(5)
    expect(refusals).toBe(1)
    expect(delays).toEqual([0, 150, 1, 150, 2, 220, 3, 440])
    expect(t.sessions).toEqual(['expired', 'restored'])
    expect(t.errors).toEqual([])
    expect(t.transport.endpoint?.search).toBe('?session=2')
    expect(t.transport.stats()).toMatchObject({ reconnects: 4, sessionRestarts: 1 })
    await t.transport.close()
    expect(t.clock.armed).toBe(0)
  })

  test('a restore gives up after maxElapsedMs: SessionExpiredError once, onclose once, no timer left', async () => {
    const server = legacyServer(undefined, (n) =>
      n > 1 ? new Response('down', { status: 502 }) : undefined,
    )
    const t = await handshaken(server, { reconnect: { initialDelayMs: 100, maxElapsedMs: 1000 } })
    server.streams[0]!.error()
    await t.clock.advance(10_000)
    const gets = server.seen.filter((r) => r.method === 'GET').length
    // 100, 200, 400 (elapsed 700), then 800 would pass the budget's 1000 ms: four attempts.
    expect(gets).toBe(5)
    expect(t.errors.map((error) => error.name)).toEqual(['SessionExpiredError'])
    expect(t.closes()).toBe(1)
    expect(t.clock.armed).toBe(0)
    expect(t.transport.stats()).toMatchObject({ state: 'closed', armedTimers: 0, openStreams: 0 })
  })

  test('close() during the backoff wait: quiet, and a send that waited for the restore rejects', async () => {
    const server = legacyServer()
    const t = await handshaken(server)
    server.streams[0]!.error()
    await settle()
    expect(t.transport.stats().armedTimers).toBe(1)
    const sent = t.transport.send(call(9))
    await t.transport.close()
    await expect(sent).rejects.toThrow('Transport is closed')
    expect(t.errors).toEqual([])
    expect(t.closes()).toBe(1)
    expect(t.clock.armed).toBe(0)
    expect(server.seen.filter((r) => r.method === 'GET')).toHaveLength(1)
  })
})
