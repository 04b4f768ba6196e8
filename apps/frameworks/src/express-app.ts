import type { McpHandler } from '@mcpwire/server'
import { toNodeHandler } from '@mcpwire/server/node'
import express, { type Express, type RequestHandler } from 'express'

/** How the Express app treats request bodies before the MCP route. */
export type ExpressBodyParsing =
  /** No body parser: the handler reads the request stream itself. */
  | 'none'
  /** `app.use(express.json())` in front, as the SDK's examples do: the handler takes `req.body`. */
  | 'express.json'
  /** A middleware that drains the body and keeps nothing: the handler must answer at once. */
  | 'drained'

/** Reads and drops a request body, as a logging or signature middleware might by mistake. */
const drainBody: RequestHandler = (req, _res, next) => {
  req.on('data', () => {})
  req.once('end', () => next())
}

/**
 * An Express 5 app that serves `mcp` on `/mcp` through `toNodeHandler(mcp.fetch)` (the direct
 * Node path), with the given body parsing in front.
 *
 * @param mcp The handler, from `createMcpHandler`.
 * @param bodyParsing What runs before the MCP route. Default: `express.json`.
 * @param path `direct` mounts `toNodeHandler(mcp.fetch)`; `fetch bridge` mounts a wrapper around
 *   `mcp.fetch`, which takes the general Fetch bridge (`toWebRequest`/`sendWebResponse`).
 * @example
 * ```ts
 * const app = expressApp(mcp)
 * app.listen(3000, '127.0.0.1')
 * ```
 */
export function expressApp(
  mcp: McpHandler,
  bodyParsing: ExpressBodyParsing = 'express.json',
  path: 'direct' | 'fetch bridge' = 'direct',
): Express {
  const app = express()
  if (bodyParsing === 'express.json') app.use(express.json())
  if (bodyParsing === 'drained') app.use(drainBody)
  const mcpRoute = toNodeHandler(
    path === 'direct' ? mcp.fetch : (request: Request) => mcp.fetch(request),
  )
  app.all('/mcp', (req, res) => mcpRoute(req, res))
  return app
}
