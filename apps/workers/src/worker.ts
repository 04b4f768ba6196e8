// The Workers sample: one @mcpwire/server handler serving MCP 2026-07-28 statelessly through the
// official SDK v2 handler (`modern`), and the legacy eras (2024-11-05 to 2025-11-25) with their
// sessions in this isolate's memory (`connect`). A Worker may run in many isolates and an isolate
// may be evicted at any time, so legacy sessions only hold while one isolate serves them all (as
// workerd locally, or `wrangler dev`); on Cloudflare, only the 2026-07-28 era is dependable.
import { createMcpHandler, type McpHandler } from '@mcpwire/server'
import { createMcpHandler as createSdkHandler, McpServer } from '@modelcontextprotocol/server'
import * as z from 'zod'

/** The MCP server, built once per request (modern) or per session (legacy). */
function buildServer(): McpServer {
  const server = new McpServer(
    { name: 'mcpwire-workers', version: '0.0.0' },
    { capabilities: { tools: {} } },
  )
  server.registerTool(
    'echo',
    {
      description: 'Returns its text argument unchanged',
      inputSchema: z.object({ text: z.string() }),
    },
    async ({ text }) => ({ content: [{ type: 'text', text }] }),
  )
  return server
}

// Workers forbid timers and random numbers at the top level of a module: build on first request.
let mcp: McpHandler | undefined

function handler(): McpHandler {
  mcp ??= createMcpHandler({
    connect: (transport) => buildServer().connect(transport),
    modern: createSdkHandler(() => buildServer(), { legacy: 'reject' }),
  })
  return mcp
}

export default {
  /** The Workers entry point. */
  fetch(request: Request): Promise<Response> {
    return handler().fetch(request)
  },
}
