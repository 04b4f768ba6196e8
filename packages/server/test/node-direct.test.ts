import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http'
import { type AddressInfo, connect } from 'node:net'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { afterEach, describe, expect, it } from 'vitest'
import { createMcpHandler, type McpHandler, type McpHandlerOptions } from '../src/index.js'
import { toNodeHandler } from '../src/node/index.js'
import { buildServer } from './_fixture.js'
import { ACCEPT_BOTH, initializeBody } from './_requests.js'
import { waitFor } from './_wait-for.js'

// `toNodeHandler(mcp.fetch)` answers through the handler's core with no Fetch objects (the direct
// path); `toNodeHandler((request) => mcp.fetch(request))` takes the general Fetch bridge. Both must
// give clients the same answers.

// Deno's node:http replaces `Connection: close` with keep-alive (Deno 2.9).
const isDeno = 'Deno' in globalThis

const handlers: McpHandler[] = []
const servers: Server[] = []

afterEach(async () => {
  for (const mcp of handlers.splice(0)) {
    await mcp.close()
    expect(mcp.stats()).toMatchObject({ sessions: 0, streams: 0, bufferedBytes: 0 })
  }
  for (const server of servers.splice(0)) {
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
})

type Path = 'direct' | 'fetch'

async function start(
  path: Path,
  options: Partial<McpHandlerOptions> = {},
): Promise<{ mcp: McpHandler; url: string }> {
  const mcp = createMcpHandler({
    connect: (transport) => buildServer().connect(transport),
    onerror: () => {},
    ...options,
  })
  handlers.push(mcp)
  const fetch = path === 'direct' ? mcp.fetch : (request: Request) => mcp.fetch(request)
  const server = createServer(toNodeHandler(fetch))
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { mcp, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
}

interface Exchange {
  method?: string
  path?: string
  headers?: Record<string, string>
  /** A string is sent with Content-Length; an array is sent chunked, piece by piece. */
  body?: string | Uint8Array | Uint8Array[]
}

interface Answer {
  status: number
  headers: IncomingMessage['headers']
  body: string
}

function open(url: string, exchange: Exchange): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}${exchange.path ?? '/mcp'}`, {
      method: exchange.method ?? 'POST',
      headers: exchange.headers,
      agent: false,
    })
    req.on('response', resolve)
    req.on('error', reject)
    const body = exchange.body
    if (Array.isArray(body)) for (const piece of body) req.write(piece)
    req.end(Array.isArray(body) ? undefined : body)
  })
}

async function send(url: string, exchange: Exchange): Promise<Answer> {
  const res = await open(url, exchange)
  let body = ''
  res.setEncoding('utf8')
  for await (const chunk of res) body += chunk
  return { status: res.statusCode ?? 0, headers: res.headers, body }
}

const JSON_POST = { accept: ACCEPT_BOTH, 'content-type': 'application/json' }

async function openSession(url: string): Promise<Record<string, string>> {
  const init = await send(url, { headers: JSON_POST, body: initializeBody() })
  expect(init.status).toBe(200)
  const headers = {
    ...JSON_POST,
    'mcp-session-id': String(init.headers['mcp-session-id']),
    'mcp-protocol-version': '2025-11-25',
  }
  const initialized = await send(url, {
    headers,
    body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
  })
  expect(initialized.status).toBe(202)
  return headers
}

/** Requests every refusal path of the handler, for the parity test. */
const badRequests: [string, Exchange][] = [
  ['invalid JSON', { headers: JSON_POST, body: '{"jsonrpc":' }],
  ['invalid message', { headers: JSON_POST, body: '{"hello":1}' }],
  ['invalid UTF-8', { headers: JSON_POST, body: new Uint8Array([0x7b, 0xff, 0x7d]) }],
  ['wrong Accept', { headers: { ...JSON_POST, accept: 'application/json' }, body: '{}' }],
  ['wrong Content-Type', { headers: { ...JSON_POST, 'content-type': 'text/plain' }, body: '{}' }],
  ['wrong method', { method: 'PUT', headers: JSON_POST, body: '{}' }],
  ['unknown path', { method: 'GET', path: '/other' }],
  ['no session', { headers: JSON_POST, body: '{"jsonrpc":"2.0","id":1,"method":"ping"}' }],
  [
    'unknown session',
    {
      headers: { ...JSON_POST, 'mcp-session-id': 'nope' },
      body: '{"jsonrpc":"2.0","id":1,"method":"ping"}',
    },
  ],
  ['hostile Host', { headers: { ...JSON_POST, host: 'evil.example.com' }, body: '{}' }],
  ['hostile Origin', { headers: { ...JSON_POST, origin: 'http://evil.example.com' }, body: '{}' }],
  ['legacy POST without sessionId', { path: '/messages', headers: JSON_POST, body: '{}' }],
  ['legacy GET on the messages path', { method: 'GET', path: '/messages' }],
]

describe('toNodeHandler(mcp.fetch), the direct path', () => {
  it('answers every bad request exactly as the Fetch path does', async () => {
    const direct = await start('direct')
    const viaFetch = await start('fetch')
    for (const [name, exchange] of badRequests) {
      const a = await send(direct.url, exchange)
      const b = await send(viaFetch.url, exchange)
      expect({ name, status: a.status }).toEqual({ name, status: b.status })
      expect(a.status).toBeGreaterThanOrEqual(400)
      expect({ name, body: a.body }).toEqual({ name, body: b.body })
      for (const header of ['content-type', 'allow', 'retry-after']) {
        expect({ name, header, value: a.headers[header] }).toEqual({
          name,
          header,
          value: b.headers[header],
        })
      }
      // Text answers leave with their length; the Fetch bridge streams them chunked.
      expect(a.headers['content-length']).toBe(String(Buffer.byteLength(a.body)))
    }
  })

  it.each(['direct', 'fetch'] as const)(
    'refuses a doubled Host over %s, as a Fetch Headers object would read it',
    async (path) => {
      const { url } = await start(path)
      const socket = connect(Number(new URL(url).port), '127.0.0.1')
      socket.setEncoding('utf8')
      let raw = ''
      socket.on('data', (chunk: string) => {
        raw += chunk
      })
      const ended = new Promise((resolve) => socket.on('end', resolve))
      socket.end(
        'GET /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example.com\r\n' +
          'Accept: text/event-stream\r\nConnection: close\r\n\r\n',
      )
      await ended
      expect(raw).toMatch(/^HTTP\/1\.1 403 /)
      expect(raw).toContain('Forbidden: Host header not allowed')
    },
  )

  it.each(['direct', 'fetch'] as const)(
    'serves initialize and tools/call over %s, with the same event stream',
    async (path) => {
      const { url } = await start(path)
      const headers = await openSession(url)
      const call = await send(url, {
        headers,
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 2,
          method: 'tools/call',
          params: { name: 'echo', arguments: { text: 'héllo' } },
        }),
      })
      expect(call.status).toBe(200)
      expect(call.headers['content-type']).toBe('text/event-stream')
      expect(call.headers['cache-control']).toBe('no-cache, no-transform')
      expect(call.headers['x-accel-buffering']).toBe('no')
      const data = call.body
        .split('\n')
        .filter((line) => line.startsWith('data: {'))
        .map((line) => JSON.parse(line.slice(6)))
      expect(data).toEqual([
        { jsonrpc: '2.0', id: 2, result: { content: [{ type: 'text', text: 'héllo' }] } },
      ])
    },
  )

  it.each(['direct', 'fetch'] as const)(
    'refuses an oversized chunked body over %s with 413 and closes the connection',
    async (path) => {
      const { url } = await start(path, { maxBodyBytes: 1024 })
      const piece = new Uint8Array(600).fill(0x20)
      const answer = await send(url, {
        headers: { ...JSON_POST, 'transfer-encoding': 'chunked' },
        body: [piece, piece, piece],
      })
      expect(answer.status).toBe(413)
      expect(JSON.parse(answer.body).error.code).toBe(-32600)
      if (!isDeno) expect(answer.headers.connection).toBe('close')
      const declared = await send(url, {
        headers: { ...JSON_POST, 'content-length': '5000' },
        body: [new Uint8Array(5000)],
      })
      expect(declared.status).toBe(413)
    },
  )

  it('answers HEAD with the status and headers but no body', async () => {
    const { url } = await start('direct')
    const answer = await send(url, { method: 'HEAD' })
    expect(answer.status).toBe(405)
    expect(answer.headers.allow).toBe('GET, POST, DELETE')
    expect(answer.body).toBe('')
  })

  it('builds a Request for authenticate, then still reads the body', async () => {
    const seen: string[] = []
    const { url } = await start('direct', {
      authenticate(request) {
        seen.push(`${request.method} ${new URL(request.url).pathname}`)
        const token = request.headers.get('authorization')
        if (token !== 'Bearer good') {
          return new Response('{"error":"unauthorized"}', {
            status: 401,
            headers: { 'www-authenticate': 'Bearer' },
          })
        }
        return { token }
      },
    })
    const refused = await send(url, { headers: JSON_POST, body: initializeBody() })
    expect(refused.status).toBe(401)
    expect(refused.headers['www-authenticate']).toBe('Bearer')
    expect(refused.body).toBe('{"error":"unauthorized"}')
    const accepted = await send(url, {
      headers: { ...JSON_POST, authorization: 'Bearer good' },
      body: initializeBody(),
    })
    expect(accepted.status).toBe(200)
    expect(accepted.body).toContain('"serverInfo"')
    expect(seen).toEqual(['POST /mcp', 'POST /mcp'])
  })

  it('releases an event stream when its client goes away', async () => {
    const { mcp, url } = await start('direct')
    const headers = await openSession(url)
    const res = await open(url, {
      method: 'GET',
      headers: { ...headers, accept: 'text/event-stream' },
    })
    expect(res.statusCode).toBe(200)
    expect(mcp.stats().streams).toBe(1)
    res.destroy()
    await waitFor(() => mcp.stats().streams === 0)
    expect(mcp.stats().streams).toBe(0)
    expect(mcp.stats().sessions).toBe(1)
  })

  it('stops pulling events for a client that stops reading, so only the bound is held', async () => {
    const maxStreamBufferBytes = 64 * 1024
    let server: McpServer | undefined
    const { mcp, url } = await start('direct', {
      maxStreamBufferBytes,
      keepAliveMs: 0,
      eventStore: false,
      async connect(transport) {
        server = new McpServer({ name: 't', version: '1' }, { capabilities: { logging: {} } })
        await server.connect(transport)
      },
    })
    const headers = await openSession(url)
    const res = await open(url, {
      method: 'GET',
      headers: { ...headers, accept: 'text/event-stream' },
    })
    res.pause() // never read: the socket buffers fill, then res.write() refuses more
    const payload = 'x'.repeat(1024)
    let maxSeen = 0
    // At most 32 MiB: far more than loopback socket buffers absorb.
    for (let i = 0; i < 32 * 1024 && mcp.stats().overflowClosedStreams === 0; i++) {
      await server!.server.sendLoggingMessage({ level: 'info', data: { i, payload } })
      maxSeen = Math.max(maxSeen, mcp.stats().bufferedBytes)
      if (i % 256 === 0) await new Promise((resolve) => setImmediate(resolve))
    }
    expect(mcp.stats().overflowClosedStreams).toBe(1)
    expect(maxSeen).toBeGreaterThan(0)
    expect(maxSeen).toBeLessThanOrEqual(maxStreamBufferBytes)
    res.destroy()
    await waitFor(() => mcp.stats().streams === 0)
    expect(mcp.stats().streams).toBe(0)
  })
})
