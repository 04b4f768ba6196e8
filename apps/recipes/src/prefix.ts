// Recipe: MCP under a path prefix (`/api/mcp`). The handler matches the request's full URL path,
// so its paths name the prefix; a router mounting it under `/api` (here Hono's `app.route`) keeps
// the full URL in the Request it passes on.

import { createMcpHandler, type McpHandler } from '@mcpwire/server'
import { Hono } from 'hono'
import { createServer } from './server.js'

/** A Hono app with MCP on `/api/mcp`, legacy HTTP+SSE on `/api/sse` and `/api/messages`. */
export function createPrefixedApp(): { app: Hono; mcp: McpHandler } {
  const mcp = createMcpHandler({
    connect: (transport) => createServer().connect(transport),
    path: '/api/mcp',
    legacy: { ssePath: '/api/sse', messagesPath: '/api/messages' },
  })
  const api = new Hono()
  api.all('/mcp', (c) => mcp.fetch(c.req.raw))
  api.all('/sse', (c) => mcp.fetch(c.req.raw))
  api.all('/messages', (c) => mcp.fetch(c.req.raw))
  const app = new Hono()
  app.route('/api', api)
  return { app, mcp }
}
