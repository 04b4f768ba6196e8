// Recipe: Hono, on any runtime. Hono hands the Web-standard Request on (`c.req.raw`) and returns
// the handler's Response as is, so streams, status codes and headers pass through untouched.

import { createMcpHandler, type McpHandler } from '@mcpwire/server'
import { Hono } from 'hono'
import { createServer } from './server.js'

/** A Hono app serving MCP on `/mcp` (and legacy `/sse` + `/messages`) beside its own routes. */
export function createHonoApp(): { app: Hono; mcp: McpHandler } {
  const mcp = createMcpHandler({
    connect: (transport) => createServer().connect(transport),
  })
  const app = new Hono()
  app.get('/', (c) => c.text('a Hono app with MCP on /mcp'))
  app.all('/mcp', (c) => mcp.fetch(c.req.raw))
  app.all('/sse', (c) => mcp.fetch(c.req.raw))
  app.all('/messages', (c) => mcp.fetch(c.req.raw))
  return { app, mcp }
}
