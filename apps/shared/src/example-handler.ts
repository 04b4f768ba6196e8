import { createMcpHandler, type McpHandler, type McpHandlerOptions } from '@mcpwire/server'
import { createExampleServer } from './example-server.js'

/** The sample apps' handler: MCP on `/mcp` (and legacy `/sse` + `/messages`), plus `/health`. */
export interface ExampleHandler {
  readonly fetch: (request: Request) => Promise<Response>
  readonly close: () => Promise<void>
  readonly mcp: McpHandler
}

/**
 * Builds the handler every sample app serves: {@link createExampleServer} behind
 * `createMcpHandler`, with in-memory defaults, and a `/health` probe.
 *
 * @param options Any `createMcpHandler` option except `connect`.
 */
export function createExampleHandler(
  options: Omit<McpHandlerOptions, 'connect'> = {},
): ExampleHandler {
  const mcp = createMcpHandler({
    ...options,
    connect: (transport) => createExampleServer().connect(transport),
  })
  return {
    mcp,
    fetch(request) {
      if (new URL(request.url).pathname === '/health') {
        return Promise.resolve(Response.json({ status: 'ok' }))
      }
      return mcp.fetch(request)
    },
    close: () => mcp.close(),
  }
}

/** The HOST and PORT a sample app listens on, from the environment (127.0.0.1:3000 by default). */
export function listenAddress(env: Record<string, string | undefined>): {
  hostname: string
  port: number
} {
  const port = Number(env.PORT ?? 3000)
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new RangeError(`Invalid PORT ${env.PORT}`)
  return { hostname: env.HOST ?? '127.0.0.1', port }
}

/** The one line each app prints when it listens; smoke tests and the conformance runner parse it. */
export function listeningLine(runtime: string, url: string): string {
  return `mcpwire sample (${runtime}) listening on ${url.replace(/\/$/, '')}`
}
