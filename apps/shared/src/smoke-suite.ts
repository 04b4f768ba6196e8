import { connect } from 'node:net'
import { type ConnectOptions, connect as connectMcp } from '@mcpwire/client'
import {
  Client as ClientV2,
  StreamableHTTPClientTransport as StreamableHTTPClientTransportV2,
  type VersionNegotiationMode,
} from '@modelcontextprotocol/client'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningApp, type Runtime, startApp } from './start-app.js'

const TRICKY_TEXT = 'line1\nline2 "q" \'s\' héllo 🌍 \\ \u0000 nul \u2028 end\r\n'

/** Records the order in which a transport receives progress notifications and results. */
function recordOrder(transport: {
  onmessage?: ((message: never, extra?: never) => void) | undefined
}) {
  const received: string[] = []
  const deliver = transport.onmessage!
  transport.onmessage = (message: never, extra?: never) => {
    const m = message as { method?: string; params?: { progress?: number }; result?: unknown }
    if (m.method === 'notifications/progress') received.push(`progress ${m.params?.progress}`)
    else if (m.result !== undefined) received.push('result')
    deliver(message, extra)
  }
  return received
}

/** SDK v2 client negotiation modes, and the revision and session each must end up with. */
const V2_MODES: {
  name: string
  mode: VersionNegotiationMode
  revision: string
  session: boolean
}[] = [
  { name: "'legacy' (the default)", mode: 'legacy', revision: '2025-11-25', session: true },
  { name: "'auto'", mode: 'auto', revision: '2026-07-28', session: false },
  {
    name: "{ pin: '2026-07-28' }",
    mode: { pin: '2026-07-28' },
    revision: '2026-07-28',
    session: false,
  },
]

/** The @mcpwire/client legs: each era the sample app serves, negotiated by `connect()`. */
const MCPWIRE_LEGS: {
  era: 'stateless' | 'session' | 'legacy'
  path: string
  options: ConnectOptions
}[] = [
  { era: 'stateless', path: '/mcp', options: {} },
  { era: 'session', path: '/mcp', options: { protocolVersion: '2025-11-25' } },
  { era: 'legacy', path: '/sse', options: { protocolVersion: '2024-11-05', transport: 'sse' } },
]

/** Sends raw bytes to the app and reads until it closes the connection (HTTP/1.0 does). */
function rawRequest(
  url: string,
  bytes: string,
): Promise<{ status: number; head: string; body: string }> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(bytes))
    let text = ''
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => (text += chunk))
    socket.on('error', reject)
    socket.setTimeout(5000, () => socket.destroy(new Error(`no answer within 5 s: ${text}`)))
    socket.on('end', () => {
      const split = text.indexOf('\r\n\r\n')
      const head = text.slice(0, split)
      resolve({ status: Number(head.split(' ')[1]), head, body: text.slice(split + 4) })
    })
  })
}

/**
 * The smoke tests every sample app runs: the official SDK v1 client over Streamable HTTP and over
 * legacy HTTP+SSE, the SDK v2 client in each negotiation mode (legacy session or stateless
 * 2026-07-28), then a clean SIGTERM shutdown.
 */
export function smokeSuite(runtime: Runtime): void {
  describe(`${runtime} sample app`, () => {
    let app: RunningApp | undefined
    beforeAll(async () => {
      app = await startApp(runtime)
    }, 90_000)
    afterAll(async () => {
      await app?.stop()
    })

    for (const transport of ['Streamable HTTP', 'legacy HTTP+SSE'] as const) {
      it(`answers initialize, tools/list, echo and countdown over ${transport}`, async () => {
        const client = new Client({ name: 'smoke', version: '1.0.0' })
        const wire =
          transport === 'Streamable HTTP'
            ? new StreamableHTTPClientTransport(new URL('/mcp', app!.url))
            : new SSEClientTransport(new URL('/sse', app!.url))
        await client.connect(wire)
        // Record every message in the order the transport receives it. (The SDK client itself
        // may drop a progress event read just before its response: it handles notifications a
        // microtask after responses, so the wire order is what this server controls.)
        const received = recordOrder(wire as never)
        try {
          expect(client.getServerVersion()?.name).toBe('mcpwire-sample')
          const { tools } = await client.listTools()
          expect(tools.map((tool) => tool.name)).toEqual(
            expect.arrayContaining(['echo', 'countdown']),
          )

          const echoed = await client.callTool({ name: 'echo', arguments: { text: TRICKY_TEXT } })
          expect(echoed.content).toEqual([{ type: 'text', text: TRICKY_TEXT }])

          received.length = 0
          const done = await client.callTool(
            { name: 'countdown', arguments: { ticks: 3, intervalMs: 20 } },
            undefined,
            { onprogress: () => {} },
          )
          expect(received).toEqual(['progress 1', 'progress 2', 'progress 3', 'result'])
          expect(done.content).toEqual([{ type: 'text', text: 'Liftoff after 3 ticks' }])
        } finally {
          await client.close()
        }
      }, 30_000)
    }

    for (const { name, mode, revision, session } of V2_MODES) {
      it(`serves the SDK v2 client negotiating ${name} on ${revision}`, async () => {
        const client = new ClientV2(
          { name: 'smoke-v2', version: '1.0.0' },
          { versionNegotiation: { mode } },
        )
        const wire = new StreamableHTTPClientTransportV2(new URL('/mcp', app!.url))
        await client.connect(wire)
        const received = recordOrder(wire as never)
        try {
          expect(client.getNegotiatedProtocolVersion()).toBe(revision)
          expect(wire.sessionId !== undefined).toBe(session)
          expect(client.getServerVersion()?.name).toBe('mcpwire-sample')
          const { tools } = await client.listTools()
          expect(tools.map((tool) => tool.name)).toEqual(
            expect.arrayContaining(['echo', 'countdown']),
          )

          const echoed = await client.callTool({ name: 'echo', arguments: { text: TRICKY_TEXT } })
          expect(echoed.content).toEqual([{ type: 'text', text: TRICKY_TEXT }])

          received.length = 0
          const done = await client.callTool(
            { name: 'countdown', arguments: { ticks: 3, intervalMs: 20 } },
            { onprogress: () => {} },
          )
          expect(received).toEqual(['progress 1', 'progress 2', 'progress 3', 'result'])
          expect(done.content).toEqual([{ type: 'text', text: 'Liftoff after 3 ticks' }])
        } finally {
          await client.close()
        }
      }, 30_000)
    }

    for (const { era, path, options } of MCPWIRE_LEGS) {
      it(`serves @mcpwire/client's connect() in the ${era} era`, async () => {
        const client = await connectMcp(new URL(path, app!.url), {
          requestTimeoutMs: 10_000,
          ...options,
        })
        try {
          expect(client.era).toBe(era)
          expect((client.serverInfo as { name?: string }).name).toBe('mcpwire-sample')
          const { tools } = (await client.request('tools/list')) as { tools: { name: string }[] }
          expect(tools.map((tool) => tool.name)).toEqual(
            expect.arrayContaining(['echo', 'countdown']),
          )
          const echoed = await client.request('tools/call', {
            name: 'echo',
            arguments: { text: TRICKY_TEXT },
          })
          expect(echoed).toMatchObject({ content: [{ type: 'text', text: TRICKY_TEXT }] })

          const progress: number[] = []
          let beforeResult: number[] = []
          const done = await client
            .request(
              'tools/call',
              { name: 'countdown', arguments: { ticks: 3, intervalMs: 20 } },
              { onProgress: ({ progress: tick }) => progress.push(tick) },
            )
            .then((result) => {
              beforeResult = [...progress]
              return result
            })
          expect(beforeResult).toEqual([1, 2, 3])
          expect(done).toMatchObject({ content: [{ type: 'text', text: 'Liftoff after 3 ticks' }] })
          // 2026-07-28 removed ping: the server answers Method not found.
          if (era === 'stateless') {
            await expect(client.request('ping')).rejects.toMatchObject({ code: -32601 })
          } else {
            expect(await client.request('ping')).toEqual({})
          }
        } finally {
          await client.close()
        }
        const stats = client.stats()
        expect([stats.openStreams, stats.pendingRequests, stats.inflightFetches]).toEqual([0, 0, 0])
      }, 30_000)
    }

    for (const { era, path, options } of MCPWIRE_LEGS) {
      it(`lets @mcpwire/client's connect() answer the server's input requests in the ${era} era`, async () => {
        // 2026-07-28: input_required results, retried with the answers; 2025 eras: the SDK's
        // legacy shim sends the same input requests as server-to-client requests.
        const client = await connectMcp(new URL(path, app!.url), {
          requestTimeoutMs: 10_000,
          ...options,
          handlers: {
            'elicitation/create': (params) => ({
              action: 'accept',
              content: String(params.message).includes('color')
                ? { color: 'blue' }
                : { name: 'Ada' },
            }),
            'sampling/createMessage': () => ({
              role: 'assistant',
              content: { type: 'text', text: 'Hello' },
              model: 'test-model',
            }),
            'roots/list': () => ({ roots: [{ uri: 'file:///work', name: 'work' }] }),
          },
        })
        try {
          expect(client.era).toBe(era)
          const call = (name: string) => client.request('tools/call', { name, arguments: {} })
          expect(await call('test_input_required_result_multiple_inputs')).toMatchObject({
            content: [{ type: 'text', text: 'Hello Ada: 1 root(s) visible' }],
          })
          expect(await call('test_input_required_result_multi_round')).toMatchObject({
            content: [{ type: 'text', text: 'Multi-round complete: Ada likes blue' }],
          })
          expect(await call('test_input_required_result_request_state')).toMatchObject({
            content: [{ type: 'text', text: expect.stringContaining('state-ok') }],
          })
        } finally {
          await client.close()
        }
        const stats = client.stats()
        expect([stats.openStreams, stats.pendingRequests, stats.inflightFetches]).toEqual([0, 0, 0])
      }, 30_000)
    }

    it('answers HTTP/1.0 requests without Host with JSON, never a stack trace', async () => {
      const health = await rawRequest(app!.url, 'GET /health HTTP/1.0\r\n\r\n')
      expect(health.status).toBe(200)
      expect(JSON.parse(health.body)).toEqual({ status: 'ok' })
      const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' })
      for (const request of [
        `POST /mcp HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
        'GET /mcp HTTP/1.0\r\nAccept: text/event-stream\r\n\r\n',
        'GET /elsewhere HTTP/1.0\r\n\r\n',
      ]) {
        const answer = await rawRequest(app!.url, request)
        expect(answer.status, request).toBeGreaterThanOrEqual(400)
        expect(answer.status, request).toBeLessThan(500)
        expect(answer.head.toLowerCase()).toContain('content-type: application/json')
        expect(JSON.parse(answer.body)).toMatchObject({ jsonrpc: '2.0', error: { code: -32000 } })
      }
    })

    it('answers in-flight requests of both eras, then exits with code 0 on SIGTERM', async () => {
      const client = new Client({ name: 'smoke', version: '1.0.0' })
      await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', app!.url)))
      const modern = new ClientV2(
        { name: 'smoke-v2', version: '1.0.0' },
        { versionNegotiation: { mode: { pin: '2026-07-28' } } },
      )
      await modern.connect(new StreamableHTTPClientTransportV2(new URL('/mcp', app!.url)))
      const countdown = { name: 'countdown', arguments: { ticks: 5, intervalMs: 100 } }
      const calls = [client.callTool(countdown), modern.callTool(countdown)]
      await new Promise((resolve) => setTimeout(resolve, 150))
      const exit = app!.stop()
      for (const result of await Promise.all(calls)) {
        expect(result.content).toEqual([{ type: 'text', text: 'Liftoff after 5 ticks' }])
      }
      expect(await exit).toBe(0)
      await client.close().catch(() => {})
      await modern.close().catch(() => {})
    }, 20_000)
  })
}
