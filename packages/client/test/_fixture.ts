import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createMcpHandler, type McpHandler, type McpHandlerOptions } from '@mcpwire/server'
import { toNodeHandler } from '@mcpwire/server/node'
import { InMemoryEventStore } from '@modelcontextprotocol/sdk/examples/shared/inMemoryEventStore.js'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js'
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import { z } from 'zod'

/** Text that breaks naive SSE or JSON handling. */
export const HOSTILE =
  'line1\nline2\r\ndata: fake\n\nid: 9\r: comment\u2028\u0000 "quotes" \\ 🎉 </script>'

/** An SDK v1 McpServer with the tools the interop tests call. */
export function buildServer(): McpServer {
  const server = new McpServer({ name: 'fixture', version: '1.0.0' })
  server.registerTool('echo', { inputSchema: { text: z.string() } }, async ({ text }) => ({
    content: [{ type: 'text', text }],
  }))
  server.registerTool('countdown', { inputSchema: { n: z.number() } }, async ({ n }, extra) => {
    const token = extra._meta?.progressToken
    for (let i = 1; i <= n; i++) {
      if (token !== undefined) {
        await extra.sendNotification({
          method: 'notifications/progress',
          params: { progressToken: token, progress: i, total: n },
        })
      }
    }
    return { content: [{ type: 'text', text: `counted ${n}` }] }
  })
  return server
}

export interface RunningServer {
  url: string
  close(): Promise<void>
  /** Requests the server saw, as "METHOD path". */
  seen: string[]
}

async function listen(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ server: Server; base: string }> {
  const server = createServer(handler)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { server, base: `http://127.0.0.1:${port}` }
}

async function stop(server: Server): Promise<void> {
  server.closeAllConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
}

/** `@mcpwire/server` on node:http (its direct Node path). */
export async function startMcpwire(
  options: Partial<McpHandlerOptions> = {},
): Promise<RunningServer & { mcp: McpHandler; cut(): void }> {
  const mcp = createMcpHandler({
    connect: (transport) => buildServer().connect(transport),
    ...options,
  })
  const seen: string[] = []
  const node = toNodeHandler(mcp.fetch)
  const { server, base } = await listen((req, res) => {
    seen.push(`${req.method} ${req.url}`)
    node(req, res)
  })
  return {
    url: `${base}/mcp`,
    mcp,
    seen,
    /** Destroys every open connection (streams included) and keeps listening. */
    cut: () => server.closeAllConnections(),
    async close() {
      await mcp.close()
      await stop(server)
    },
  }
}

/** The SDK v1 server's own Node Streamable HTTP transport, stateful, with an event store. */
export async function startSdkStreamable(): Promise<RunningServer> {
  const transports = new Map<string, StreamableHTTPServerTransport>()
  const seen: string[] = []
  const { server, base } = await listen(async (req, res) => {
    seen.push(`${req.method} ${req.url}`)
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const body = chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString()) : undefined
    const id = req.headers['mcp-session-id']
    let transport = typeof id === 'string' ? transports.get(id) : undefined
    if (transport === undefined) {
      if (req.method !== 'POST' || body?.method !== 'initialize') {
        res.writeHead(typeof id === 'string' ? 404 : 400, { 'content-type': 'application/json' })
        res.end(
          JSON.stringify({
            jsonrpc: '2.0',
            id: null,
            error: { code: -32000, message: 'No session' },
          }),
        )
        return
      }
      const created = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        eventStore: new InMemoryEventStore(),
        onsessioninitialized: (sessionId) => {
          transports.set(sessionId, created)
        },
      })
      created.onclose = () => {
        if (created.sessionId !== undefined) transports.delete(created.sessionId)
      }
      await buildServer().connect(created)
      transport = created
    }
    await transport.handleRequest(req, res, body)
  })
  return {
    url: `${base}/mcp`,
    seen,
    async close() {
      for (const transport of transports.values()) await transport.close()
      await stop(server)
    },
  }
}

/** The SDK v1 server's legacy HTTP+SSE transport (2024-11-05) on `/sse` and `/messages`. */
export async function startSdkLegacy(): Promise<RunningServer> {
  const transports = new Map<string, SSEServerTransport>()
  const seen: string[] = []
  const { server, base } = await listen(async (req, res) => {
    seen.push(`${req.method} ${req.url}`)
    const url = new URL(req.url ?? '/', 'http://localhost')
    if (req.method === 'GET' && url.pathname === '/sse') {
      const transport = new SSEServerTransport('/messages', res)
      transports.set(transport.sessionId, transport)
      transport.onclose = () => transports.delete(transport.sessionId)
      await buildServer().connect(transport)
      return
    }
    if (req.method === 'POST' && url.pathname === '/messages') {
      const transport = transports.get(url.searchParams.get('sessionId') ?? '')
      if (transport === undefined) {
        res.writeHead(404).end()
        return
      }
      await transport.handlePostMessage(req, res)
      return
    }
    res.writeHead(req.method === 'POST' ? 405 : 404).end()
  })
  return {
    url: `${base}/sse`,
    seen,
    async close() {
      for (const transport of transports.values()) await transport.close()
      await stop(server)
    },
  }
}
