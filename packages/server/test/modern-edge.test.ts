import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  createMcpHandler,
  type McpHandler,
  type McpHandlerOptions,
  type ModernFetchOptions,
  type ModernHandler,
} from '../src/index.js'
import { toNodeHandler } from '../src/node/index.js'
import { buildV2Server, sdkModernHandler, slowCalls } from './_fixture-v2.js'
import { BASE, initializeBody, post, readEvents } from './_requests.js'
import { waitFor } from './_wait-for.js'

const PV = 'io.modelcontextprotocol/protocolVersion'
const ENVELOPE = {
  [PV]: '2026-07-28',
  'io.modelcontextprotocol/clientCapabilities': {},
  'io.modelcontextprotocol/clientInfo': { name: 't', version: '1' },
}

/** A 2026-07-28 request body and the standard headers that go with it. */
function modern(
  method: string,
  params: Record<string, unknown> = {},
  id: number | string = 7,
  extraHeaders: Record<string, string> = {},
  signal?: AbortSignal,
): Request {
  const body = JSON.stringify({
    jsonrpc: '2.0',
    id,
    method,
    params: { ...params, _meta: { ...ENVELOPE, ...(params._meta as object | undefined) } },
  })
  const name = typeof params.name === 'string' ? { 'mcp-name': params.name } : {}
  return post(
    body,
    { 'mcp-protocol-version': '2026-07-28', 'mcp-method': method, ...name, ...extraHeaders },
    '/mcp',
    signal,
  )
}

function dualEra(options: Partial<McpHandlerOptions> = {}): McpHandler {
  return createMcpHandler({
    connect: (transport) => buildV2Server().connect(transport),
    modern: sdkModernHandler(),
    onerror: () => {},
    ...options,
  })
}

/** A stand-in delegate that records what it was given and answers `answer()`. */
function recordingDelegate(answer: () => Response | Promise<Response> = () => Response.json({})) {
  const calls: { request: Request; options: ModernFetchOptions | undefined }[] = []
  const delegate: ModernHandler & { calls: typeof calls; closed: number } = {
    calls,
    closed: 0,
    async fetch(request, options) {
      calls.push({ request, options })
      return answer()
    },
    async close() {
      delegate.closed++
    },
  }
  return delegate
}

const handlers: McpHandler[] = []
function track(mcp: McpHandler): McpHandler {
  handlers.push(mcp)
  return mcp
}
beforeEach(() => {
  slowCalls.started = slowCalls.aborted = slowCalls.finished = 0
})
afterEach(async () => {
  vi.restoreAllMocks()
  for (const mcp of handlers.splice(0)) await mcp.close()
})

describe('createMcpHandler() legs', () => {
  it('throws a TypeError without connect and modern', () => {
    expect(() => createMcpHandler({})).toThrow(TypeError)
    expect(() => createMcpHandler({ modern: {} as ModernHandler })).toThrow(TypeError)
  })

  it('answers GET and DELETE with 405 Allow: POST on a modern-only endpoint, legacy endpoints off', async () => {
    const mcp = track(createMcpHandler({ modern: recordingDelegate() }))
    for (const method of ['GET', 'DELETE']) {
      const response = await mcp.fetch(new Request(`${BASE}/mcp`, { method }))
      expect(response.status).toBe(405)
      expect(response.headers.get('allow')).toBe('POST')
      expect((await response.json()).error.code).toBe(-32000)
    }
    expect((await mcp.fetch(new Request(`${BASE}/sse`))).status).toBe(404)
    expect((await mcp.fetch(post('{}', {}, '/messages?sessionId=x'))).status).toBe(404)
  })

  it('hands legacy POSTs to modern on a modern-only endpoint, whose SDK answers -32022', async () => {
    const mcp = track(createMcpHandler({ modern: sdkModernHandler() }))
    const response = await mcp.fetch(post(initializeBody(3)))
    expect(response.status).toBe(400)
    const body = await response.json()
    expect(body).toMatchObject({ id: 3, error: { code: -32022 } })
    expect(body.error.data.supported).toEqual(['2026-07-28'])
    expect(mcp.stats().sessions).toBe(0)
  })

  it('awaits modern.close() in close()', async () => {
    const delegate = recordingDelegate()
    const mcp = createMcpHandler({ connect: () => {}, modern: delegate })
    await mcp.close()
    expect(delegate.closed).toBe(1)
  })
})

describe('the edge in front of modern requests', () => {
  it('refuses an initialize sent with a modern MCP-Protocol-Version with 400 -32020', async () => {
    const delegate = recordingDelegate()
    const mcp = track(createMcpHandler({ connect: () => {}, modern: delegate }))
    const response = await mcp.fetch(
      post(initializeBody(5), { 'mcp-protocol-version': '2026-07-28' }),
    )
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({ id: 5, error: { code: -32020 } })
    expect(delegate.calls).toHaveLength(0)
    expect(mcp.stats().sessions).toBe(0)
  })

  it('answers a modern request without modern with 400 -32000 naming the revisions served', async () => {
    const mcp = track(createMcpHandler({ connect: () => {} }))
    const response = await mcp.fetch(modern('server/discover', {}, 'probe-1'))
    expect(response.status).toBe(400)
    const body = await response.json()
    expect(body.id).toBe('probe-1')
    expect(body.error.code).toBe(-32000)
    expect(body.error.message).toContain('2025-11-25, 2025-06-18, 2025-03-26, 2024-11-05')
    expect(body.error.message).toContain('initialize')
  })

  it('refuses a modern request from a foreign Host or Origin with 403 before modern sees it', async () => {
    const delegate = recordingDelegate()
    const mcp = track(createMcpHandler({ connect: () => {}, modern: delegate }))
    const evilHost = await mcp.fetch(
      new Request('http://evil.example.com/mcp', modern('server/discover')),
    )
    expect(evilHost.status).toBe(403)
    const evilOrigin = await mcp.fetch(
      modern('server/discover', {}, 1, { origin: 'http://evil.example.com' }),
    )
    expect(evilOrigin.status).toBe(403)
    expect(delegate.calls).toHaveLength(0)
    expect((await mcp.fetch(modern('server/discover'))).status).toBe(200)
    expect(delegate.calls).toHaveLength(1)
  })

  it('checks Accept, Content-Type and size for modern requests too', async () => {
    const delegate = recordingDelegate()
    const mcp = track(createMcpHandler({ modern: delegate, maxBodyBytes: 2000 }))
    expect(
      (await mcp.fetch(modern('server/discover', {}, 1, { accept: 'application/json' }))).status,
    ).toBe(406)
    expect(
      (await mcp.fetch(modern('server/discover', {}, 1, { 'content-type': 'text/plain' }))).status,
    ).toBe(415)
    const big = modern('tools/call', { name: 'echo', arguments: { text: 'x'.repeat(3000) } })
    expect((await mcp.fetch(big)).status).toBe(413)
    expect(delegate.calls).toHaveLength(0)
  })

  it('gives modern a body-less Request, the parsed body and what authenticate returned', async () => {
    const delegate = recordingDelegate()
    const auth = { clientId: 'c1', scopes: ['read'] }
    const mcp = track(createMcpHandler({ modern: delegate, authenticate: () => auth }))
    const request = modern('tools/list', {}, 9)
    const response = await mcp.fetch(request)
    expect(response.status).toBe(200)
    const [call] = delegate.calls
    expect(call?.request.body).toBeNull()
    expect(call?.request.method).toBe('POST')
    expect(call?.request.url).toBe(`${BASE}/mcp`)
    expect(call?.request.headers.get('mcp-method')).toBe('tools/list')
    expect(call?.request.headers.get('content-length')).toBeNull()
    expect(call?.options?.authInfo).toBe(auth)
    expect(call?.options?.parsedBody).toMatchObject({ id: 9, method: 'tools/list' })
  })

  it('parses each body once, for modern and legacy requests alike (JSON.parse spy)', async () => {
    const mcp = track(dualEra())
    const parse = vi.spyOn(JSON, 'parse')
    const request = modern('tools/list', {}, 11)
    const text = await request.clone().text()
    const response = await mcp.fetch(request)
    expect(response.status).toBe(200)
    expect(parse.mock.calls.filter(([arg]) => arg === text)).toHaveLength(1)
    const legacyText = initializeBody(12)
    await (await mcp.fetch(post(legacyText))).text()
    expect(parse.mock.calls.filter(([arg]) => arg === legacyText)).toHaveLength(1)
  })
})

describe('relaying what modern answers', () => {
  it('passes a JSON answer on without hop-by-hop headers (the SDK sends Connection itself)', async () => {
    const delegate = recordingDelegate(
      () =>
        new Response('{"jsonrpc":"2.0","id":1,"result":{}}', {
          headers: {
            'content-type': 'application/json',
            connection: 'keep-alive',
            'keep-alive': 'timeout=5',
            'x-custom': 'kept',
          },
        }),
    )
    const mcp = track(createMcpHandler({ modern: delegate }))
    const response = await mcp.fetch(modern('tools/list', {}, 1))
    expect(response.headers.get('connection')).toBeNull()
    expect(response.headers.get('keep-alive')).toBeNull()
    expect(response.headers.get('x-custom')).toBe('kept')
    expect(await response.text()).toBe('{"jsonrpc":"2.0","id":1,"result":{}}')
  })

  it('re-frames an SDK event stream: no Connection, no ids, no session, X-Accel-Buffering: no', async () => {
    const sdk = sdkModernHandler()
    const direct = await sdk.fetch(
      modern('tools/call', { name: 'count', arguments: { n: 2 }, _meta: { progressToken: 'p' } }),
    )
    expect(direct.headers.get('content-type')).toContain('text/event-stream')
    expect(direct.headers.get('connection')).toBe('keep-alive') // what the relay must strip
    await direct.text()
    await sdk.close()

    const mcp = track(dualEra())
    const response = await mcp.fetch(
      modern('tools/call', { name: 'count', arguments: { n: 2 }, _meta: { progressToken: 'p' } }),
    )
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/event-stream')
    expect(response.headers.get('connection')).toBeNull()
    expect(response.headers.get('x-accel-buffering')).toBe('no')
    expect(response.headers.get('cache-control')).toBe('no-cache, no-transform')
    expect(response.headers.get('mcp-session-id')).toBeNull()
    const events = await readEvents(response)
    expect(events.every((event) => event.id === undefined)).toBe(true)
    const messages = events.map((event) => JSON.parse(event.data))
    expect(messages.map((m) => m.method ?? 'result')).toEqual([
      'notifications/progress',
      'notifications/progress',
      'result',
    ])
    expect(messages[2].result.content).toEqual([{ type: 'text', text: 'counted 2' }])
    expect(mcp.stats()).toMatchObject({ modernRequests: 0, modernStreams: 0, streams: 0 })
  })

  it('sends its own keep-alive comments on a quiet modern stream', async () => {
    // The call stays quiet 30 times longer than the keep-alive period, so a loaded machine's late
    // timers still see a comment before the result.
    const mcp = track(dualEra({ keepAliveMs: 20 }))
    const response = await mcp.fetch(
      modern('tools/call', {
        name: 'slow',
        arguments: { ms: 600, progress: true },
        _meta: { progressToken: 'k' },
      }),
    )
    expect(mcp.stats()).toMatchObject({ modernRequests: 1, modernStreams: 1 })
    const text = await response.text()
    expect(text).toContain(': keep-alive\n\n')
    expect(text).toContain('"text":"done"')
  })

  it('closes a modern stream whose client reads too slowly, cancelling the call', async () => {
    const mcp = track(dualEra({ maxStreamBufferBytes: 600 }))
    const response = await mcp.fetch(
      modern('tools/call', { name: 'count', arguments: { n: 50 }, _meta: { progressToken: 'o' } }),
    )
    // Nothing is read: events queue up until the bound closes the stream.
    await waitFor(() => mcp.stats().overflowClosedStreams === 1)
    expect(mcp.stats()).toMatchObject({ overflowClosedStreams: 1, modernStreams: 0 })
    await response.body?.cancel()
    await waitFor(() => mcp.stats().modernRequests === 0)
    expect(mcp.stats()).toMatchObject({ modernRequests: 0, streams: 0, bufferedBytes: 0 })
  })

  it('answers 503 with Retry-After past maxModernInFlight, echoing the id', async () => {
    let release!: () => void
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    const delegate = recordingDelegate(async () => {
      await held
      return Response.json({})
    })
    const mcp = track(createMcpHandler({ modern: delegate, maxModernInFlight: 1 }))
    const first = mcp.fetch(modern('tools/list', {}, 1))
    await waitFor(() => delegate.calls.length === 1)
    const second = await mcp.fetch(modern('tools/list', {}, 2))
    expect(second.status).toBe(503)
    expect(second.headers.get('retry-after')).toBe('1')
    expect(await second.json()).toMatchObject({ id: 2, error: { code: -32000 } })
    release()
    expect((await first).status).toBe(200)
    expect(mcp.stats().modernRequests).toBe(0)
    expect((await mcp.fetch(modern('tools/list', {}, 3))).status).toBe(200)
  })

  it('answers 500 with the id when modern throws, and reports the error', async () => {
    const errors: unknown[] = []
    const mcp = track(
      createMcpHandler({
        modern: {
          fetch: async () => {
            throw new Error('boom')
          },
        },
        onerror: (error) => errors.push(error),
      }),
    )
    const response = await mcp.fetch(modern('tools/list', {}, 4))
    expect(response.status).toBe(500)
    const body = await response.json()
    expect(body).toMatchObject({ id: 4, error: { code: -32603, message: 'Internal error' } })
    expect(JSON.stringify(body)).not.toContain('boom')
    expect(errors).toHaveLength(1)
    expect(mcp.stats().modernRequests).toBe(0)
  })
})

describe('cancellation by closing the stream (Fetch path)', () => {
  it('aborts the handler when the client closes an SSE answer', async () => {
    const mcp = track(dualEra())
    const client = new AbortController()
    const response = await mcp.fetch(
      modern(
        'tools/call',
        { name: 'slow', arguments: { ms: 3000, progress: true }, _meta: { progressToken: 's' } },
        1,
        {},
        client.signal,
      ),
    )
    expect(response.headers.get('content-type')).toBe('text/event-stream')
    const reader = response.body!.getReader()
    await reader.read() // the progress event
    await reader.cancel()
    await waitFor(() => slowCalls.aborted === 1)
    expect(slowCalls).toMatchObject({ started: 1, aborted: 1, finished: 0 })
    await waitFor(() => mcp.stats().modernRequests === 0)
    expect(mcp.stats()).toMatchObject({ modernRequests: 0, modernStreams: 0, streams: 0 })
  })

  it('aborts the handler when the client gives up on a pending JSON answer', async () => {
    const mcp = track(dualEra())
    const client = new AbortController()
    const pending = mcp.fetch(
      modern('tools/call', { name: 'slow', arguments: { ms: 3000 } }, 1, {}, client.signal),
    )
    await waitFor(() => slowCalls.started === 1)
    client.abort()
    await pending
    await waitFor(() => slowCalls.aborted === 1)
    expect(slowCalls).toMatchObject({ started: 1, aborted: 1, finished: 0 })
    expect(mcp.stats().modernRequests).toBe(0)
  })
})

describe('relaying headers modern sets', () => {
  it('keeps every Set-Cookie of a JSON answer as its own field', async () => {
    const delegate = recordingDelegate(() => {
      const headers = new Headers({ 'content-type': 'application/json' })
      headers.append('set-cookie', 'a=1; Path=/')
      headers.append('set-cookie', 'b=2, c; Path=/')
      return new Response('{}', { headers })
    })
    const mcp = track(createMcpHandler({ modern: delegate }))
    const response = await mcp.fetch(modern('tools/list', {}, 1))
    expect(response.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2, c; Path=/'])
    expect(await response.text()).toBe('{}')
  })

  it('keeps every Set-Cookie of an event stream as its own field, on Fetch and on node:http', async () => {
    const delegate = recordingDelegate(() => {
      const headers = new Headers({ 'content-type': 'text/event-stream' })
      headers.append('set-cookie', 'a=1; Path=/')
      headers.append('set-cookie', 'b=2, c; Path=/')
      return new Response('event: message\ndata: {}\n\n', { headers })
    })
    const mcp = track(createMcpHandler({ modern: delegate }))
    const response = await mcp.fetch(modern('tools/list', {}, 1))
    expect(response.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2, c; Path=/'])
    expect(await response.text()).toBe('event: message\ndata: {}\n\n')

    const server = createServer(toNodeHandler(mcp.fetch))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const { port } = server.address() as AddressInfo
      const request = modern('tools/list', {}, 2)
      const answer = await fetch(`http://127.0.0.1:${port}/mcp`, {
        method: 'POST',
        headers: { ...Object.fromEntries(request.headers), host: `127.0.0.1:${port}` },
        body: await request.text(),
      })
      expect(answer.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2, c; Path=/'])
      expect(await answer.text()).toBe('event: message\ndata: {}\n\n')
    } finally {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    }
  })
})

describe('after close()', () => {
  it('answers modern requests 503 with Retry-After and the id, without calling the delegate', async () => {
    const delegate = recordingDelegate()
    const mcp = createMcpHandler({ connect: () => {}, modern: delegate })
    await mcp.close()
    const response = await mcp.fetch(modern('tools/list', {}, 9))
    expect(response.status).toBe(503)
    expect(response.headers.get('retry-after')).toBe('1')
    expect(await response.json()).toMatchObject({ id: 9, error: { code: -32000 } })
    expect(delegate.calls).toHaveLength(0)
  })
})
