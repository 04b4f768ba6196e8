import { describe, expect, test } from 'vitest'
import {
  controlledBody,
  event,
  FakeClock,
  fakeFetch,
  INIT,
  initResult,
  json,
  type Seen,
  settle,
  sse,
} from '../test/_fake.js'
import { McpHttpError, SessionExpiredError } from './errors.js'
import { StreamableHttpClientTransport } from './streamable-http-transport.js'
import type { InboundMessage, TransportOptions } from './types.js'

const URL_ = 'http://127.0.0.1:9/mcp'
const call = (id: number, name = 'echo') => ({
  jsonrpc: '2.0' as const,
  id,
  method: 'tools/call',
  params: { name, arguments: {} },
})
const INITIALIZED = { jsonrpc: '2.0' as const, method: 'notifications/initialized' }

type Route = (request: Seen, index: number) => Response | Promise<Response> | undefined

/** A transport through initialize, with `route` answering everything after the handshake. */
async function connected(
  route: Route,
  options: TransportOptions = {},
  listen: 'offered' | 'refused' = 'refused',
) {
  const received: InboundMessage[] = []
  const errors: Error[] = []
  let closes = 0
  const { fetch, seen } = fakeFetch(async (request, index) => {
    if (request.body?.method === 'initialize')
      return json(initResult(request.body.id), 200, { 'mcp-session-id': 'session-1' })
    if (request.body?.method === 'notifications/initialized')
      return new Response(null, { status: 202 })
    const answer = await route(request, index)
    if (answer !== undefined) return answer
    if (request.method === 'GET' && listen === 'refused') return new Response(null, { status: 405 })
    if (request.method === 'DELETE') return new Response(null, { status: 200 })
    return new Response('unexpected', { status: 500 })
  })
  const transport = new StreamableHttpClientTransport(URL_, { fetch, random: () => 0, ...options })
  transport.onmessage = (message) => received.push(message)
  transport.onerror = (error) => errors.push(error)
  transport.onclose = () => closes++
  await transport.start()
  await transport.send(INIT)
  await settle()
  transport.setProtocolVersion('2025-11-25')
  await transport.send(INITIALIZED)
  await settle()
  received.length = 0
  return { transport, received, errors, seen, closes: () => closes }
}

describe('headers and sessions (R-H1, R-H2, R-H4)', () => {
  test('initialize carries neither session id nor protocol version; later requests carry both', async () => {
    const { transport, seen } = await connected((request) =>
      request.body?.method === 'tools/call'
        ? json({ jsonrpc: '2.0', id: request.body.id, result: {} })
        : undefined,
    )
    await transport.send(call(1))
    const [init, initialized] = seen
    expect(init?.headers.get('mcp-session-id')).toBeNull()
    expect(init?.headers.get('mcp-protocol-version')).toBeNull()
    expect(init?.headers.get('accept')).toBe('application/json, text/event-stream')
    expect(init?.headers.get('content-type')).toBe('application/json')
    expect(initialized?.headers.get('mcp-session-id')).toBe('session-1')
    const post = seen.find((request) => request.body?.method === 'tools/call')
    expect(post?.headers.get('mcp-session-id')).toBe('session-1')
    expect(post?.headers.get('mcp-protocol-version')).toBe('2025-11-25')
    const get = seen.find((request) => request.method === 'GET')
    expect(get?.headers.get('accept')).toBe('text/event-stream')
    expect(get?.headers.get('mcp-session-id')).toBe('session-1')
    await transport.close()
  })

  test('a session id on a response to anything but initialize is ignored', async () => {
    const { transport, seen } = await connected((request) =>
      request.body?.method === 'tools/call'
        ? json({ jsonrpc: '2.0', id: request.body.id, result: {} }, 200, {
            'mcp-session-id': 'hijack',
          })
        : undefined,
    )
    await transport.send(call(1))
    await transport.send(call(2))
    expect(transport.sessionId).toBe('session-1')
    expect(seen.at(-1)?.headers.get('mcp-session-id')).toBe('session-1')
    await transport.close()
  })

  test('an invalid session id fails initialization with a typed error', async () => {
    const { fetch } = fakeFetch(() => json(initResult(), 200, { 'mcp-session-id': 'has space' }))
    const transport = new StreamableHttpClientTransport(URL_, { fetch })
    await expect(transport.send(INIT)).rejects.toBeInstanceOf(McpHttpError)
    expect(transport.sessionId).toBeUndefined()
    expect(transport.stats().pendingRequests).toBe(0)
  })

  test('user headers never override the MCP headers', async () => {
    const { fetch, seen } = fakeFetch(() => json(initResult(), 200, { 'mcp-session-id': 's' }))
    const transport = new StreamableHttpClientTransport(URL_, {
      fetch,
      headers: { 'x-app': 'yes', 'mcp-session-id': 'forged', accept: 'text/html' },
    })
    await transport.send(INIT)
    expect(seen[0]?.headers.get('x-app')).toBe('yes')
    expect(seen[0]?.headers.get('mcp-session-id')).toBeNull()
    expect(seen[0]?.headers.get('accept')).toBe('application/json, text/event-stream')
    await transport.close()
  })
})

describe('delivery (R-D1 to R-D3)', () => {
  test('messages of one chunk reach onmessage one per microtask turn, in order', async () => {
    const { transport } = await connected((request) =>
      request.body?.method === 'tools/call'
        ? sse(
            event({
              jsonrpc: '2.0',
              method: 'notifications/progress',
              params: { progressToken: 1, progress: 1 },
            }) +
              event({
                jsonrpc: '2.0',
                method: 'notifications/progress',
                params: { progressToken: 1, progress: 2 },
              }) +
              event({ jsonrpc: '2.0', id: 1, result: {} }),
          )
        : undefined,
    )
    const turns: string[] = []
    transport.onmessage = (message) => {
      turns.push(
        'method' in message
          ? `progress ${(message.params as { progress: number }).progress}`
          : 'result',
      )
      // Anything the handler schedules for the next microtask runs before the next delivery.
      queueMicrotask(() => turns.push('microtask'))
    }
    await transport.send(call(1))
    await settle()
    expect(turns).toEqual([
      'progress 1',
      'microtask',
      'progress 2',
      'microtask',
      'result',
      'microtask',
    ])
    await transport.close()
  })

  test('a stream that ends without its response and without an id fails the request at once, exactly once', async () => {
    const { transport, received, errors } = await connected((request) =>
      request.body?.method === 'tools/call'
        ? sse(event({ jsonrpc: '2.0', method: 'notifications/message', params: {} }))
        : undefined,
    )
    await transport.send(call(7))
    await settle()
    const answers = received.filter((message) => 'id' in message && message.id === 7)
    expect(answers).toEqual([
      {
        jsonrpc: '2.0',
        id: 7,
        error: {
          code: -32000,
          message: 'Connection closed',
          data: { reason: 'not-resumable', retryable: true },
        },
      },
    ])
    expect(errors).toEqual([])
    expect(transport.stats()).toMatchObject({
      pendingRequests: 0,
      openStreams: 0,
      synthesizedErrors: 1,
    })
    await transport.close()
    expect(received.filter((message) => 'id' in message && message.id === 7)).toHaveLength(1)
  })

  test('a 202 to a request while no listen stream exists fails it at once (R-L3)', async () => {
    const { transport, received } = await connected((request) =>
      request.body?.method === 'tools/call' ? new Response(null, { status: 202 }) : undefined,
    )
    await transport.send(call(3))
    await settle()
    expect(received).toMatchObject([
      { id: 3, error: { code: -32000, data: { reason: 'accepted-without-stream' } } },
    ])
    await transport.close()
  })

  test('a JSON-RPC error body for the request is delivered in-band; other failures throw McpHttpError', async () => {
    const { transport, received } = await connected((request) => {
      if (request.body?.id === 1)
        return json({ jsonrpc: '2.0', id: 1, error: { code: -32602, message: 'bad' } }, 400)
      if (request.body?.id === 2)
        return new Response('<html>busy</html>', {
          status: 503,
          headers: { 'content-type': 'text/html' },
        })
      return undefined
    })
    await transport.send(call(1))
    await settle()
    expect(received).toEqual([{ jsonrpc: '2.0', id: 1, error: { code: -32602, message: 'bad' } }])
    const failure = await transport.send(call(2)).catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(McpHttpError)
    expect((failure as McpHttpError).status).toBe(503)
    expect(transport.stats().pendingRequests).toBe(0)
    await transport.close()
  })

  test('a response repeated on the wire is delivered once', async () => {
    const { transport, received } = await connected((request) =>
      request.body?.method === 'tools/call'
        ? sse(
            event({ jsonrpc: '2.0', id: 4, result: { n: 1 } }) +
              event({ jsonrpc: '2.0', id: 4, result: { n: 2 } }),
          )
        : undefined,
    )
    await transport.send(call(4))
    await settle()
    expect(received).toEqual([{ jsonrpc: '2.0', id: 4, result: { n: 1 } }])
    await transport.close()
  })
})

describe('resumption (R-R1 to R-R6)', () => {
  test('a primed stream that closes resumes with GET and Last-Event-ID after the server retry, not before', async () => {
    const clock = new FakeClock()
    const { transport, received, seen, errors } = await connected(
      (request) => {
        if (request.body?.method === 'tools/call') return sse(`id: e-1\nretry: 500\ndata: \n\n`)
        if (request.method === 'GET' && request.headers.get('last-event-id') === 'e-1') {
          return sse(event({ jsonrpc: '2.0', id: 5, result: { ok: true } }, 'e-2'))
        }
        return undefined
      },
      { timers: clock },
    )
    await transport.send(call(5))
    await clock.advance(499)
    expect(seen.filter((request) => request.headers.get('last-event-id') !== null)).toHaveLength(0)
    await clock.advance(1)
    expect(seen.filter((request) => request.headers.get('last-event-id') === 'e-1')).toHaveLength(1)
    expect(received).toEqual([{ jsonrpc: '2.0', id: 5, result: { ok: true } }])
    expect(errors).toEqual([])
    expect(transport.stats()).toMatchObject({ resumes: 1, pendingRequests: 0, openStreams: 0 })
    await transport.close()
  })

  test('server retry is a floor under the backoff, and the backoff grows past it on a dead server (R-R3)', async () => {
    const clock = new FakeClock()
    const attempts: number[] = []
    const { transport } = await connected(
      (request) => {
        if (request.body?.method === 'tools/call') return sse(`id: e-1\nretry: 5000\ndata: \n\n`)
        if (request.method === 'GET' && request.headers.has('last-event-id')) {
          attempts.push(clock.now())
          return new Response(null, { status: 503 })
        }
        return undefined
      },
      {
        timers: clock,
        reconnect: { initialDelayMs: 1000, factor: 2, jitter: 0, maxDelayMs: 60_000 },
      },
    )
    const start = clock.now()
    await transport.send(call(1))
    await clock.advance(4999)
    expect(attempts).toEqual([])
    await clock.advance(1)
    expect(attempts).toEqual([start + 5000])
    await clock.advance(30_000)
    // 5000, then max(5000, 1000), max(5000, 2000), max(5000, 4000), max(5000, 8000)...
    const gaps = attempts.slice(1).map((at, i) => at - (attempts[i] as number))
    expect(gaps.slice(0, 4)).toEqual([5000, 5000, 5000, 8000])
    await transport.close()
  })

  test('a resumed stream that drops before any new id resumes again from the same Last-Event-ID (#2499)', async () => {
    const clock = new FakeClock()
    const lastIds: Array<string | null> = []
    const { transport, received } = await connected(
      (request) => {
        if (request.body?.method === 'tools/call') return sse(`id: e-1\nretry: 10\ndata: \n\n`)
        if (request.method === 'GET' && request.headers.has('last-event-id')) {
          lastIds.push(request.headers.get('last-event-id'))
          if (lastIds.length === 1) return sse(': nothing yet\n\n')
          return sse(event({ jsonrpc: '2.0', id: 1, result: {} }, 'e-2'))
        }
        return undefined
      },
      { timers: clock },
    )
    await transport.send(call(1))
    await clock.advance(5000)
    expect(lastIds).toEqual(['e-1', 'e-1'])
    expect(received).toEqual([{ jsonrpc: '2.0', id: 1, result: {} }])
    await transport.close()
  })

  test('409 on resume is retried; 400 on resume fails the owed request (R-R6)', async () => {
    const clock = new FakeClock()
    let gets = 0
    const { transport, received } = await connected(
      (request) => {
        if (request.body?.method === 'tools/call')
          return sse(`id: e-${request.body.id}\nretry: 10\ndata: \n\n`)
        if (request.method === 'GET' && request.headers.get('last-event-id') === 'e-1') {
          gets++
          return gets < 3
            ? new Response(null, { status: 409 })
            : sse(event({ jsonrpc: '2.0', id: 1, result: {} }, 'e-9'))
        }
        if (request.method === 'GET' && request.headers.get('last-event-id') === 'e-2')
          return new Response(null, { status: 400 })
        return undefined
      },
      { timers: clock },
    )
    await transport.send(call(1))
    await transport.send(call(2))
    await clock.advance(20_000)
    expect(gets).toBe(3)
    expect(received).toContainEqual({ jsonrpc: '2.0', id: 1, result: {} })
    expect(received).toContainEqual({
      jsonrpc: '2.0',
      id: 2,
      error: {
        code: -32000,
        message: 'Connection closed',
        data: { reason: 'resume-refused', retryable: false },
      },
    })
    await transport.close()
  })

  test('a stream is given up after maxElapsedMs without progress and its request answered', async () => {
    const clock = new FakeClock()
    const { transport, received, errors } = await connected(
      (request) => {
        if (request.body?.method === 'tools/call') return sse(`id: e-1\ndata: \n\n`)
        if (request.method === 'GET' && request.headers.has('last-event-id'))
          return new Response(null, { status: 502 })
        return undefined
      },
      { timers: clock, reconnect: { maxElapsedMs: 10_000, jitter: 0 } },
    )
    await transport.send(call(1))
    await clock.advance(60_000)
    expect(received).toMatchObject([
      { id: 1, error: { code: -32000, data: { reason: 'budget-exhausted' } } },
    ])
    expect(errors).toEqual([])
    expect(transport.stats()).toMatchObject({ openStreams: 0, armedTimers: 0 })
    await transport.close()
  })

  test('events replayed after a resume are not delivered twice (R-D5)', async () => {
    const clock = new FakeClock()
    const progress = (n: number) => ({
      jsonrpc: '2.0',
      method: 'notifications/progress',
      params: { progressToken: 1, progress: n },
    })
    const { transport, received } = await connected(
      (request) => {
        if (request.body?.method === 'tools/call')
          return sse(`retry: 10\n${event(progress(1), 'e-1')}${event(progress(2), 'e-2')}`)
        if (request.method === 'GET' && request.headers.has('last-event-id')) {
          // A server that replays from one event too early.
          return sse(
            event(progress(2), 'e-2') +
              event(progress(3), 'e-3') +
              event({ jsonrpc: '2.0', id: 1, result: {} }, 'e-4'),
          )
        }
        return undefined
      },
      { timers: clock },
    )
    await transport.send(call(1))
    await clock.advance(1000)
    expect(
      received.map((message) =>
        'method' in message ? (message.params as { progress: number }).progress : 'result',
      ),
    ).toEqual([1, 2, 3, 'result'])
    expect(transport.stats().duplicatesDropped).toBe(1)
    await transport.close()
  })
})

describe('listen stream (R-L1, R-L2)', () => {
  for (const status of [400, 404, 405, 406]) {
    test(`GET answered ${status} is quiet and not retried`, async () => {
      const clock = new FakeClock()
      const { transport, errors, seen } = await connected(
        (request) => (request.method === 'GET' ? new Response(null, { status }) : undefined),
        { timers: clock },
      )
      await clock.advance(120_000)
      expect(seen.filter((request) => request.method === 'GET')).toHaveLength(1)
      expect(errors).toEqual([])
      expect(transport.sessionId).toBe('session-1')
      await transport.close()
    })
  }

  test('the listen stream delivers server messages and a 202-answered request gets its response there', async () => {
    const body = controlledBody()
    const { transport, received } = await connected((request) => {
      if (request.method === 'GET') return sse(body.body)
      if (request.body?.method === 'tools/call') return new Response(null, { status: 202 })
      return undefined
    })
    await transport.send(call(9))
    body.push(event({ jsonrpc: '2.0', id: 9, result: { via: 'listen' } }, 'g-1'))
    await settle()
    expect(received).toEqual([{ jsonrpc: '2.0', id: 9, result: { via: 'listen' } }])
    await transport.close()
  })
})

describe('session expiry (R-S3)', () => {
  test('404 with a session id re-initializes once, invisibly, and retries the request', async () => {
    let sessions = 0
    const received: InboundMessage[] = []
    const { fetch, seen } = fakeFetch((request) => {
      if (request.body?.method === 'initialize') {
        sessions++
        return json(initResult(request.body.id), 200, { 'mcp-session-id': `s-${sessions}` })
      }
      if (request.body?.method === 'notifications/initialized')
        return new Response(null, { status: 202 })
      if (request.method === 'GET') return new Response(null, { status: 405 })
      if (request.headers.get('mcp-session-id') === 's-1')
        return json(
          { jsonrpc: '2.0', id: null, error: { code: -32001, message: 'Session not found' } },
          404,
        )
      return json({
        jsonrpc: '2.0',
        id: request.body.id,
        result: { session: request.headers.get('mcp-session-id') },
      })
    })
    const transport = new StreamableHttpClientTransport(URL_, { fetch })
    const events: string[] = []
    transport.on('session', (detail) => events.push(detail.kind))
    transport.onmessage = (message) => received.push(message)
    await transport.send(INIT)
    transport.setProtocolVersion('2025-11-25')
    await transport.send(INITIALIZED)
    await settle()
    received.length = 0
    await transport.send(call(1))
    await settle()
    expect(received).toEqual([{ jsonrpc: '2.0', id: 1, result: { session: 's-2' } }])
    expect(events).toEqual(['created', 'expired', 'created', 'restored'])
    expect(
      seen
        .filter((request) => request.body?.method === 'initialize')
        .map((request) => request.body.id),
    ).toEqual([0, 'mcpwire:reinit:1'])
    expect(transport.stats().sessionRestarts).toBe(1)
    await transport.close()
  })

  test('concurrent 404s share one re-initialization', async () => {
    let inits = 0
    const { fetch } = fakeFetch(async (request) => {
      if (request.body?.method === 'initialize') {
        inits++
        return json(initResult(request.body.id), 200, { 'mcp-session-id': `s-${inits}` })
      }
      if (request.body?.method === 'notifications/initialized')
        return new Response(null, { status: 202 })
      if (request.method === 'GET' || request.method === 'DELETE')
        return new Response(null, { status: 405 })
      if (request.headers.get('mcp-session-id') === 's-1')
        return new Response(null, { status: 404 })
      return json({ jsonrpc: '2.0', id: request.body.id, result: {} })
    })
    const transport = new StreamableHttpClientTransport(URL_, { fetch })
    await transport.send(INIT)
    transport.setProtocolVersion('2025-11-25')
    await transport.send(INITIALIZED)
    await Promise.all([1, 2, 3, 4, 5].map((id) => transport.send(call(id))))
    expect(inits).toBe(2)
    await transport.close()
  })

  test('a second expiry in a row closes the transport with SessionExpiredError', async () => {
    let closes = 0
    const errors: Error[] = []
    const { fetch } = fakeFetch((request) => {
      if (request.body?.method === 'initialize')
        return json(initResult(request.body.id), 200, { 'mcp-session-id': 's' })
      if (request.body?.method === 'notifications/initialized')
        return new Response(null, { status: 202 })
      if (request.method === 'GET') return new Response(null, { status: 405 })
      return new Response(null, { status: 404 })
    })
    const transport = new StreamableHttpClientTransport(URL_, { fetch })
    transport.onclose = () => closes++
    transport.onerror = (error) => errors.push(error)
    await transport.send(INIT)
    transport.setProtocolVersion('2025-11-25')
    await transport.send(INITIALIZED)
    await expect(transport.send(call(1))).rejects.toBeInstanceOf(SessionExpiredError)
    await settle()
    expect(closes).toBe(1)
    expect(errors.some((error) => error instanceof SessionExpiredError)).toBe(true)
  })

  test('a 404 without a session id never re-initializes', async () => {
    const { fetch, seen } = fakeFetch((request) =>
      request.body?.method === 'initialize'
        ? json(initResult(request.body.id))
        : new Response('not here', { status: 404 }),
    )
    const transport = new StreamableHttpClientTransport(URL_, { fetch })
    await transport.send(INIT)
    transport.setProtocolVersion('2025-11-25')
    await expect(transport.send(call(1))).rejects.toMatchObject({ status: 404 })
    expect(seen.filter((request) => request.body?.method === 'initialize')).toHaveLength(1)
    await transport.close()
  })
})

describe('close (R-S6)', () => {
  test('close() answers owed requests, sends DELETE once, zeroes every gauge, calls onclose once', async () => {
    const body = controlledBody()
    const { transport, received, seen, closes } = await connected((request) =>
      request.body?.method === 'tools/call' ? sse(body.body) : undefined,
    )
    await transport.send(call(1))
    body.push('id: e-1\ndata: \n\n')
    await settle()
    expect(transport.stats()).toMatchObject({ openStreams: 1, pendingRequests: 1 })
    await transport.close()
    await transport.close()
    expect(received).toMatchObject([
      { id: 1, error: { code: -32000, data: { reason: 'transport-closed' } } },
    ])
    expect(seen.filter((request) => request.method === 'DELETE')).toHaveLength(1)
    expect(seen.find((request) => request.method === 'DELETE')?.headers.get('mcp-session-id')).toBe(
      'session-1',
    )
    expect(transport.stats()).toMatchObject({
      state: 'closed',
      openStreams: 0,
      pendingRequests: 0,
      armedTimers: 0,
      inflightFetches: 0,
      queuedMessages: 0,
      sessionId: undefined,
    })
    expect(closes()).toBe(1)
    await expect(transport.send(call(2))).rejects.toThrow('closed')
  })

  test('close() with a reconnection pending leaves no timer', async () => {
    const clock = new FakeClock()
    const { transport } = await connected(
      (request) =>
        request.body?.method === 'tools/call'
          ? sse('id: e-1\nretry: 60000\ndata: \n\n')
          : undefined,
      { timers: clock },
    )
    await transport.send(call(1))
    await clock.advance(10)
    expect(clock.armed).toBe(1)
    await transport.close()
    expect(clock.armed).toBe(0)
    expect(transport.stats().armedTimers).toBe(0)
  })
})

describe('cancellation (R-C1, R-C2)', () => {
  test('requestSignal aborts the request quietly: no synthesized error, no onerror', async () => {
    const body = controlledBody()
    const { transport, received, errors } = await connected((request) =>
      request.body?.method === 'tools/call' ? sse(body.body) : undefined,
    )
    const controller = new AbortController()
    await transport.send(call(1), { requestSignal: controller.signal })
    controller.abort()
    await settle()
    expect(received).toEqual([])
    expect(errors).toEqual([])
    expect(transport.stats()).toMatchObject({ pendingRequests: 0, openStreams: 0 })
    await transport.close()
  })
})

describe('stateless era (R-H3)', () => {
  test('a request with the 2026-07-28 _meta envelope gets Mcp-Method, Mcp-Name and the header version, no session', async () => {
    const { fetch, seen } = fakeFetch((request) =>
      json({ jsonrpc: '2.0', id: request.body.id, result: {} }),
    )
    const transport = new StreamableHttpClientTransport(URL_, { fetch })
    transport.onmessage = () => {}
    await transport.send(
      {
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: {
          name: 'café',
          arguments: {},
          _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28' },
        },
      },
      { headers: { 'Mcp-Param-Region': 'eu', 'Mcp-Method': 'forged' } },
    )
    const headers = seen[0]?.headers
    expect(headers?.get('mcp-protocol-version')).toBe('2026-07-28')
    expect(headers?.get('mcp-method')).toBe('tools/call')
    expect(headers?.get('mcp-name')).toBe('=?base64?Y2Fmw6k=?=')
    expect(headers?.get('mcp-param-region')).toBe('eu')
    expect(headers?.get('mcp-session-id')).toBeNull()
    await transport.close()
    expect(seen.filter((request) => request.method === 'DELETE')).toHaveLength(0)
  })
})

describe('redirects and auth (R-H5, single-flight auth)', () => {
  test('307 within the origin is followed with the body and remembered; another origin is refused', async () => {
    const { fetch, seen } = fakeFetch((request) => {
      if (request.url === URL_)
        return new Response(null, { status: 307, headers: { location: '/mcp/' } })
      if (request.url.endsWith('/mcp/')) return json(initResult(request.body.id))
      return new Response(null, { status: 500 })
    })
    const transport = new StreamableHttpClientTransport(URL_, { fetch })
    transport.onmessage = () => {}
    await transport.send(INIT)
    transport.setProtocolVersion('2025-11-25')
    await transport.send(INITIALIZED)
    expect(
      seen.filter((request) => request.method === 'POST').map((request) => request.url),
    ).toEqual([URL_, `${URL_}/`, `${URL_}/`])
    expect(seen[1]?.body).toEqual(INIT)
    await transport.close()

    const other = fakeFetch(
      () => new Response(null, { status: 307, headers: { location: 'http://evil.example/mcp' } }),
    )
    const refused = new StreamableHttpClientTransport(URL_, { fetch: other.fetch })
    await expect(refused.send(INIT)).rejects.toThrow('another origin')
    expect(other.seen).toHaveLength(1)
  })

  test('ten concurrent 401s run onUnauthorized once and are each retried once', async () => {
    let token = 'old'
    let grant = true
    let refreshes = 0
    const { fetch, seen } = fakeFetch(async (request) => {
      await settle()
      if (request.headers.get('authorization') !== 'Bearer new')
        return new Response(null, { status: 401 })
      return json(
        request.body.method === 'initialize'
          ? initResult(request.body.id)
          : { jsonrpc: '2.0', id: request.body.id, result: {} },
      )
    })
    const transport = new StreamableHttpClientTransport(URL_, {
      fetch,
      auth: {
        token: () => token,
        onUnauthorized: async () => {
          refreshes++
          await settle()
          if (grant) token = 'new'
        },
      },
    })
    transport.onmessage = () => {}
    await Promise.all(Array.from({ length: 10 }, (_, i) => transport.send(call(i + 1))))
    expect(refreshes).toBe(1)
    expect(seen).toHaveLength(20)
    token = 'revoked'
    grant = false
    await expect(transport.send(call(11))).rejects.toMatchObject({ name: 'UnauthorizedError' })
    await transport.close()
  })
})

describe('the end of an answered response stream', () => {
  /** An SSE body carrying the result of call `id`, counting the client's cancels. */
  function answered(id: number) {
    const counts = { cancels: 0 }
    let controller!: ReadableStreamDefaultController<Uint8Array>
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        controller = c
        c.enqueue(new TextEncoder().encode(event({ jsonrpc: '2.0', id, result: {} }, 'e1')))
      },
      cancel() {
        counts.cancels++
      },
    })
    const more = () => controller.enqueue(new TextEncoder().encode(': more\n\n'))
    return { body, counts, close: () => controller.close(), more }
  }

  test('a body that ends a moment after the result is read to its end, not cancelled', async () => {
    const reply = answered(1)
    const { transport, received } = await connected((request) =>
      request.body?.method === 'tools/call' ? sse(reply.body) : undefined,
    )
    await transport.send(call(1))
    // The server ends the body a turn after the result, as undici does.
    setImmediate(reply.close)
    await settle()
    expect(received).toEqual([{ jsonrpc: '2.0', id: 1, result: {} }])
    expect(reply.counts.cancels).toBe(0)
    expect(transport.stats()).toMatchObject({ openStreams: 0, armedTimers: 0 })
    await transport.close()
  })

  test('a body kept open after the result is cancelled after a short grace', async () => {
    const clock = new FakeClock()
    const reply = answered(1)
    const { transport, received } = await connected(
      (request) => (request.body?.method === 'tools/call' ? sse(reply.body) : undefined),
      { timers: clock },
    )
    await transport.send(call(1))
    await settle()
    expect(received).toEqual([{ jsonrpc: '2.0', id: 1, result: {} }])
    expect(transport.stats()).toMatchObject({ openStreams: 1, pendingRequests: 0, armedTimers: 1 })
    expect(reply.counts.cancels).toBe(0)
    await clock.advance(10)
    expect(reply.counts.cancels).toBe(1)
    expect(transport.stats()).toMatchObject({ openStreams: 0, armedTimers: 0 })
    await transport.close()
  })

  test('a body that goes on after the result is cancelled without waiting for the grace', async () => {
    const clock = new FakeClock()
    const reply = answered(1)
    const { transport } = await connected(
      (request) => (request.body?.method === 'tools/call' ? sse(reply.body) : undefined),
      { timers: clock },
    )
    await transport.send(call(1))
    await settle()
    reply.more()
    await settle()
    expect(reply.counts.cancels).toBe(1)
    expect(transport.stats()).toMatchObject({ openStreams: 0, armedTimers: 0 })
    await transport.close()
  })
})
