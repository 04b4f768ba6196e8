import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningApp, type Runtime, startApp } from './start-app.js'

const TRICKY_TEXT = 'line1\nline2 "q" héllo 🌍 \\ \u2028 end'

/**
 * The smoke tests every sample app runs: the official SDK client over Streamable HTTP and over
 * legacy HTTP+SSE, then a clean SIGTERM shutdown.
 */
export function smokeSuite(runtime: Runtime): void {
  describe(`${runtime} sample app`, () => {
    let app: RunningApp | undefined
    beforeAll(async () => {
      app = await startApp(runtime)
    }, 90_000)
    afterAll(async () => {
      await app?.stop()
    })

    for (const transport of ['Streamable HTTP', 'legacy HTTP+SSE'] as const) {
      it(`answers initialize, tools/list, echo and countdown over ${transport}`, async () => {
        const client = new Client({ name: 'smoke', version: '1.0.0' })
        const wire =
          transport === 'Streamable HTTP'
            ? new StreamableHTTPClientTransport(new URL('/mcp', app!.url))
            : new SSEClientTransport(new URL('/sse', app!.url))
        await client.connect(wire)
        // Record every message in the order the transport receives it. (The SDK client itself
        // may drop a progress event read just before its response: it handles notifications a
        // microtask after responses, so the wire order is what this server controls.)
        const received: string[] = []
        const deliver = wire.onmessage!
        wire.onmessage = (message: JSONRPCMessage) => {
          const m = message as { method?: string; params?: { progress?: number }; result?: unknown }
          if (m.method === 'notifications/progress') received.push(`progress ${m.params?.progress}`)
          else if (m.result !== undefined) received.push('result')
          deliver(message)
        }
        try {
          expect(client.getServerVersion()?.name).toBe('mcpwire-sample')
          const { tools } = await client.listTools()
          expect(tools.map((tool) => tool.name)).toEqual(
            expect.arrayContaining(['echo', 'countdown']),
          )

          const echoed = await client.callTool({ name: 'echo', arguments: { text: TRICKY_TEXT } })
          expect(echoed.content).toEqual([{ type: 'text', text: TRICKY_TEXT }])

          received.length = 0
          const done = await client.callTool(
            { name: 'countdown', arguments: { ticks: 3, intervalMs: 20 } },
            undefined,
            { onprogress: () => {} },
          )
          expect(received).toEqual(['progress 1', 'progress 2', 'progress 3', 'result'])
          expect(done.content).toEqual([{ type: 'text', text: 'Liftoff after 3 ticks' }])
        } finally {
          await client.close()
        }
      }, 30_000)
    }

    it('answers an in-flight request, then exits with code 0 on SIGTERM', async () => {
      const client = new Client({ name: 'smoke', version: '1.0.0' })
      await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', app!.url)))
      const call = client.callTool({ name: 'countdown', arguments: { ticks: 5, intervalMs: 100 } })
      await new Promise((resolve) => setTimeout(resolve, 150))
      const exit = app!.stop()
      const result = await call
      expect(result.content).toEqual([{ type: 'text', text: 'Liftoff after 5 ticks' }])
      expect(await exit).toBe(0)
      await client.close().catch(() => {})
    }, 20_000)
  })
}
