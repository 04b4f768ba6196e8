// The cheapest correct Streamable HTTP server the benchmark can offer, so that the clients, not the
// server, are what is measured: a raw `net` server (own process, loopback) that reads HTTP/1.1
// requests itself and writes whole canned responses in one write each (status line, headers,
// content-length, body), with none of node:http's per-request work (IncomingMessage and
// ServerResponse objects, header maps, Date, chunked framing). Every client pays the same for it.
//
// It answers initialize, notifications and tools/call, checks what every client must send (the
// session id after initialize), echoes the request id and the `text` argument, and replies as SSE
// (one `message` event, the default of the SDK servers) or, with BENCH_REPLY=json, as a JSON body.
// `tools/call countdown` streams `n` progress notifications then its result as one prebuilt SSE
// body, so the long-progress figure is the client's decoding alone. GET (the listen stream) gets
// the quiet 405 every client must accept; DELETE ends the session.
// Prints its URL on stdout; answers any IPC message with the number of TCP connections accepted so
// far; ends on SIGTERM or when its parent's IPC channel closes.
import { randomUUID } from 'node:crypto'
import { type AddressInfo, createServer, type Socket } from 'node:net'

const JSON_REPLIES = process.env.BENCH_REPLY === 'json'
const PROTOCOL_VERSION = '2025-11-25'
/** A bound on one request's head and body: a broken client fails fast, memory stays bounded. */
const MAX_REQUEST_BYTES = 1024 * 1024
const sessions = new Set<string>()
const progressBodies = new Map<string, string>()

interface Request {
  jsonrpc: '2.0'
  id?: string | number
  method?: string
  params?: {
    name?: string
    arguments?: { text?: unknown; n?: unknown }
    _meta?: { progressToken?: string | number }
  }
}

/** The parts of an HTTP request the server looks at. */
interface HttpRequest {
  method: string
  session: string | undefined
  body: string
}

const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  202: 'Accepted',
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  501: 'Not Implemented',
}

/** One whole response, as written: keep-alive for 60 s, as node:http announces it. */
function response(status: number, headers: string, body = ''): string {
  return `HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\n${headers}keep-alive: timeout=60\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
}

function answer(session: string, json: string): string {
  return JSON_REPLIES
    ? response(200, `content-type: application/json\r\nmcp-session-id: ${session}\r\n`, json)
    : sse(session, `event: message\ndata: ${json}\n\n`)
}

function sse(session: string, body: string): string {
  return response(
    200,
    `content-type: text/event-stream\r\ncache-control: no-cache\r\nmcp-session-id: ${session}\r\n`,
    body,
  )
}

function error(status: number, id: unknown, message: string): string {
  return response(
    status,
    'content-type: application/json\r\n',
    JSON.stringify({ jsonrpc: '2.0', id: id ?? null, error: { code: -32600, message } }),
  )
}

/** `n` progress notifications for `token`, as SSE events, built once per (token, n). */
function progressEvents(token: string | number, n: number): string {
  const key = `${JSON.stringify(token)}/${n}`
  let body = progressBodies.get(key)
  if (body === undefined) {
    const parts: string[] = []
    for (let i = 1; i <= n; i++) {
      const note = {
        jsonrpc: '2.0',
        method: 'notifications/progress',
        params: { progressToken: token, progress: i, total: n },
      }
      parts.push(`event: message\ndata: ${JSON.stringify(note)}\n\n`)
    }
    body = parts.join('')
    progressBodies.set(key, body)
  }
  return body
}

function onRequest(request: HttpRequest): string {
  if (request.method === 'DELETE') {
    if (request.session !== undefined) sessions.delete(request.session)
    return response(200, '')
  }
  // No standalone listen stream: the quiet refusal every client must accept.
  if (request.method !== 'POST') return response(405, 'allow: POST, DELETE\r\n')
  let message: Request
  try {
    message = JSON.parse(request.body) as Request
  } catch {
    return error(400, null, 'Parse error')
  }
  if (message.method === 'initialize') {
    const session = randomUUID()
    sessions.add(session)
    return answer(
      session,
      JSON.stringify({
        jsonrpc: '2.0',
        id: message.id,
        result: {
          protocolVersion: PROTOCOL_VERSION,
          capabilities: { tools: {} },
          serverInfo: { name: 'canned', version: '1.0.0' },
        },
      }),
    )
  }
  const session = request.session
  if (session === undefined || !sessions.has(session)) {
    return error(404, message.id, 'Session not found')
  }
  if (message.id === undefined) return response(202, '')
  if (message.method !== 'tools/call') return error(400, message.id, 'Unexpected method')
  return toolsCall(session, message)
}

function toolsCall(session: string, message: Request): string {
  const args = message.params?.arguments ?? {}
  const id = JSON.stringify(message.id)
  if (message.params?.name === 'countdown') {
    const n = Number(args.n)
    const token = message.params._meta?.progressToken
    const result = `{"jsonrpc":"2.0","id":${id},"result":{"content":[{"type":"text","text":"counted ${n}"}]}}`
    const events = token === undefined ? '' : progressEvents(token, n)
    return sse(session, `${events}event: message\ndata: ${result}\n\n`)
  }
  return answer(
    session,
    `{"jsonrpc":"2.0","id":${id},"result":{"content":[{"type":"text","text":${JSON.stringify(String(args.text))}}]}}`,
  )
}

/**
 * Reads the requests of one connection (in any pieces, several in one read) and answers each.
 * Bodies must come with a content-length (what fetch sends for a string body); anything else
 * gets a 501 and the connection closes, so a client that sent it fails loudly, not slowly.
 */
function serve(socket: Socket): void {
  socket.setNoDelay(true)
  let buffered = ''
  socket.setEncoding('latin1')
  socket.on('data', (chunk: string) => {
    buffered += chunk
    for (;;) {
      const headEnd = buffered.indexOf('\r\n\r\n')
      if (headEnd === -1) break
      const lines = buffered.slice(0, headEnd).split('\r\n')
      const method = lines[0]!.slice(0, lines[0]!.indexOf(' '))
      let length = 0
      let session: string | undefined
      let close = false
      let unsupported = false
      for (let i = 1; i < lines.length; i++) {
        const line = lines[i]!
        const colon = line.indexOf(':')
        const name = line.slice(0, colon).toLowerCase()
        if (name === 'content-length') length = Number(line.slice(colon + 1))
        else if (name === 'mcp-session-id') session = line.slice(colon + 1).trim()
        else if (name === 'connection') close = line.slice(colon + 1).trim() === 'close'
        else if (name === 'transfer-encoding' || name === 'expect') unsupported = true
      }
      if (unsupported || !Number.isSafeInteger(length) || length < 0) {
        socket.end(error(501, null, 'Only content-length bodies, no Expect'))
        buffered = ''
        return
      }
      const bodyStart = headEnd + 4
      if (buffered.length < bodyStart + length) break
      // The head and body were read as latin1 (one char per byte): back to bytes, then UTF-8.
      const body = Buffer.from(buffered.slice(bodyStart, bodyStart + length), 'latin1').toString()
      buffered = buffered.slice(bodyStart + length)
      const reply = onRequest({ method, session, body })
      if (close) {
        socket.end(reply)
        return
      }
      socket.write(reply)
    }
    if (buffered.length > MAX_REQUEST_BYTES) {
      socket.end(error(400, null, 'Request too large'))
      buffered = ''
    }
  })
  socket.on('error', () => socket.destroy())
}

const sockets = new Set<Socket>()
// The parent asks how many TCP connections the clients have opened so far (keep-alive reuse).
let connections = 0
const server = createServer((socket) => {
  connections++
  sockets.add(socket)
  socket.on('close', () => sockets.delete(socket))
  serve(socket)
})
server.listen(0, '127.0.0.1', () => {
  console.log(`http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`)
})
process.on('message', () => process.send?.({ connections }))
const stop = () => {
  for (const socket of sockets) socket.destroy()
  server.close(() => process.exit(0))
}
process.on('SIGTERM', stop)
process.on('disconnect', stop)
