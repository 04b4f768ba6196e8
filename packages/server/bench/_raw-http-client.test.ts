// The benchmarks' load generator must read every response exactly as sent, or a parsing slip
// would skew (or fake) the figures. Checked against a real node:http server: bodies framed by
// content-length and chunked, SSE written in several pieces, every split of a read, keep-alive
// reuse, `Connection: close`, and a raw net server for what node:http would never send.
import { createServer as createHttpServer, type Server } from 'node:http'
import { type AddressInfo, connect, createServer as createNetServer } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { RawHttpClient, ResponseParser, requestHead, withBody } from './_raw-http-client.js'

const TEXT = 'héllo wörld ✓ "quoted" \\ \u{1F600}'
const SSE_EVENTS = [
  'event: message\nid: 1\ndata: {"jsonrpc":"2.0","method":"notifications/progress"}\n\n',
  `event: message\nid: 2\ndata: {"jsonrpc":"2.0","id":7,"result":{"text":${JSON.stringify(TEXT)}}}\n\n`,
]

const closers: (() => Promise<void>)[] = []
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()))
})

/** A node:http server with one route per body framing; resolves with its port. */
async function startHttpServer(): Promise<number> {
  const server: Server = createHttpServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString()
      switch (req.url) {
        case '/length':
          res.writeHead(200, {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          })
          res.end(body)
          return
        case '/chunked':
          // No content-length and several writes: node:http frames the body as chunks.
          res.writeHead(201, { 'content-type': 'text/plain', 'x-ignored': 'yes' })
          res.write(TEXT.slice(0, 5))
          res.write('')
          setImmediate(() => res.end(TEXT.slice(5)))
          return
        case '/sse':
          res.writeHead(200, { 'content-type': 'text/event-stream', 'mcp-session-id': 'abc-123' })
          res.flushHeaders()
          res.write(SSE_EVENTS[0])
          setTimeout(() => res.end(SSE_EVENTS[1]), 5)
          return
        case '/accepted':
          res.writeHead(202)
          res.end()
          return
        case '/close':
          res.writeHead(200, { connection: 'close', 'content-type': 'text/plain' })
          res.end('bye')
          return
        default:
          res.writeHead(404)
          res.end('no such route')
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  closers.push(
    () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  )
  return (server.address() as AddressInfo).port
}

/** A raw net server that answers each connection's first bytes with `reply`, then maybe closes. */
async function startRawServer(reply: string, closeAfter: boolean): Promise<number> {
  const server = createNetServer((socket) => {
    socket.once('data', () => {
      if (closeAfter) socket.end(reply)
      else socket.write(reply)
    })
    socket.on('error', () => {})
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const sockets = new Set<import('node:net').Socket>()
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  closers.push(
    () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  )
  return (server.address() as AddressInfo).port
}

function post(port: number, path: string, body: string, extra: Record<string, string> = {}) {
  return withBody(
    requestHead('POST', path, {
      host: `127.0.0.1:${port}`,
      'content-type': 'application/json',
      ...extra,
    }),
    body,
  )
}

/** The bytes a server sends for `request` on a connection of its own, until it closes. */
function capture(port: number, request: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    const socket = connect(port, '127.0.0.1', () => socket.write(request))
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    socket.on('end', () => resolve(Buffer.concat(chunks)))
    socket.on('error', reject)
  })
}

/**
 * Feeds `pieces` to a fresh parser; returns what it made of them, as JSON text (cheap to compare
 * thousands of times), or why not: a response before the last piece, none after it, or a throw.
 */
function parseInPieces(pieces: Buffer[]): string {
  const parser = new ResponseParser()
  try {
    for (let i = 0; i < pieces.length - 1; i++) {
      if (parser.push(pieces[i]!) !== undefined) return `response after piece ${i}`
    }
    const response = parser.push(pieces[pieces.length - 1]!)
    if (response === undefined) return 'no response after the last piece'
    if (parser.busy) return 'parser still busy'
    return JSON.stringify(response)
  } catch (error) {
    return String(error)
  }
}

describe('RawHttpClient against node:http', () => {
  it('reads a content-length body, keeping one connection for many requests', async () => {
    const port = await startHttpServer()
    const lane = new RawHttpClient(port)
    closers.push(async () => lane.close())
    for (let i = 0; i < 20; i++) {
      const body = JSON.stringify({ i, text: TEXT })
      const response = await lane.request(post(port, '/length', body))
      expect(response).toEqual({
        status: 200,
        headers: { 'content-type': 'application/json' },
        body,
        close: false,
      })
    }
    expect(lane.connects).toBe(1)
  })

  it('reads chunked and SSE bodies written in pieces, and an empty 202', async () => {
    const port = await startHttpServer()
    const lane = new RawHttpClient(port)
    closers.push(async () => lane.close())
    const chunked = await lane.request(post(port, '/chunked', '{}'))
    expect(chunked).toMatchObject({
      status: 201,
      body: TEXT,
      headers: { 'content-type': 'text/plain' },
    })
    const sse = await lane.request(post(port, '/sse', '{}'))
    expect(sse).toEqual({
      status: 200,
      headers: { 'content-type': 'text/event-stream', 'mcp-session-id': 'abc-123' },
      body: SSE_EVENTS.join(''),
      close: false,
    })
    const accepted = await lane.request(post(port, '/accepted', '{}'))
    expect(accepted).toMatchObject({ status: 202, body: '' })
    expect(lane.connects).toBe(1)
  })

  it('parses the same responses split at every byte, and fed one byte at a time', async () => {
    const port = await startHttpServer()
    const cases: [string, string, number, string][] = [
      ['/length', JSON.stringify({ text: TEXT }), 200, JSON.stringify({ text: TEXT })],
      ['/chunked', '{}', 201, TEXT],
      ['/sse', '{}', 200, SSE_EVENTS.join('')],
    ]
    for (const [path, body, status, expected] of cases) {
      const bytes = await capture(port, post(port, path, body, { connection: 'close' }))
      const whole = parseInPieces([bytes])
      expect(JSON.parse(whole)).toMatchObject({ status, body: expected, close: true })
      const wrong: string[] = []
      for (let i = 1; i < bytes.length; i++) {
        const got = parseInPieces([bytes.subarray(0, i), bytes.subarray(i)])
        if (got !== whole) wrong.push(`split at ${i}: ${got}`)
      }
      const single = Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1))
      const oneByOne = parseInPieces(single)
      if (oneByOne !== whole) wrong.push(`one byte at a time: ${oneByOne}`)
      expect(wrong).toEqual([])
    }
  })

  it('reconnects after the server says Connection: close', async () => {
    const port = await startHttpServer()
    const lane = new RawHttpClient(port)
    closers.push(async () => lane.close())
    const first = await lane.request(post(port, '/close', '{}'))
    expect(first).toMatchObject({ status: 200, body: 'bye', close: true })
    const second = await lane.request(post(port, '/length', '{"again":true}'))
    expect(second).toMatchObject({ status: 200, body: '{"again":true}', close: false })
    expect(lane.connects).toBe(2)
  })
})

describe('RawHttpClient against a raw server', () => {
  it('reads a body that ends when the server closes', async () => {
    const port = await startRawServer(
      'HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\nuntil close',
      true,
    )
    const lane = new RawHttpClient(port)
    const response = await lane.request(post(port, '/', '{}'))
    expect(response).toMatchObject({ status: 200, body: 'until close', close: true })
  })

  it('rejects a response cut short, a malformed one, and bytes after the response', async () => {
    const cut = await startRawServer('HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc', true)
    await expect(new RawHttpClient(cut).request(post(cut, '/', '{}'))).rejects.toThrow(
      /middle of a response/,
    )
    const silent = await startRawServer('', true)
    await expect(new RawHttpClient(silent).request(post(silent, '/', '{}'))).rejects.toThrow(
      /before a response/,
    )
    const bad = await startRawServer('HTTP/1.1 2x0 OK\r\n\r\n', false)
    const badLane = new RawHttpClient(bad)
    await expect(badLane.request(post(bad, '/', '{}'))).rejects.toThrow(SyntaxError)
    const extra = await startRawServer(
      'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n',
      false,
    )
    const extraLane = new RawHttpClient(extra)
    await expect(extraLane.request(post(extra, '/', '{}'))).rejects.toThrow(/after the response/)
  })

  it('refuses a second request while one is in flight', async () => {
    const port = await startHttpServer()
    const lane = new RawHttpClient(port)
    closers.push(async () => lane.close())
    const first = lane.request(post(port, '/sse', '{}'))
    await expect(lane.request(post(port, '/sse', '{}'))).rejects.toThrow(/already in flight/)
    expect((await first).status).toBe(200)
  })
})
