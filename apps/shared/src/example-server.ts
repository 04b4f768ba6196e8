import {
  createRequestStateCodec,
  McpServer,
  type RequestStateCodec,
  type ServerNotifier,
} from '@modelcontextprotocol/server'
import { z } from 'zod'
import { registerContentFixtures } from './fixtures/content.js'
import { registerInputRequiredFixtures } from './fixtures/input-required.js'
import { registerServerRequestFixtures } from './fixtures/server-requests.js'
import { registerStatelessFixtures } from './fixtures/stateless.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * What every instance of the sample server shares. The SDK builds a new instance per session
 * (legacy era) or per request (2026-07-28), so anything that must outlive one instance lives here.
 */
export interface ExampleServerShared {
  /**
   * Publishes list-changed events to open `subscriptions/listen` streams: the SDK handler's
   * `notify`, read when a tool needs it (the handler is built after the factory that uses it).
   */
  readonly notify: () => ServerNotifier
  /** Seals and verifies multi-round-trip `requestState` (HMAC with a per-process key). */
  readonly requestState: RequestStateCodec<Record<string, unknown>>
}

/**
 * The shared state for {@link createExampleServer}: a fresh `requestState` key, and the notifier
 * `notify` returns.
 *
 * @example
 * ```ts
 * let modern: McpHttpHandler | undefined
 * const shared = exampleServerShared(() => modern!.notify)
 * modern = createSdkHandler(() => createExampleServer(shared), { legacy: 'reject' })
 * ```
 */
export function exampleServerShared(notify: () => ServerNotifier): ExampleServerShared {
  return {
    notify,
    requestState: createRequestStateCodec({ key: crypto.getRandomValues(new Uint8Array(32)) }),
  }
}

/**
 * The MCP server every sample app serves, built with the official SDK v2 so that one definition
 * serves both eras: MCP 2024-11-05 to 2025-11-25 over mcpwire sessions, and 2026-07-28 through the
 * SDK's own `createMcpHandler`. It has an `echo` tool, a `countdown` tool that streams progress,
 * and every tool, resource and prompt the official conformance suite calls at either revision.
 *
 * Handlers are written once: the `input_required` tools ask for input in-band on 2026-07-28, and
 * the SDK turns the same answer into real server-to-client requests on a legacy session.
 *
 * @example
 * ```ts
 * const shared = exampleServerShared(() => modern.notify)
 * createMcpHandler({ connect: (transport) => createExampleServer(shared).connect(transport) })
 * ```
 */
export function createExampleServer(shared: ExampleServerShared): McpServer {
  const server = new McpServer(
    { name: 'mcpwire-sample', version: '0.0.0' },
    {
      capabilities: {
        tools: { listChanged: true },
        resources: { subscribe: true, listChanged: true },
        prompts: { listChanged: true },
        // Deprecated on 2026-07-28 (the request envelope carries the level), still negotiated on
        // the legacy era for logging/setLevel.
        logging: {},
        completions: {},
      },
      instructions: 'A sample server: try the echo and countdown tools.',
      requestState: { verify: shared.requestState.verify },
    },
  )

  server.registerTool(
    'echo',
    {
      description: 'Returns its text argument unchanged',
      inputSchema: z.object({ text: z.string().describe('Text to echo') }),
    },
    ({ text }) => ({ content: [{ type: 'text', text }] }),
  )

  server.registerTool(
    'countdown',
    {
      description:
        'Counts down, sending a progress notification on every tick; liftoff comes one interval after the last tick',
      inputSchema: z.object({
        ticks: z.number().int().min(1).max(100).default(5).describe('How many ticks'),
        intervalMs: z.number().int().min(0).max(10_000).default(100).describe('Time between ticks'),
      }),
    },
    async ({ ticks, intervalMs }, ctx) => {
      const progressToken = ctx.mcpReq._meta?.progressToken
      for (let tick = 1; tick <= ticks; tick++) {
        await sleep(intervalMs)
        if (progressToken !== undefined) {
          await ctx.mcpReq.notify({
            method: 'notifications/progress',
            params: {
              progressToken,
              progress: tick,
              total: ticks,
              message: `${ticks - tick} to go`,
            },
          })
        }
      }
      return { content: [{ type: 'text', text: `Liftoff after ${ticks} ticks` }] }
    },
  )

  registerContentFixtures(server)
  registerServerRequestFixtures(server)
  registerInputRequiredFixtures(server, shared)
  registerStatelessFixtures(server, shared)
  return server
}
