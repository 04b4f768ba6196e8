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

/** What `notify` publishes to when no modern handler exists: there is no listen stream to reach. */
const NO_LISTENERS: ServerNotifier = {
  toolsChanged: () => {},
  promptsChanged: () => {},
  resourcesChanged: () => {},
  resourceUpdated: () => {},
}

/**
 * The shared state for {@link createExampleServer}: a fresh `requestState` key, and the notifier
 * `notify` returns.
 *
 * @param notify The SDK handler's notifier; without it (a legacy-only endpoint) list-change
 *   triggers reach nobody, as there are no `subscriptions/listen` streams.
 * @example
 * ```ts
 * const shared = exampleServerShared(() => modern.notify)
 * const modern = createSdkHandler(() => createExampleServer(shared), { legacy: 'reject' })
 * ```
 */
export function exampleServerShared(
  notify: () => ServerNotifier = () => NO_LISTENERS,
): ExampleServerShared {
  return {
    notify,
    requestState: createRequestStateCodec({ key: crypto.getRandomValues(new Uint8Array(32)) }),
  }
}

/**
 * The shared state of servers behind a legacy-only endpoint (no modern handler), made on first
 * use: Workers forbid random numbers (the codec's key) at the top level of a module.
 */
let legacyOnly: ExampleServerShared | undefined

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
 * // Legacy eras only (the shared state defaults to one without a modern handler):
 * createMcpHandler({ connect: (transport) => createExampleServer().connect(transport) })
 * ```
 *
 * @param shared State every instance shares; pass {@link exampleServerShared} with the SDK
 *   handler's notifier when a modern leg serves the same factory.
 */
export function createExampleServer(shared?: ExampleServerShared): McpServer {
  if (shared === undefined) {
    legacyOnly ??= exampleServerShared()
    shared = legacyOnly
  }
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
