import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js'
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
import { startMcpwire } from '../test/_fixture.js'
import { HttpClientTransport } from './http-client-transport.js'
import type { ResumeToken } from './session-resume.js'
import { StreamableHttpClientTransport } from './streamable-http-transport.js'
import type { InboundMessage, TransportEventMap, TransportOptions } from './types.js'

const URL_ = 'http://127.0.0.1:9/mcp'
const list = (id: number | string) => ({ jsonrpc: '2.0' as const, id, method: 'tools/list' })
const call = (id: number) => ({
  jsonrpc: '2.0' as const,
  id,
  method: 'tools/call',
  params: { name: 'echo', arguments: {} },
})

function attach(
  handler: (request: Seen, index: number) => Response | Promise<Response>,
  options: TransportOptions,
) {
  const { fetch, seen } = fakeFetch(handler)
  const transport = new StreamableHttpClientTransport(URL_, { fetch, random: () => 0, ...options })
  const received: InboundMessage[] = []
  const errors: Error[] = []
  const sessions: Array<TransportEventMap['session']> = []
  transport.onmessage = (message) => received.push(message)
  transport.onerror = (error) => errors.push(error)
  transport.on('session', (detail) => sessions.push(detail))
  return { transport, seen, received, errors, sessions }
}

describe('re-attaching to a persisted session (R-S5)', () => {
  test('a persisted session id is sent at once but hidden from the client until a request with it succeeds', async () => {
    let answer: (response: Response) => void = () => {}
    const { transport, seen, sessions } = attach(
      (request) =>
        request.method !== 'POST'
          ? new Response(null, { status: 405 })
          : new Promise<Response>((resolve) => {
              answer = resolve
            }),
      { sessionId: 'persisted-1', protocolVersion: '2025-11-25' },
    )
    await transport.start()
    expect(transport.sessionId).toBeUndefined()
    const sent = transport.send(list(1))
    await settle()
    expect(seen[0]?.headers.get('mcp-session-id')).toBe('persisted-1')
    expect(seen[0]?.headers.get('mcp-protocol-version')).toBe('2025-11-25')
    expect(transport.sessionId).toBeUndefined()
    answer(json({ jsonrpc: '2.0', id: 1, result: { tools: [] } }))
    await sent
    expect(transport.sessionId).toBe('persisted-1')
    expect(sessions).toEqual([{ kind: 'attached', sessionId: 'persisted-1' }])
    await transport.close()
  })

  test('a stale persisted session is re-initialized from initializeParams and the request retried, invisibly', async () => {
    const { transport, seen, received, errors, sessions } = attach(
      (request) => {
        const method = request.body?.method
        if (method === 'initialize')
          return json(initResult(request.body.id), 200, { 'mcp-session-id': 'fresh-2' })
        if (method === 'notifications/initialized') return new Response(null, { status: 202 })
        if (request.method === 'GET') return new Response(null, { status: 405 })
        if (request.headers.get('mcp-session-id') === 'stale-1')
          return new Response('gone', { status: 404 })
        return json({ jsonrpc: '2.0', id: request.body.id, result: { tools: [] } })
      },
      {
        sessionId: 'stale-1',
        protocolVersion: '2025-11-25',
        initializeParams: INIT.params,
      },
    )
    await transport.send(list(7))
    await settle()
    expect(received).toEqual([{ jsonrpc: '2.0', id: 7, result: { tools: [] } }])
    expect(errors).toEqual([])
    expect(transport.sessionId).toBe('fresh-2')
    const init = seen.find((request) => request.body?.method === 'initialize')
    expect(init?.body.id).toMatch(/^mcpwire:reinit:/)
    expect(init?.body.params).toEqual(INIT.params)
    expect(init?.headers.get('mcp-session-id')).toBeNull()
    expect(sessions.map((detail) => detail.kind)).toEqual(['expired', 'created', 'restored'])
    await transport.close()
  })

  test("the client's own initialize replaces an unconfirmed persisted session (SDK connect)", async () => {
    const { transport, seen } = attach(
      (request) =>
        request.body?.method === 'initialize'
          ? json(initResult(request.body.id), 200, { 'mcp-session-id': 'new-1' })
          : new Response(null, { status: 202 }),
      { sessionId: 'persisted-1', protocolVersion: '2025-11-25' },
    )
    await transport.send(INIT)
    expect(seen[0]?.headers.get('mcp-session-id')).toBeNull()
    expect(transport.sessionId).toBe('new-1')
    await transport.close()
  })

  test('an invalid persisted session id or protocol version is a TypeError at construction', () => {
    expect(() => new StreamableHttpClientTransport(URL_, { sessionId: 'has space' })).toThrow(
      TypeError,
    )
    expect(() => new StreamableHttpClientTransport(URL_, { protocolVersion: 'auto' })).toThrow(
      TypeError,
    )
  })
})

describe('detach() and resume (R-S6)', () => {
  test('detach() sends no DELETE, answers owed requests as retryable and returns the resume token', async () => {
    const body = controlledBody()
    const { transport, seen, received } = attach((request) => {
      const method = request.body?.method
      if (method === 'initialize')
        return json(initResult(request.body.id), 200, { 'mcp-session-id': 'session-1' })
      if (method === 'notifications/initialized') return new Response(null, { status: 202 })
      if (method === 'tools/call') return sse(body.body)
      if (request.method === 'GET') return new Response(null, { status: 405 })
      return new Response(null, { status: 200 })
    }, {})
    await transport.send(INIT)
    transport.setProtocolVersion('2025-11-25')
    await transport.send({ jsonrpc: '2.0', method: 'notifications/initialized' })
    await transport.send(call(3))
    body.push('id: ev-9\ndata: \n\n')
    await settle()
    received.length = 0
    const token = await transport.detach()
    expect(token).toEqual({
      sessionId: 'session-1',
      protocolVersion: '2025-11-25',
      streams: [{ lastEventId: 'ev-9', requestIds: [3] }],
      initializeParams: INIT.params,
    } satisfies ResumeToken)
    expect(seen.some((request) => request.method === 'DELETE')).toBe(false)
    expect(received).toMatchObject([
      { id: 3, error: { code: -32000, data: { reason: 'transport-detached', retryable: true } } },
    ])
    expect(transport.stats()).toMatchObject({
      state: 'closed',
      openStreams: 0,
      pendingRequests: 0,
      inflightFetches: 0,
    })
    await expect(transport.send(call(4))).rejects.toThrow('closed')
  })

  test('a re-attached transport resumes each persisted stream with its Last-Event-ID and delivers what it owes', async () => {
    const { transport, seen, received } = attach(
      (request) => {
        if (request.method === 'GET' && request.headers.get('last-event-id') === 'ev-9')
          return sse(event({ jsonrpc: '2.0', id: 3, result: { content: [] } }, 'ev-10'))
        if (request.method === 'GET') return new Response(null, { status: 405 })
        return new Response(null, { status: 202 })
      },
      {
        sessionId: 'session-1',
        protocolVersion: '2025-11-25',
        resume: [{ lastEventId: 'ev-9', requestIds: [3] }],
      },
    )
    await transport.send({ jsonrpc: '2.0', method: 'notifications/roots/list_changed' })
    await settle()
    const get = seen.find((request) => request.headers.get('last-event-id') === 'ev-9')
    expect(get?.headers.get('mcp-session-id')).toBe('session-1')
    expect(received).toEqual([{ jsonrpc: '2.0', id: 3, result: { content: [] } }])
    expect(transport.sessionId).toBe('session-1')
    await transport.close()
  })
})

describe('HttpClientTransport.detach()', () => {
  test('detaches the Streamable HTTP session it uses, without DELETE', async () => {
    const { fetch, seen } = fakeFetch((request) =>
      request.body?.method === 'initialize'
        ? json(initResult(request.body.id), 200, { 'mcp-session-id': 'auto-1' })
        : new Response(null, { status: 405 }),
    )
    const transport = new HttpClientTransport(URL_, { fetch })
    transport.onmessage = () => {}
    await transport.send(INIT)
    transport.setProtocolVersion('2025-11-25')
    const token = await transport.detach()
    expect(token).toMatchObject({ sessionId: 'auto-1', protocolVersion: '2025-11-25', streams: [] })
    expect(seen.some((request) => request.method === 'DELETE')).toBe(false)
    expect(transport.stats().state).toBe('closed')
  })
})

describe('close() and DELETE (R-S6)', () => {
  const handshake = (deleteAnswer: (request: Seen) => Promise<Response>) =>
    attach((request) => {
      if (request.body?.method === 'initialize')
        return json(initResult(request.body.id), 200, { 'mcp-session-id': 'session-1' })
      if (request.method === 'DELETE') return deleteAnswer(request)
      return new Response(null, { status: 405 })
    }, {})

  test('terminateOnClose: false sends no DELETE', async () => {
    const { fetch, seen } = fakeFetch((request) =>
      request.body?.method === 'initialize'
        ? json(initResult(), 200, { 'mcp-session-id': 'session-1' })
        : new Response(null, { status: 200 }),
    )
    const transport = new StreamableHttpClientTransport(URL_, { fetch, terminateOnClose: false })
    await transport.send(INIT)
    await transport.close()
    expect(seen.map((request) => request.method)).toEqual(['POST'])
  })

  test('a DELETE that never answers is abandoned after closeTimeoutMs; one that fails never throws', async () => {
    const clock = new FakeClock()
    const { fetch } = fakeFetch((request, index) => {
      if (request.body?.method === 'initialize')
        return json(initResult(), 200, { 'mcp-session-id': 'session-1' })
      void index
      return new Promise<Response>(() => {})
    })
    const hanging = new StreamableHttpClientTransport(URL_, {
      fetch: (input, init) =>
        new Promise((resolve, reject) => {
          init?.signal?.addEventListener('abort', () => reject(new DOMException('x', 'AbortError')))
          fetch(input, init).then(resolve, reject)
        }),
      timers: clock,
      closeTimeoutMs: 500,
    })
    await hanging.send(INIT)
    let closed = false
    const closing = hanging.close().then(() => {
      closed = true
    })
    await clock.advance(499)
    expect(closed).toBe(false)
    await clock.advance(1)
    await closing
    expect(closed).toBe(true)
    expect(hanging.stats()).toMatchObject({ armedTimers: 0, inflightFetches: 0 })

    const { transport } = handshake(() => Promise.reject(new TypeError('network error')))
    await transport.send(INIT)
    await expect(transport.close()).resolves.toBeUndefined()
  })
})

describe('re-attach against a real server', () => {
  test('detach() then a new transport with the token keeps using the same server session', async () => {
    const server = await startMcpwire()
    try {
      const first = new StreamableHttpClientTransport(server.url)
      const received: InboundMessage[] = []
      first.onmessage = (message) => received.push(message)
      await first.send(INIT)
      first.setProtocolVersion('2025-11-25')
      await first.send({ jsonrpc: '2.0', method: 'notifications/initialized' })
      await settle()
      const token = await first.detach()
      expect(server.seen.filter((line) => line.startsWith('DELETE'))).toEqual([])
      expect(token.sessionId).toEqual(expect.any(String))

      const second = new StreamableHttpClientTransport(server.url, {
        sessionId: token.sessionId as string,
        protocolVersion: token.protocolVersion as string,
        resume: token.streams,
        listen: 'never',
      })
      const answers: InboundMessage[] = []
      second.onmessage = (message) => answers.push(message)
      await second.send(list('after-attach'))
      for (let i = 0; i < 50 && answers.length === 0; i++) await settle()
      expect(answers[0]).toMatchObject({ id: 'after-attach', result: { tools: expect.any(Array) } })
      expect(second.sessionId).toBe(token.sessionId)
      expect(server.seen.filter((line) => line.startsWith('POST'))).toHaveLength(3)
      await second.close()
      expect(server.seen.filter((line) => line.startsWith('DELETE'))).toHaveLength(1)
    } finally {
      await server.close()
    }
  })

  test('an SDK v1 Client given a stale persisted session id still connects: it runs initialize instead of skipping it', async () => {
    const server = await startMcpwire()
    try {
      const transport = new StreamableHttpClientTransport(server.url, {
        sessionId: 'forgotten-by-the-server',
        protocolVersion: '2025-11-25',
      })
      const client = new ClientV1({ name: 'reattach', version: '1.0.0' })
      await client.connect(transport)
      const { tools } = await client.listTools()
      expect(tools.map((tool) => tool.name).sort()).toEqual(['countdown', 'echo'])
      expect(transport.sessionId).not.toBe('forgotten-by-the-server')
      expect(transport.sessionId).toEqual(expect.any(String))
      await client.close()
    } finally {
      await server.close()
    }
  })
})
