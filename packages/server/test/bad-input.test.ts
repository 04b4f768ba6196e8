import { afterEach, describe, expect, it } from 'vitest'
import { createMcpHandler, type McpHandler } from '../src/index.js'
import { buildServer } from './_fixture.js'
import { ACCEPT_BOTH, BASE, initialize, initializeBody, post } from './_requests.js'

let mcp: McpHandler
const errors: unknown[] = []
function handler(options: { maxBodyBytes?: number; maxSessions?: number } = {}): McpHandler {
  mcp = createMcpHandler({
    connect: (transport) => buildServer().connect(transport),
    onerror: (error) => errors.push(error),
    ...options,
  })
  return mcp
}
afterEach(async () => {
  await mcp.close()
  expect(mcp.stats()).toMatchObject({ sessions: 0, streams: 0, bufferedBytes: 0 })
  errors.length = 0
})

async function expectError(response: Response, status: number, code?: number): Promise<void> {
  expect(response.status).toBe(status)
  if (code !== undefined) {
    expect(response.headers.get('content-type')).toBe('application/json')
    const body = (await response.json()) as { jsonrpc: string; error: { code: number } }
    expect(body.jsonrpc).toBe('2.0')
    expect(body.error.code).toBe(code)
  }
}

describe('createMcpHandler() rejects bad input with its documented status', () => {
  it('answers malformed JSON with 400 and -32700', async () => {
    handler()
    await expectError(await mcp.fetch(post('{"jsonrpc":')), 400, -32700)
  })

  it('answers a body that is not a JSON-RPC message with 400 and -32600', async () => {
    handler()
    await expectError(await mcp.fetch(post('{"hello":1}')), 400, -32600)
    await expectError(await mcp.fetch(post('[]')), 400, -32600)
    await expectError(
      await mcp.fetch(post('{"jsonrpc":"2.0","id":null,"method":"x"}')),
      400,
      -32600,
    )
  })

  it('answers wrong methods with 405 and an Allow header', async () => {
    handler()
    const put = await mcp.fetch(new Request(`${BASE}/mcp`, { method: 'PUT' }))
    expect(put.headers.get('allow')).toBe('GET, POST, DELETE')
    await expectError(put, 405, -32000)
    const sse = await mcp.fetch(new Request(`${BASE}/sse`, { method: 'POST', body: '{}' }))
    expect(sse.headers.get('allow')).toBe('GET')
    await expectError(sse, 405)
    const messages = await mcp.fetch(new Request(`${BASE}/messages`))
    expect(messages.headers.get('allow')).toBe('POST')
    await expectError(messages, 405)
  })

  it('answers unknown paths with 404', async () => {
    handler()
    await expectError(await mcp.fetch(new Request(`${BASE}/other`)), 404, -32000)
  })

  it('answers a POST whose Accept lacks either type with 406', async () => {
    handler()
    await expectError(
      await mcp.fetch(post(initializeBody(), { accept: 'application/json' })),
      406,
      -32000,
    )
    await expectError(await mcp.fetch(post(initializeBody(), { accept: 'text/event-stream' })), 406)
  })

  it('answers a GET whose Accept lacks text/event-stream with 406', async () => {
    handler()
    const sessionId = await initialize(mcp)
    const response = await mcp.fetch(
      new Request(`${BASE}/mcp`, {
        headers: { accept: 'application/json', 'mcp-session-id': sessionId },
      }),
    )
    await expectError(response, 406, -32000)
  })

  it('answers a non-JSON Content-Type with 415', async () => {
    handler()
    await expectError(
      await mcp.fetch(post(initializeBody(), { 'content-type': 'text/plain' })),
      415,
      -32000,
    )
  })

  it('answers a body over maxBodyBytes with 413, without reading it all', async () => {
    handler({ maxBodyBytes: 1024 })
    let pulled = 0
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++
        if (pulled > 1000) controller.close()
        else controller.enqueue(new Uint8Array(512).fill(32))
      },
    })
    const request = new Request(`${BASE}/mcp`, {
      method: 'POST',
      headers: { accept: ACCEPT_BOTH, 'content-type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit)
    await expectError(await mcp.fetch(request), 413, -32600)
    expect(pulled).toBeLessThan(10)
  })

  it('answers a missing session id with 400 and an unknown one with 404', async () => {
    handler()
    const ping = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'ping' })
    await expectError(await mcp.fetch(post(ping)), 400, -32000)
    await expectError(await mcp.fetch(post(ping, { 'mcp-session-id': 'nope' })), 404, -32001)
    const get = new Request(`${BASE}/mcp`, {
      headers: { accept: 'text/event-stream', 'mcp-session-id': 'nope' },
    })
    await expectError(await mcp.fetch(get), 404, -32001)
    const del = new Request(`${BASE}/mcp`, {
      method: 'DELETE',
      headers: { 'mcp-session-id': 'nope' },
    })
    await expectError(await mcp.fetch(del), 404, -32001)
  })

  it('answers an unsupported MCP-Protocol-Version with 400', async () => {
    handler()
    const sessionId = await initialize(mcp)
    const ping = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'ping' })
    const response = await mcp.fetch(
      post(ping, { 'mcp-session-id': sessionId, 'mcp-protocol-version': '1999-01-01' }),
    )
    await expectError(response, 400, -32000)
  })

  it('accepts batches only in sessions negotiated at 2025-03-26, whatever the header says', async () => {
    handler()
    const batch = JSON.stringify([
      { jsonrpc: '2.0', id: 2, method: 'ping' },
      { jsonrpc: '2.0', id: 3, method: 'ping' },
    ])
    const modern = await initialize(mcp, '2025-06-18')
    // No header (the default would be 2025-03-26): the session's version decides.
    await expectError(await mcp.fetch(post(batch, { 'mcp-session-id': modern })), 400, -32600)
    // A header that disagrees with the session is refused on its own.
    await expectError(
      await mcp.fetch(
        post(batch, { 'mcp-session-id': modern, 'mcp-protocol-version': '2025-03-26' }),
      ),
      400,
      -32000,
    )
    const old = await initialize(mcp, '2025-03-26')
    const accepted = await mcp.fetch(
      post(batch, { 'mcp-session-id': old, 'mcp-protocol-version': '2025-03-26' }),
    )
    expect(accepted.status).toBe(200)
    const text = await accepted.text()
    expect(text).toContain('"id":2')
    expect(text).toContain('"id":3')
  })

  it('answers a batch that repeats a request id with 400 and -32600', async () => {
    handler()
    const sessionId = await initialize(mcp, '2025-03-26')
    const batch = JSON.stringify([
      { jsonrpc: '2.0', id: 2, method: 'ping' },
      { jsonrpc: '2.0', id: 2, method: 'ping' },
    ])
    await expectError(await mcp.fetch(post(batch, { 'mcp-session-id': sessionId })), 400, -32600)
  })

  it('answers a version header that disagrees with the session with 400 on POST, GET and DELETE', async () => {
    handler()
    const sessionId = await initialize(mcp, '2025-06-18')
    const headers = { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' }
    const ping = JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'ping' })
    await expectError(await mcp.fetch(post(ping, headers)), 400, -32000)
    const get = new Request(`${BASE}/mcp`, { headers: { ...headers, accept: 'text/event-stream' } })
    await expectError(await mcp.fetch(get), 400, -32000)
    const del = new Request(`${BASE}/mcp`, { method: 'DELETE', headers })
    await expectError(await mcp.fetch(del), 400, -32000)
    expect(mcp.stats().sessions).toBe(1)
  })

  it('answers a second GET stream on a session with 409', async () => {
    handler()
    const sessionId = await initialize(mcp)
    const headers = { accept: 'text/event-stream', 'mcp-session-id': sessionId }
    const first = await mcp.fetch(new Request(`${BASE}/mcp`, { headers }))
    expect(first.status).toBe(200)
    expect(first.headers.get('content-type')).toBe('text/event-stream')
    expect(first.headers.get('cache-control')).toBe('no-cache, no-transform')
    expect(first.headers.get('x-accel-buffering')).toBe('no')
    expect(first.headers.has('connection')).toBe(false)
    await expectError(await mcp.fetch(new Request(`${BASE}/mcp`, { headers })), 409, -32000)
    await first.body?.cancel()
  })

  it('answers a hostile Host or Origin with 403 before anything else', async () => {
    handler()
    const hostile = await mcp.fetch(
      post(initializeBody(), { host: 'evil.example.com', origin: 'http://evil.example.com' }),
    )
    expect([403, 421]).toContain(hostile.status)
    const origin = await mcp.fetch(post(initializeBody(), { origin: 'http://evil.example.com' }))
    expect(origin.status).toBe(403)
    expect(mcp.stats().sessions).toBe(0)
  })

  it('answers the legacy messages path with 400 without a session and 404 for an unknown one', async () => {
    handler()
    const ping = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' })
    await expectError(await mcp.fetch(post(ping, {}, '/messages')), 400, -32000)
    await expectError(await mcp.fetch(post(ping, {}, '/messages?sessionId=nope')), 404, -32001)
  })

  it('answers initialize past maxSessions with 503 and Retry-After', async () => {
    handler({ maxSessions: 1 })
    await initialize(mcp)
    const response = await mcp.fetch(post(initializeBody()))
    expect(response.headers.get('retry-after')).toBe('5')
    await expectError(response, 503, -32000)
  })

  it('answers 500 with a generic error when connect throws, and reports the real error', async () => {
    mcp = createMcpHandler({
      connect: () => {
        throw new Error('secret database password')
      },
      onerror: (error) => errors.push(error),
    })
    const response = await mcp.fetch(post(initializeBody()))
    expect(response.status).toBe(500)
    const text = await response.text()
    expect(text).not.toContain('secret')
    expect(JSON.parse(text).error.code).toBe(-32603)
    expect(String(errors[0])).toContain('secret database password')
    expect(mcp.stats().sessions).toBe(0)
  })

  it('refuses a request when authenticate returns a Response, and binds sessions to principals', async () => {
    mcp = createMcpHandler({
      connect: (transport) => buildServer().connect(transport),
      authenticate: (request) => {
        const user = request.headers.get('x-user')
        return user === null ? new Response('no', { status: 401 }) : { principal: user }
      },
    })
    expect((await mcp.fetch(post(initializeBody()))).status).toBe(401)
    const sessionId = await initialize(mcp, '2025-11-25', { 'x-user': 'alice' })
    const ping = JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'ping' })
    const stolen = await mcp.fetch(
      post(ping, {
        'x-user': 'mallory',
        'mcp-session-id': sessionId,
        'mcp-protocol-version': '2025-11-25',
      }),
    )
    await expectError(stolen, 404, -32001)
    const own = await mcp.fetch(
      post(ping, {
        'x-user': 'alice',
        'mcp-session-id': sessionId,
        'mcp-protocol-version': '2025-11-25',
      }),
    )
    expect(own.status).toBe(200)
    expect(await own.text()).toContain('"id":9')
  })
})
