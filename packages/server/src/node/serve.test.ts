import { connect, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { waitFor } from '../../test/_wait-for.js'
import { createMcpHandler } from '../create-mcp-handler.js'
import { type NodeServer, serve } from './serve.js'

// Deno and Bun implement node:http without Node's header and request timeouts.
const isNode = !('Deno' in globalThis) && !('Bun' in globalThis)
const SLOW_SOCKETS = 300

let running: NodeServer | undefined
const sockets: Socket[] = []
afterEach(async () => {
  for (const socket of sockets) socket.destroy()
  sockets.length = 0
  await running?.close()
  running = undefined
})

/** Opens a socket that sends `head` and then one more header byte at a time, never finishing. */
function slowClient(url: URL, head: string): Promise<{ closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname)
    sockets.push(socket)
    socket.on('error', () => {})
    const closed = new Promise<void>((done) => socket.once('close', () => done()))
    socket.once('connect', () => {
      socket.write(head)
      const drip = setInterval(() => {
        if (socket.destroyed) clearInterval(drip)
        else socket.write('x')
      }, 200)
      socket.once('close', () => clearInterval(drip))
      resolve({ closed })
    })
    socket.once('error', reject)
  })
}

describe.skipIf(!isNode)('serve() against slow clients', () => {
  it('answers other requests while hundreds of sockets dribble headers, then drops those sockets', async () => {
    const mcp = createMcpHandler({ connect: () => {} })
    running = await serve({ fetch: mcp.fetch, port: 0, headersTimeoutMs: 2000, onError: () => {} })
    const url = running.url
    const slow = await Promise.all(
      Array.from({ length: SLOW_SOCKETS }, () =>
        slowClient(url, 'GET /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: '),
      ),
    )
    // Not starved: every request gets its answer while all the slow sockets are open.
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => fetch(new URL('/health', url)).then((r) => r.status)),
    )
    expect(answers, JSON.stringify(answers)).toEqual(Array(20).fill(404))
    // The header timeout ends every slow socket (Node would otherwise wait 60 s per socket).
    let closed = 0
    for (const client of slow) void client.closed.then(() => closed++)
    await waitFor(() => closed === SLOW_SOCKETS, 8000)
    expect(closed).toBe(SLOW_SOCKETS)
    await mcp.close()
  }, 20_000)

  it('drops a request whose body never finishes arriving', async () => {
    const mcp = createMcpHandler({ connect: () => {} })
    running = await serve({
      fetch: mcp.fetch,
      port: 0,
      headersTimeoutMs: 500,
      requestTimeoutMs: 1000,
      onError: () => {},
    })
    const head =
      'POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json, text/event-stream\r\n' +
      'Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{'
    const { closed } = await slowClient(running.url, head)
    let done = false
    void closed.then(() => {
      done = true
    })
    await waitFor(() => done, 8000)
    expect(done).toBe(true)
    await mcp.close()
  }, 20_000)
})
