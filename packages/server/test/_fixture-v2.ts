import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  createMcpHandler as createSdkHandler,
  type McpHttpHandler,
  McpServer,
} from '@modelcontextprotocol/server'
import * as z from 'zod'
import { createMcpHandler, type McpHandler, type McpHandlerOptions } from '../src/index.js'
import { toNodeHandler } from '../src/node/index.js'

/** What the `slow` tool saw: whether its signal aborted, and whether it ran to its end. */
export const slowCalls: { started: number; aborted: number; finished: number } = {
  started: 0,
  aborted: 0,
  finished: 0,
}

/** Every `ctx.http.req` the `whoami` tool saw. */
export const seenRequests: (Request | undefined)[] = []

/** An SDK v2 McpServer with the tools the tests call; one factory for both eras. */
export function buildV2Server(): McpServer {
  const server = new McpServer(
    { name: 'v2-fixture', version: '1.0.0' },
    { capabilities: { tools: {}, logging: {} } },
  )
  server.registerTool(
    'echo',
    { inputSchema: z.object({ text: z.string() }) },
    async ({ text }) => ({ content: [{ type: 'text', text }] }),
  )
  server.registerTool('count', { inputSchema: z.object({ n: z.number() }) }, async ({ n }, ctx) => {
    const token = ctx.mcpReq._meta?.progressToken
    for (let i = 1; i <= n; i++) {
      if (token !== undefined) {
        await ctx.mcpReq.notify({
          method: 'notifications/progress',
          params: { progressToken: token, progress: i, total: n },
        })
      }
    }
    return { content: [{ type: 'text', text: `counted ${n}` }] }
  })
  // Waits `ms` (optionally after one progress notification, which upgrades the answer to SSE),
  // unless its signal aborts first.
  server.registerTool(
    'slow',
    { inputSchema: z.object({ ms: z.number(), progress: z.boolean().optional() }) },
    async ({ ms, progress }, ctx) => {
      slowCalls.started++
      const token = ctx.mcpReq._meta?.progressToken
      if (progress === true && token !== undefined) {
        await ctx.mcpReq.notify({
          method: 'notifications/progress',
          params: { progressToken: token, progress: 0 },
        })
      }
      const signal = ctx.mcpReq.signal
      const aborted = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), ms)
        signal.addEventListener('abort', () => {
          clearTimeout(timer)
          resolve(true)
        })
      })
      if (aborted) slowCalls.aborted++
      else slowCalls.finished++
      return { content: [{ type: 'text', text: aborted ? 'aborted' : 'done' }] }
    },
  )
  server.registerTool('whoami', { inputSchema: z.object({}) }, async (_args, ctx) => {
    const req = ctx.http?.req
    seenRequests.push(req)
    return {
      content: [
        {
          type: 'text',
          text: JSON.stringify({
            url: req?.url,
            accept: req?.headers.get('accept') ?? null,
            hasBody: req === undefined ? null : req.body !== null,
            isRequest: req instanceof Request,
          }),
        },
      ],
    }
  })
  server.registerTool('closes-stream', { inputSchema: z.object({}) }, async (_args, ctx) => {
    const token = ctx.mcpReq._meta?.progressToken ?? 'none'
    await ctx.mcpReq.notify({
      method: 'notifications/progress',
      params: { progressToken: token, progress: 1 },
    })
    ctx.http?.closeSSE?.()
    await new Promise((resolve) => setTimeout(resolve, 20))
    await ctx.mcpReq.notify({
      method: 'notifications/progress',
      params: { progressToken: token, progress: 2 },
    })
    return { content: [{ type: 'text', text: 'after reconnect' }] }
  })
  return server
}

/** The SDK v2 modern-only handler around {@link buildV2Server}. */
export function sdkModernHandler(): McpHttpHandler {
  return createSdkHandler(() => buildV2Server(), {
    legacy: 'reject',
    keepAliveMs: 5000,
    onerror: () => {},
  })
}

export interface RunningV2 {
  readonly mcp: McpHandler
  readonly url: string
  close(): Promise<void>
}

/** Serves a dual-era (by default) handler with SDK v2 on both legs over real HTTP on 127.0.0.1. */
export async function serveV2(options: Partial<McpHandlerOptions> = {}): Promise<RunningV2> {
  const mcp = createMcpHandler({
    connect: (transport) => buildV2Server().connect(transport),
    modern: sdkModernHandler(),
    onerror: () => {},
    ...options,
  })
  const server: Server = createServer(toNodeHandler(mcp.fetch))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    mcp,
    url: `http://127.0.0.1:${port}`,
    async close() {
      await mcp.close()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
