import type { HttpBindings } from '@hono/node-server'
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response'
import type { McpHandler } from '@mcpwire/server'
import { toNodeHandler } from '@mcpwire/server/node'
import { Hono } from 'hono'

/** How the Hono app hands a request to the MCP handler. */
export type HonoMount =
  /** `mcp.fetch(c.req.raw)`: Hono's Fetch `Request` in, a `Response` out. */
  | 'fetch'
  /** `toNodeHandler(mcp.fetch)` on `c.env.incoming`/`c.env.outgoing`: the direct Node path. */
  | 'node'
  /** `fetch`, after a middleware that read the JSON body with `c.req.json()`. */
  | 'fetch after c.req.json()'

/**
 * A Hono app, for `@hono/node-server`, that serves `mcp` on `/mcp` as `mount` says.
 *
 * @param mcp The handler, from `createMcpHandler`.
 * @param mount How the request reaches the handler. Default: `fetch`.
 * @example
 * ```ts
 * import { serve } from '@hono/node-server'
 *
 * serve({ fetch: honoApp(mcp).fetch, port: 3000, hostname: '127.0.0.1' })
 * ```
 */
export function honoApp(
  mcp: McpHandler,
  mount: HonoMount = 'fetch',
): Hono<{ Bindings: HttpBindings }> {
  const app = new Hono<{ Bindings: HttpBindings }>()
  if (mount === 'node') {
    const mcpRoute = toNodeHandler(mcp.fetch)
    app.all('/mcp', (c) => {
      mcpRoute(c.env.incoming, c.env.outgoing)
      return RESPONSE_ALREADY_SENT
    })
    return app
  }
  if (mount === 'fetch after c.req.json()') {
    app.use('/mcp', async (c, next) => {
      if (c.req.method === 'POST') await c.req.json().catch(() => undefined)
      await next()
    })
  }
  app.all('/mcp', (c) => mcp.fetch(c.req.raw))
  return app
}
