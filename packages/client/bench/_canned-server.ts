// The cheapest correct Streamable HTTP server the benchmark can offer, so that the clients, not the
// server, are what is measured: a raw node:http server (own process, loopback) that answers
// initialize, notifications and tools/call with canned replies. It checks what every client must
// send (the session id after initialize), echoes the request id and the `text` argument, and
// replies as SSE (one `message` event, the default of the SDK servers) or, with BENCH_REPLY=json,
// as a JSON body. `tools/call countdown` streams `n` progress notifications then its result as one
// prebuilt SSE body, so the long-progress figure is the client's decoding alone.
// Prints its URL on stdout; answers any IPC message with the number of TCP connections accepted so
// far; ends on SIGTERM or when its parent's IPC channel closes.
import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

const JSON_REPLIES = process.env.BENCH_REPLY === 'json'
const PROTOCOL_VERSION = '2025-11-25'
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

function reply(res: ServerResponse, status: number, headers: Record<string, string>, body = '') {
  res.writeHead(status, headers)
  res.end(body)
}

function answer(res: ServerResponse, session: string, message: unknown): void {
  const json = JSON.stringify(message)
  if (JSON_REPLIES)
    reply(res, 200, { 'content-type': 'application/json', 'mcp-session-id': session }, json)
  else
    reply(
      res,
      200,
      {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        'mcp-session-id': session,
      },
      `event: message\ndata: ${json}\n\n`,
    )
}

function error(res: ServerResponse, status: number, id: unknown, message: string): void {
  reply(
    res,
    status,
    { 'content-type': 'application/json' },
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

function onPost(req: IncomingMessage, res: ServerResponse, text: string): void {
  let message: Request
  try {
    message = JSON.parse(text) as Request
  } catch {
    error(res, 400, null, 'Parse error')
    return
  }
  if (message.method === 'initialize') {
    const session = randomUUID()
    sessions.add(session)
    answer(res, session, {
      jsonrpc: '2.0',
      id: message.id,
      result: {
        protocolVersion: PROTOCOL_VERSION,
        capabilities: { tools: {} },
        serverInfo: { name: 'canned', version: '1.0.0' },
      },
    })
    return
  }
  const session = req.headers['mcp-session-id']
  if (typeof session !== 'string' || !sessions.has(session))
    error(res, 404, message.id, 'Session not found')
  else if (message.id === undefined) reply(res, 202, {})
  else if (message.method !== 'tools/call') error(res, 400, message.id, 'Unexpected method')
  else toolsCall(res, session, message)
}

function toolsCall(res: ServerResponse, session: string, message: Request): void {
  const args = message.params?.arguments ?? {}
  if (message.params?.name === 'countdown') {
    const n = Number(args.n)
    const token = message.params._meta?.progressToken
    const result = JSON.stringify({
      jsonrpc: '2.0',
      id: message.id,
      result: { content: [{ type: 'text', text: `counted ${n}` }] },
    })
    const events = token === undefined ? '' : progressEvents(token, n)
    reply(
      res,
      200,
      {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        'mcp-session-id': session,
      },
      `${events}event: message\ndata: ${result}\n\n`,
    )
    return
  }
  answer(res, session, {
    jsonrpc: '2.0',
    id: message.id,
    result: { content: [{ type: 'text', text: String(args.text) }] },
  })
}

const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
  if (req.method === 'POST') {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => onPost(req, res, Buffer.concat(chunks).toString()))
  } else if (req.method === 'DELETE') {
    const session = req.headers['mcp-session-id']
    if (typeof session === 'string') sessions.delete(session)
    reply(res, 200, {})
  } else {
    // No standalone listen stream: the quiet refusal every client must accept.
    reply(res, 405, { allow: 'POST, DELETE' })
  }
})
server.listen(0, '127.0.0.1', () => {
  console.log(`http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`)
})
// The parent asks how many TCP connections the clients have opened so far (keep-alive reuse).
let connections = 0
server.on('connection', () => void connections++)
process.on('message', () => process.send?.({ connections }))
const stop = () => {
  server.closeAllConnections()
  server.close(() => process.exit(0))
}
process.on('SIGTERM', stop)
process.on('disconnect', stop)
