import { describe, expect, test } from 'vitest'
import {
  controlledBody,
  event,
  fakeFetch,
  INIT,
  initResult,
  json,
  settle,
  sse,
} from '../test/_fake.js'
import { defaultMaxConcurrentStreams, StreamSlots } from './stream-slots.js'
import { StreamableHttpClientTransport } from './streamable-http-transport.js'
import type { InboundMessage } from './types.js'

const call = (id: number) => ({
  jsonrpc: '2.0' as const,
  id,
  method: 'tools/call',
  params: { name: 'slow', arguments: {} },
})

describe('StreamSlots', () => {
  test('waiters get released slots first come first served; abort and close answer undefined', async () => {
    const slots = new StreamSlots(2)
    const a = await slots.acquire()
    const b = await slots.acquire()
    const order: string[] = []
    const c = slots.acquire().then((slot) => {
      order.push('c')
      return slot
    })
    const controller = new AbortController()
    const d = slots.acquire(controller.signal)
    const e = slots.acquire().then((slot) => {
      order.push('e')
      return slot
    })
    expect(slots.queued).toBe(3)
    controller.abort()
    expect(await d).toBeUndefined()
    a?.release()
    a?.release()
    expect(await c).toBeDefined()
    expect(slots.used).toBe(2)
    expect(slots.queued).toBe(1)
    const f = slots.acquire()
    slots.close()
    expect(await e).toBeUndefined()
    expect(await f).toBeUndefined()
    expect(order).toEqual(['c', 'e'])
    b?.release()
    expect(slots.used).toBe(1)
    expect(() => new StreamSlots(0)).toThrow(RangeError)
  })

  test('a spare slot goes only when no request waits, and is asked back once when one does', async () => {
    const slots = new StreamSlots(1)
    let asked = 0
    const listen = new AbortController()
    const spare = await slots.acquireSpare(listen.signal, () => asked++)
    expect(spare).toBeDefined()
    let requestSlot: Awaited<ReturnType<StreamSlots['acquire']>>
    const request = slots.acquire().then((slot) => {
      requestSlot = slot
    })
    const later = slots.acquire()
    expect(asked).toBe(1)
    let spareAgain: Awaited<ReturnType<StreamSlots['acquire']>>
    const waitingSpare = slots
      .acquireSpare(listen.signal, () => asked++)
      .then((slot) => {
        spareAgain = slot
      })
    spare?.release()
    await request
    expect(requestSlot).toBeDefined()
    expect(slots.queued).toBe(2)
    requestSlot?.release()
    const laterSlot = await later
    expect(spareAgain).toBeUndefined()
    laterSlot?.release()
    await waitingSpare
    expect(spareAgain).toBeDefined()
    expect(asked).toBe(1)
    const aborted = new AbortController()
    const gone = slots.acquireSpare(aborted.signal, () => {})
    aborted.abort()
    expect(await gone).toBeUndefined()
    expect(slots.queued).toBe(0)
    spareAgain?.release()
    expect(slots.used).toBe(0)
  })

  test('the default bound is 4 only in a browser page on plain http:', () => {
    expect(defaultMaxConcurrentStreams(new URL('http://127.0.0.1/mcp'))).toBe(Infinity)
    const scope = globalThis as { document?: unknown }
    scope.document = {}
    try {
      expect(defaultMaxConcurrentStreams(new URL('http://127.0.0.1/mcp'))).toBe(4)
      expect(defaultMaxConcurrentStreams(new URL('https://a.example/mcp'))).toBe(Infinity)
    } finally {
      delete scope.document
    }
  })
})

describe('maxConcurrentStreams (R-B2)', () => {
  test('requests beyond the bound wait until a response stream ends; notifications never wait', async () => {
    const bodies = [controlledBody(), controlledBody(), controlledBody()]
    const { fetch, seen } = fakeFetch((request) => {
      if (request.body?.method === 'initialize')
        return json(initResult(request.body.id), 200, { 'mcp-session-id': 's' })
      if (request.body?.method === 'tools/call')
        return sse((bodies[request.body.id - 1] ?? controlledBody()).body)
      return new Response(null, { status: request.method === 'POST' ? 202 : 405 })
    })
    const transport = new StreamableHttpClientTransport('http://127.0.0.1:9/mcp', {
      fetch,
      maxConcurrentStreams: 2,
      listen: 'never',
    })
    const received: InboundMessage[] = []
    transport.onmessage = (message) => received.push(message)
    await transport.send(INIT)
    await settle()
    received.length = 0
    transport.setProtocolVersion('2025-11-25')
    await transport.send(call(1))
    await transport.send(call(2))
    let thirdSent = false
    const third = transport.send(call(3)).then(() => {
      thirdSent = true
    })
    await settle()
    const calls = () => seen.filter((request) => request.body?.method === 'tools/call').length
    expect(calls()).toBe(2)
    expect(thirdSent).toBe(false)
    await transport.send({ jsonrpc: '2.0', method: 'notifications/initialized' })
    expect(seen.at(-1)?.body.method).toBe('notifications/initialized')
    bodies[0]?.push(event({ jsonrpc: '2.0', id: 1, result: {} }))
    bodies[0]?.close()
    await third
    expect(calls()).toBe(3)
    expect(received).toEqual([{ jsonrpc: '2.0', id: 1, result: {} }])

    let fourthError: unknown
    const fourth = transport.send(call(4)).catch((error: unknown) => {
      fourthError = error
    })
    await settle()
    expect(calls()).toBe(3)
    await transport.close()
    await fourth
    expect(String(fourthError)).toContain('closed')
    expect(calls()).toBe(3)
    expect(transport.stats()).toMatchObject({
      openStreams: 0,
      pendingRequests: 0,
      inflightFetches: 0,
    })
  })

  test('a session re-initialization under a bound of 1 does not wait behind the request that triggered it', async () => {
    let sessions = 0
    const { fetch } = fakeFetch((request) => {
      if (request.body?.method === 'initialize')
        return json(initResult(request.body.id), 200, { 'mcp-session-id': `s${++sessions}` })
      if (request.body?.method === 'tools/call' && request.headers.get('mcp-session-id') === 's1')
        return new Response(null, { status: 404 })
      if (request.body?.method === 'tools/call')
        return sse(event({ jsonrpc: '2.0', id: request.body.id, result: {} }))
      return new Response(null, { status: request.method === 'POST' ? 202 : 405 })
    })
    const transport = new StreamableHttpClientTransport('http://127.0.0.1:9/mcp', {
      fetch,
      maxConcurrentStreams: 1,
    })
    const received: InboundMessage[] = []
    transport.onmessage = (message) => received.push(message)
    await transport.send(INIT)
    transport.setProtocolVersion('2025-11-25')
    await transport.send(call(1))
    await settle()
    expect(received.at(-1)).toEqual({ jsonrpc: '2.0', id: 1, result: {} })
    expect(transport.sessionId).toBe('s2')
    await transport.close()
  })
})

describe('the listen stream under a bound (R-B2)', () => {
  /** A server whose listen GETs the test writes to; tools/call streams are `callBodies` in order. */
  function server(callBodies: ReturnType<typeof controlledBody>[]) {
    const gets: ReturnType<typeof controlledBody>[] = []
    const fake = fakeFetch((request) => {
      if (request.method === 'GET') {
        const body = controlledBody()
        gets.push(body)
        return sse(body.body)
      }
      if (request.body?.method === 'initialize')
        return json(initResult(request.body.id), 200, { 'mcp-session-id': 's' })
      if (request.body?.method === 'tools/call')
        return sse((callBodies.shift() ?? controlledBody()).body)
      return new Response(null, { status: request.method === 'POST' ? 202 : 405 })
    })
    return { ...fake, gets }
  }
  const result = (id: number) => event({ jsonrpc: '2.0', id, result: {} })
  const note = (n: number) => ({ jsonrpc: '2.0', method: 'notifications/message', params: { n } })

  test('under a bound of 1 the listen stream opens when idle, gives way to a request, and resumes', async () => {
    const call1 = controlledBody()
    const { fetch, seen, gets } = server([call1])
    const transport = new StreamableHttpClientTransport('http://127.0.0.1:9/mcp', {
      fetch,
      maxConcurrentStreams: 1,
    })
    const received: InboundMessage[] = []
    transport.onmessage = (message) => received.push(message)
    await transport.send(INIT)
    transport.setProtocolVersion('2025-11-25')
    await transport.send({ jsonrpc: '2.0', method: 'notifications/initialized' })
    await settle()
    expect(gets.length).toBe(1)
    gets[0]?.push(event(note(1), 'e1'))
    await settle()
    expect(received.at(-1)).toEqual(note(1))

    // The request does not wait behind the listen stream: the GET gives its connection back.
    await transport.send(call(1))
    await settle()
    expect(seen.at(-1)?.body?.method).toBe('tools/call')
    expect(gets.length).toBe(1)
    call1.push(result(1))
    call1.close()
    await settle()
    expect(received.at(-1)).toEqual({ jsonrpc: '2.0', id: 1, result: {} })

    // Idle again: the listen stream reopens at once, from where it was.
    expect(gets.length).toBe(2)
    expect(seen.at(-1)?.method).toBe('GET')
    expect(seen.at(-1)?.headers.get('last-event-id')).toBe('e1')
    gets[1]?.push(event(note(2), 'e2'))
    await settle()
    expect(received.at(-1)).toEqual(note(2))
    expect(transport.stats()).toMatchObject({ reconnects: 0, openStreams: 1 })
    await transport.close()
    expect(transport.stats()).toMatchObject({
      openStreams: 0,
      pendingRequests: 0,
      inflightFetches: 0,
      armedTimers: 0,
    })
  })

  test('under a bound of 2 a second request takes the listen stream slot, not a place in the queue', async () => {
    const bodies = [controlledBody(), controlledBody()]
    const { fetch, gets } = server([...bodies])
    const transport = new StreamableHttpClientTransport('http://127.0.0.1:9/mcp', {
      fetch,
      maxConcurrentStreams: 2,
    })
    const received: InboundMessage[] = []
    transport.onmessage = (message) => received.push(message)
    await transport.send(INIT)
    transport.setProtocolVersion('2025-11-25')
    await transport.send({ jsonrpc: '2.0', method: 'notifications/initialized' })
    await settle()
    await transport.send(call(1))
    await transport.send(call(2))
    await settle()
    bodies[1]?.push(result(2))
    bodies[1]?.close()
    await settle()
    expect(received.at(-1)).toEqual({ jsonrpc: '2.0', id: 2, result: {} })
    // Call 1 still holds one slot; the listen stream took the freed one back.
    expect(gets.length).toBe(2)
    gets[1]?.push(event(note(3)))
    await settle()
    expect(received.at(-1)).toEqual(note(3))
    bodies[0]?.push(result(1))
    bodies[0]?.close()
    await transport.close()
    expect(transport.stats()).toMatchObject({ openStreams: 0, pendingRequests: 0 })
  })

  test('a response owed on a listen stream that cannot resume fails when it gives way (R-D3)', async () => {
    const { fetch, gets } = server([])
    let accepted = false
    const fake: typeof globalThis.fetch = (input, init) => {
      const body = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined
      if (body?.method === 'tools/call' && !accepted) {
        accepted = true
        return Promise.resolve(new Response(null, { status: 202 }))
      }
      return fetch(input, init)
    }
    const transport = new StreamableHttpClientTransport('http://127.0.0.1:9/mcp', {
      fetch: fake,
      maxConcurrentStreams: 1,
    })
    const received: InboundMessage[] = []
    transport.onmessage = (message) => received.push(message)
    await transport.send(INIT)
    transport.setProtocolVersion('2025-11-25')
    await transport.send({ jsonrpc: '2.0', method: 'notifications/initialized' })
    await settle()
    await transport.send(call(1))
    await settle()
    expect(gets.length).toBe(2)
    expect(received).toHaveLength(1)
    await transport.send(call(2))
    await settle()
    expect(received.at(-1)).toMatchObject({
      id: 1,
      error: { code: -32000, data: { reason: 'listen-yielded', retryable: true } },
    })
    await transport.close()
    expect(transport.stats()).toMatchObject({ openStreams: 0, pendingRequests: 0 })
  })
})
