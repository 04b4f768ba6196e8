/**
 * Child process of era.bench.ts: serves one implementation on 127.0.0.1 with `node:http` and
 * reports its CPU time over IPC. Every implementation serves the same SDK v2 `McpServer`.
 *
 * Usage (spawned by era.bench.ts): node --import tsx bench/_era-bench-server.ts <impl>
 * - sdk-modern: the SDK v2 `createMcpHandler(factory, { legacy: 'reject' })` alone, with the SDK's
 *   own Host and Origin helpers in front, through our general Fetch bridge `toNodeHandler(fetch)`;
 * - ours-modern: `createMcpHandler({ modern })` around that same SDK handler, `toNodeHandler(mcp.fetch)`
 *   (the direct Node path: the relay builds the body-less `Request` itself);
 * - ours-modern-fetch: the same handler wrapped in a function, so it takes the general Fetch bridge
 *   like the SDK column (the relay's cost alone, bridges equal);
 * - sdk2-sessions: the SDK v2 sessionful `WebStandardStreamableHTTPServerTransport`, a Map of
 *   sessions as its documentation shows, through `toNodeHandler(fetch)`;
 * - ours-legacy: `createMcpHandler({ connect })` with the SDK v2 server, `toNodeHandler(mcp.fetch)`.
 */
import { randomUUID } from 'node:crypto'
import { createServer } from 'node:http'
import {
  createMcpHandler as createSdkHandler,
  hostHeaderValidationResponse,
  isInitializeRequest,
  localhostAllowedHostnames,
  localhostAllowedOrigins,
  McpServer,
  originValidationResponse,
  WebStandardStreamableHTTPServerTransport,
} from '@modelcontextprotocol/server'
import * as z from 'zod'
// The built package, as users run it (era.bench.ts refuses a dist/ older than src/).
import { createMcpHandler } from '../dist/index.js'
import { type FetchHandler, toNodeHandler } from '../dist/node/index.js'
import { serveForBench } from './_bench-kit.js'

export type EraImpl =
  | 'sdk-modern'
  | 'ours-modern'
  | 'ours-modern-fetch'
  | 'sdk2-sessions'
  | 'ours-legacy'

/** The same SDK v2 McpServer everywhere: one `echo` tool with a zod schema. */
function buildServer(): McpServer {
  const server = new McpServer({ name: 'bench', version: '1.0.0' })
  server.registerTool(
    'echo',
    { description: 'Echoes its input', inputSchema: z.object({ text: z.string() }) },
    async ({ text }) => ({ content: [{ type: 'text', text }] }),
  )
  return server
}

function sdkModern() {
  return createSdkHandler(() => buildServer(), { legacy: 'reject', keepAliveMs: 5000 })
}

/** The SDK v2 handler alone, guarded by the SDK's own Host and Origin helpers. */
function sdkModernGuarded(): FetchHandler {
  const handler = sdkModern()
  const hosts = localhostAllowedHostnames()
  const origins = localhostAllowedOrigins()
  return async (request) =>
    hostHeaderValidationResponse(request, hosts) ??
    originValidationResponse(request, origins) ??
    handler.fetch(request)
}

function jsonError(status: number, message: string): Response {
  return Response.json({ jsonrpc: '2.0', id: null, error: { code: -32000, message } }, { status })
}

/** The SDK v2 sessionful transport, one transport and McpServer per session, kept in a Map. */
function sdkSessions(): FetchHandler {
  const transports = new Map<string, WebStandardStreamableHTTPServerTransport>()
  return async (request) => {
    const sessionId = request.headers.get('mcp-session-id')
    if (sessionId !== null) {
      const transport = transports.get(sessionId)
      if (transport === undefined) return jsonError(404, 'Session not found')
      return transport.handleRequest(request)
    }
    const body: unknown = await request.json()
    if (!isInitializeRequest(body)) return jsonError(400, 'Bad request: no session id')
    const transport: WebStandardStreamableHTTPServerTransport =
      new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => {
          transports.set(id, transport)
        },
      })
    transport.onclose = () => {
      if (transport.sessionId !== undefined) transports.delete(transport.sessionId)
    }
    await buildServer().connect(transport)
    return transport.handleRequest(request, { parsedBody: body })
  }
}

function handlerFor(impl: EraImpl): FetchHandler {
  switch (impl) {
    case 'sdk-modern':
      return sdkModernGuarded()
    case 'ours-modern':
      return createMcpHandler({ modern: sdkModern() }).fetch
    case 'ours-modern-fetch': {
      const mcp = createMcpHandler({ modern: sdkModern() })
      return (request) => mcp.fetch(request)
    }
    case 'sdk2-sessions':
      return sdkSessions()
    case 'ours-legacy':
      return createMcpHandler({
        connect: (transport) => buildServer().connect(transport),
        maxSessions: 100_000,
      }).fetch
  }
}

serveForBench(async () => createServer(toNodeHandler(handlerFor(process.argv[2] as EraImpl))))
