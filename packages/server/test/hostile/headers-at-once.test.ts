import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createMcpHandler, type McpHandler } from '../../src/index.js'
import { toNodeHandler } from '../../src/node/index.js'
import { buildServer } from '../_fixture.js'
import { ACCEPT_BOTH } from '../_requests.js'

type Fetch = (request: Request) => Promise<Response>
interface Native {
  readonly url: string
  close(): Promise<void>
}

const runtime = 'Bun' in globalThis ? 'bun' : 'Deno' in globalThis ? 'deno' : 'node'

/** Serves `fetch` with the runtime's own server: Bun.serve, Deno.serve or node:http. */
async function serveNative(fetch: Fetch): Promise<Native> {
  const g = globalThis as unknown as {
    Bun: {
      serve(options: object): { port: number; stop(force: boolean): void }
    }
    Deno: {
      serve(options: object, handler: Fetch): { addr: { port: number }; finished: Promise<void> }
    }
  }
  if (runtime === 'bun') {
    const server = g.Bun.serve({ port: 0, hostname: '127.0.0.1', fetch })
    return { url: `http://127.0.0.1:${server.port}`, close: async () => server.stop(true) }
  }
  if (runtime === 'deno') {
    const abort = new AbortController()
    const server = g.Deno.serve(
      { port: 0, hostname: '127.0.0.1', signal: abort.signal, onListen() {} },
      fetch,
    )
    return {
      url: `http://127.0.0.1:${server.addr.port}`,
      close: async () => {
        abort.abort()
        await server.finished
      },
    }
  }
  const server: Server = createServer(toNodeHandler(fetch))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

let mcp: McpHandler | undefined
let native: Native | undefined
afterEach(async () => {
  await mcp?.close() // ends the streams, so the server can stop
  await native?.close()
  mcp = undefined
  native = undefined
})

/** Resolves with the response once its headers arrive, or with 'held' after `ms`. */
function headersWithin(url: string, init: RequestInit, ms: number): Promise<Response | 'held'> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const held = new Promise<'held'>((resolve) => {
    timer = setTimeout(() => resolve('held'), ms)
  })
  return Promise.race([fetch(url, init), held]).finally(() => clearTimeout(timer))
}

async function openSession(url: string, protocolVersion: string): Promise<string> {
  const response = await fetch(`${url}/mcp`, {
    method: 'POST',
    headers: { accept: ACCEPT_BOTH, 'content-type': 'application/json' },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion, capabilities: {}, clientInfo: { name: 't', version: '1' } },
    }),
  })
  await response.text()
  return response.headers.get('mcp-session-id')!
}

// Keep-alives every minute: a runtime that held headers until the first body bytes would make
// the client wait that long. 3 s is only the point where the test gives up, not a speed target.
const GIVE_UP_MS = 3000

describe(`GET stream headers reach the client at once (${runtime})`, () => {
  for (const [label, wrap] of [
    ['the handler', (handler: McpHandler): Fetch => handler.fetch],
    [
      'a wrapped handler',
      (handler: McpHandler): Fetch =>
        (request) =>
          handler.fetch(request),
    ],
  ] as const) {
    for (const [version, eventStore] of [
      ['2025-06-18', undefined],
      ['2025-03-26', undefined],
      ['2025-11-25', false],
    ] as const) {
      it(`${label}, ${version} session${eventStore === false ? ' without an event store' : ''}`, async () => {
        mcp = createMcpHandler({
          connect: (transport) => buildServer().connect(transport),
          keepAliveMs: 60_000,
          ...(eventStore === false ? { eventStore } : {}),
        })
        native = await serveNative(wrap(mcp))
        const sessionId = await openSession(native.url, version)
        const abort = new AbortController()
        const response = await headersWithin(
          `${native.url}/mcp`,
          {
            headers: {
              accept: 'text/event-stream',
              'mcp-session-id': sessionId,
              'mcp-protocol-version': version,
            },
            signal: abort.signal,
          },
          GIVE_UP_MS,
        )
        expect(response === 'held' ? 'held' : response.status).toBe(200)
        abort.abort()
      })
    }
  }
})
