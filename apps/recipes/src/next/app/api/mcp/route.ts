// Recipe: a Next.js (App Router) route handler, `app/api/mcp/route.ts`. Route handlers take and
// return Web-standard objects, so the handler's `fetch` is the route. Streamable HTTP needs
// nothing else; a deployment on a public host lists it in `allowedHosts`.

import { createMcpHandler } from '@mcpwire/server'
import { createServer } from '../../../../server.js'

const mcp = createMcpHandler({
  connect: (transport) => createServer().connect(transport),
  path: '/api/mcp',
  legacy: false, // HTTP+SSE needs a second route (`/api/messages`); most hosts want one route
})

/** The route's handler for every method it serves. */
const handler = (request: Request): Promise<Response> => mcp.fetch(request)

export { handler as DELETE, handler as GET, handler as POST }
/** Route segment config: never cache or prerender this route. */
export const dynamic = 'force-dynamic'
/** Closes every session (for tests; a Next.js deployment never calls it). */
export const close = (): Promise<void> => mcp.close()
