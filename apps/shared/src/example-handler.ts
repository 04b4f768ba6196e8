import { createMcpHandler, type McpHandler, type McpHandlerOptions } from '@mcpwire/server'
import {
  createMcpHandler as createSdkHandler,
  type McpHttpHandler,
} from '@modelcontextprotocol/server'
import { createExampleServer, exampleServerShared } from './example-server.js'

/** The handler options a sample app may set: everything but the two legs, which it builds itself. */
export type ExampleHandlerOptions = Omit<McpHandlerOptions, 'connect' | 'modern'>

/** The sample apps' handler: MCP on `/mcp` (and legacy `/sse` + `/messages`), plus `/health`. */
export interface ExampleHandler {
  readonly fetch: (request: Request) => Promise<Response>
  /**
   * Graceful shutdown: new requests get 503, POST responses still streaming (in-flight
   * Streamable HTTP requests) are answered, waiting at most `graceMs` (default 10 s); then every
   * session and stream is closed.
   */
  readonly close: (graceMs?: number) => Promise<void>
  readonly mcp: McpHandler
  /** The SDK v2 handler serving MCP 2026-07-28 behind `mcp` (its `notify` feeds listen streams). */
  readonly modern: McpHttpHandler
  /**
   * Whether a request for `pathname` may go straight to `mcp` (not `/health`, not while closing):
   * a runtime that serves `mcp` directly, as Node's `toNodeHandler(mcp.fetch)` does, asks this and
   * sends the rest to {@link fetch}.
   */
  readonly servesDirectly: (pathname: string) => boolean
  /**
   * Counts a POST sent straight to `mcp` as in flight, as {@link fetch} counts its own, until the
   * returned function is called (when its response has ended); `close()` waits for it.
   */
  readonly beginPost: () => () => void
}

/**
 * The path of a request's URL. Bun gives a bare path (`/health`) when an HTTP/1.0 request has no
 * `Host`; such a request still reaches `/health`, and `mcp` refuses it for the missing Host.
 */
function pathnameOf(url: string): string {
  try {
    return new URL(url, 'http://localhost').pathname
  } catch {
    return ''
  }
}

/**
 * Builds the handler every sample app serves: one SDK v2 factory ({@link createExampleServer})
 * behind `createMcpHandler` for every era, with in-memory defaults, and a `/health` probe.
 *
 * - MCP 2024-11-05 to 2025-11-25: `connect` gives each mcpwire session its own instance.
 * - MCP 2026-07-28: mcpwire hands the parsed request to the SDK's own `createMcpHandler`
 *   (`legacy: 'reject'`, so it never serves the legacy era itself), which builds an instance per
 *   request. Its keep-alive is set to mcpwire's 5 s.
 *
 * @param options Any `createMcpHandler` option except `connect` and `modern`.
 * @example
 * ```ts
 * const app = createExampleHandler({ hibernateAfterMs: 60_000 })
 * Deno.serve(app.fetch)
 * ```
 */
export function createExampleHandler(options: ExampleHandlerOptions = {}): ExampleHandler {
  const shared = exampleServerShared(() => modern.notify)
  const modern: McpHttpHandler = createSdkHandler(() => createExampleServer(shared), {
    legacy: 'reject',
    keepAliveMs: 5000,
  })
  const mcp = createMcpHandler({
    ...options,
    connect: (transport) => createExampleServer(shared).connect(transport),
    modern,
  })
  let draining = false
  let inFlight = 0
  let drained: (() => void) | undefined
  const beginPost = (): (() => void) => {
    inFlight++
    let ended = false
    return () => {
      if (ended) return
      ended = true
      inFlight--
      if (inFlight === 0) drained?.()
    }
  }

  return {
    mcp,
    modern,
    beginPost,
    servesDirectly: (pathname) => !draining && pathname !== '/health',
    async fetch(request) {
      if (pathnameOf(request.url) === '/health') {
        return Response.json(
          { status: draining ? 'draining' : 'ok' },
          { status: draining ? 503 : 200 },
        )
      }
      if (draining) {
        return Response.json(
          { jsonrpc: '2.0', id: null, error: { code: -32000, message: 'Server is shutting down' } },
          { status: 503, headers: { 'retry-after': '1' } },
        )
      }
      if (request.method !== 'POST') return mcp.fetch(request)
      // Count the POST until its response body ends, so close() can let it finish.
      const finished = beginPost()
      let response: Response
      try {
        response = await mcp.fetch(request)
      } catch (error) {
        finished()
        throw error
      }
      if (response.body === null) {
        finished()
        return response
      }
      const reader = response.body.getReader()
      const body = new ReadableStream<Uint8Array>(
        {
          async pull(controller) {
            try {
              const { done, value } = await reader.read()
              if (done) {
                controller.close()
                finished()
              } else controller.enqueue(value)
            } catch (error) {
              controller.error(error)
              finished()
            }
          },
          cancel(reason) {
            finished()
            return reader.cancel(reason)
          },
        },
        { highWaterMark: 0 },
      )
      return new Response(body, { status: response.status, headers: response.headers })
    },
    async close(graceMs = 10_000) {
      draining = true
      if (inFlight > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, graceMs)
          drained = () => {
            clearTimeout(timer)
            resolve()
          }
        })
      }
      await mcp.close()
    },
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

/**
 * The handler options a sample app takes from its environment: `HIBERNATE_AFTER_MS` turns on
 * session hibernation (`hibernateAfterMs`; the sample server keeps no state a wake would lose);
 * `CORS=1` lets browser pages on other loopback origins use it (`cors: true`).
 *
 * @param env The process environment.
 */
export function handlerOptions(env: Record<string, string | undefined>): ExampleHandlerOptions {
  const cors = env.CORS === '1' || env.CORS === 'true' ? { cors: true } : {}
  const hibernate = env.HIBERNATE_AFTER_MS
  if (hibernate === undefined || hibernate === '') return cors
  const hibernateAfterMs = Number(hibernate)
  if (!(hibernateAfterMs >= 1)) throw new RangeError(`Invalid HIBERNATE_AFTER_MS ${hibernate}`)
  return { ...cors, hibernateAfterMs }
}

/** The one line each app prints when it listens; smoke tests and the conformance runner parse it. */
export function listeningLine(runtime: string, url: string): string {
  return `mcpwire sample (${runtime}) listening on ${url.replace(/\/$/, '')}`
}
