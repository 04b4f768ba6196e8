/**
 * Child process of server.bench.ts: serves one implementation on 127.0.0.1 through the same
 * `node:http` bridge (`toNodeHandler`) and answers heap queries over IPC.
 *
 * Usage (spawned by server.bench.ts): node --expose-gc --import tsx bench/_bench-server.ts sdk|ours|...
 * (`ours-hibernating` takes its `hibernateAfterMs` as the next argument)
 */
import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js'
import { z } from 'zod'
import { type FetchHandler, toNodeHandler } from '../src/node/index.js'
import { serveForBench } from './_bench-kit.js'

type Impl = 'sdk' | 'sdk-node' | 'ours' | 'ours-fetch' | 'ours-hibernating' | 'floor'

/** The same McpServer, with the same tool, for both implementations: one instance per session. */
function buildMcpServer(): McpServer {
  const server = new McpServer({ name: 'bench', version: '1.0.0' })
  server.registerTool(
    'echo',
    { description: 'Echoes its input', inputSchema: { text: z.string() } },
    async ({ text }) => ({ content: [{ type: 'text', text }] }),
  )
  return server
}

function jsonError(status: number, message: string): Response {
  return Response.json(
    { jsonrpc: '2.0', id: null, error: { code: -32000, message } },
    { status, headers: { 'content-type': 'application/json' } },
  )
}

/** What a stateful SDK transport takes to announce its session id. */
interface SessionOptions {
  sessionIdGenerator: () => string
  onsessioninitialized: (sessionId: string) => void
}

/**
 * A stateful SDK transport kept in `transports` by session id from initialize until it closes,
 * as the SDK documentation shows.
 */
function trackedTransport<
  T extends { sessionId?: string | undefined; onclose?: (() => void) | undefined },
>(transports: Map<string, T>, create: (options: SessionOptions) => T): T {
  const transport = create({
    sessionIdGenerator: () => randomUUID(),
    onsessioninitialized: (id) => {
      transports.set(id, transport)
    },
  })
  transport.onclose = () => {
    if (transport.sessionId !== undefined) transports.delete(transport.sessionId)
  }
  return transport
}

/**
 * The official SDK's Web-standard transport, stateful, with a Map of sessions as its documentation
 * shows: a new transport and McpServer per initialize, later requests routed by `mcp-session-id`.
 */
function sdkHandler(): FetchHandler {
  const transports = new Map<string, WebStandardStreamableHTTPServerTransport>()
  return async (request) => {
    const sessionId = request.headers.get('mcp-session-id')
    if (sessionId !== null) {
      const transport = transports.get(sessionId)
      if (transport === undefined) return jsonError(404, 'Session not found')
      return transport.handleRequest(request)
    }
    if (request.method !== 'POST') return jsonError(400, 'Bad request: no session id')
    const body: unknown = await request.json()
    if (!isInitializeRequest(body)) return jsonError(400, 'Bad request: no session id')
    const transport = trackedTransport(
      transports,
      (options) => new WebStandardStreamableHTTPServerTransport(options),
    )
    await buildMcpServer().connect(transport)
    return transport.handleRequest(request, { parsedBody: body })
  }
}

/**
 * The same stateful SDK setup through the SDK's own Node wrapper (`StreamableHTTPServerTransport`,
 * which converts with `@hono/node-server`) instead of our bridge: shows what the bridge costs.
 */
function sdkNodeListener(): (req: IncomingMessage, res: ServerResponse) => void {
  const transports = new Map<string, StreamableHTTPServerTransport>()
  const refuse = (res: ServerResponse, status: number): void => {
    res.writeHead(status, { 'content-type': 'application/json' }).end('{}')
  }
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const sessionId = req.headers['mcp-session-id']
    if (typeof sessionId === 'string') {
      const transport = transports.get(sessionId)
      if (transport === undefined) return refuse(res, 404)
      return transport.handleRequest(req, res)
    }
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const body: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'))
    if (!isInitializeRequest(body)) return refuse(res, 400)
    const transport = trackedTransport(
      transports,
      (options) => new StreamableHTTPServerTransport(options),
    )
    await buildMcpServer().connect(transport)
    return transport.handleRequest(req, res, body)
  }
  return (req, res) => {
    handle(req, res).catch(() => res.destroy())
  }
}

/**
 * Not an MCP server: answers initialize and tools/call with canned SSE replies after parsing the
 * body. It measures what the load generator, loopback and the bridge cost on their own.
 */
function floorHandler(): FetchHandler {
  const encoder = new TextEncoder()
  return async (request) => {
    const message = (await request.json()) as {
      id?: number
      method: string
      params?: { arguments?: { text?: string } }
    }
    if (message.id === undefined) return new Response(null, { status: 202 })
    const result =
      message.method === 'initialize'
        ? {
            protocolVersion: '2025-11-25',
            capabilities: { tools: {} },
            serverInfo: { name: 'floor', version: '1' },
          }
        : { content: [{ type: 'text', text: message.params?.arguments?.text }] }
    const event = `event: message\ndata: ${JSON.stringify({ jsonrpc: '2.0', id: message.id, result })}\n\n`
    return new Response(
      new ReadableStream({
        start(controller) {
          controller.enqueue(encoder.encode(event))
          controller.close()
        },
      }),
      {
        headers: {
          'content-type': 'text/event-stream',
          'cache-control': 'no-cache',
          'mcp-session-id': randomUUID(),
        },
      },
    )
  }
}

interface McpHandlerLike {
  fetch(request: Request): Promise<Response>
  close(): Promise<void>
}
type CreateMcpHandlerLike = (options: Record<string, unknown>) => McpHandlerLike

/**
 * Our createMcpHandler from ../src/index.js (or from the module named by BENCH_OURS_MODULE, for
 * example a built dist), loaded at run time so that this file compiles before it exists.
 * `mcp.fetch` itself (toNodeHandler then calls the handler directly, without Fetch objects), or,
 * with `viaFetch`, a wrapper around it, which toNodeHandler serves like any fetch function.
 * With `hibernateAfterMs`, idle sessions let their McpServer go after that long.
 */
async function oursHandler(
  viaFetch: boolean,
  hibernateAfterMs: number | undefined,
): Promise<FetchHandler> {
  const path = process.env.BENCH_OURS_MODULE
  const mod: Record<string, unknown> =
    path === undefined ? await import('../src/index.js') : await import(path)
  const create = mod.createMcpHandler as CreateMcpHandlerLike | undefined
  if (typeof create !== 'function') throw new Error('createMcpHandler is not exported yet')
  const mcp = create({
    connect: (transport: unknown) =>
      buildMcpServer().connect(transport as Parameters<McpServer['connect']>[0]),
    // The bench opens 10,000 sessions and probes them afterwards: lift a lower default cap and
    // a short idle timeout, if the handler has them.
    maxSessions: 100_000,
    sessionIdleMs: 30 * 60_000,
    ...(hibernateAfterMs === undefined ? {} : { hibernateAfterMs }),
  })
  return viaFetch ? (request) => mcp.fetch(request) : mcp.fetch
}

/**
 * Heap bytes per McpServer alone (built as above, connected to a do-nothing transport, no
 * traffic): the share of a session that does not depend on the HTTP transport.
 */
async function mcpServerHeap(count: number, heapUsed: () => number): Promise<number> {
  const before = heapUsed()
  const servers: McpServer[] = []
  for (let i = 0; i < count; i++) {
    const server = buildMcpServer()
    await server.connect({ start: async () => {}, send: async () => {}, close: async () => {} })
    servers.push(server)
  }
  const after = heapUsed()
  servers.length = 0
  return (after - before) / count
}

const gc = (globalThis as { gc?: () => void }).gc
const heapUsed = (): number => {
  if (gc === undefined) throw new Error('run with --expose-gc')
  for (let i = 0; i < 4; i++) gc()
  return process.memoryUsage().heapUsed
}

serveForBench(
  async () => {
    const impl = process.argv[2] as Impl
    const listener =
      impl === 'sdk-node'
        ? sdkNodeListener()
        : toNodeHandler(
            impl === 'sdk'
              ? sdkHandler()
              : impl === 'floor'
                ? floorHandler()
                : await oursHandler(
                    impl === 'ours-fetch',
                    impl === 'ours-hibernating' ? Number(process.argv[3]) : undefined,
                  ),
          )
    return createServer(listener)
  },
  (message) => {
    if (message.type === 'heap') {
      process.send?.({ type: 'heap', value: heapUsed() })
    } else if (message.type === 'mcp-heap') {
      mcpServerHeap(message.count ?? 1000, heapUsed).then((value) =>
        process.send?.({ type: 'mcp-heap', value }),
      )
    }
  },
)
