// Recipe: Fastify. The MCP routes live in their own plugin scope where Fastify does not parse
// bodies (the handler reads and limits them itself), and each request is handed, hijacked, to the
// node:http bridge, which streams the answer with backpressure.

import { createMcpHandler, type McpHandler } from '@mcpwire/server'
import { toNodeHandler } from '@mcpwire/server/node'
import Fastify, { type FastifyInstance } from 'fastify'
import { createServer } from './server.js'

/** A Fastify app serving MCP on `/mcp` (and legacy `/sse` + `/messages`) beside its own routes. */
export async function createFastifyApp(): Promise<{ app: FastifyInstance; mcp: McpHandler }> {
  const mcp = createMcpHandler({
    connect: (transport) => createServer().connect(transport),
  })
  const listener = toNodeHandler(mcp.fetch)
  const app = Fastify()
  app.get('/', async () => ({ hello: 'a Fastify app with MCP on /mcp' }))
  await app.register(async (scope) => {
    // Leave the body unread for the handler, whatever its content type.
    scope.removeAllContentTypeParsers()
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null))
    for (const path of ['/mcp', '/sse', '/messages']) {
      scope.all(path, (request, reply) => {
        reply.hijack()
        listener(request.raw, reply.raw)
      })
    }
  })
  return { app, mcp }
}
