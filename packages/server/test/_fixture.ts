import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { z } from 'zod'
import { createMcpHandler, type McpHandler, type McpHandlerOptions } from '../src/index.js'
import { toNodeHandler } from '../src/node/index.js'

/** An SDK McpServer with the tools the tests call. */
export function buildServer(): McpServer {
  const server = new McpServer({ name: 'fixture', version: '1.0.0' })
  server.registerTool('echo', { inputSchema: { text: z.string() } }, async ({ text }) => ({
    content: [{ type: 'text', text }],
  }))
  server.registerTool('count', { inputSchema: { n: z.number() } }, async ({ n }, extra) => {
    const token = extra._meta?.progressToken
    for (let i = 1; i <= n; i++) {
      if (token !== undefined) {
        await extra.sendNotification({
          method: 'notifications/progress',
          params: { progressToken: token, progress: i, total: n },
        })
      }
    }
    return { content: [{ type: 'text', text: `counted ${n}` }] }
  })
  server.registerTool('ask', { inputSchema: {} }, async (_args, extra) => {
    const result = await server.server.elicitInput(
      {
        message: 'Name?',
        requestedSchema: { type: 'object', properties: { name: { type: 'string' } } },
      },
      { relatedRequestId: extra.requestId },
    )
    return { content: [{ type: 'text', text: JSON.stringify(result.content ?? null) }] }
  })
  server.registerTool('reconnect', { inputSchema: {} }, async (_args, extra) => {
    const token = extra._meta?.progressToken ?? 'none'
    const progress = (value: number) =>
      extra.sendNotification({
        method: 'notifications/progress',
        params: { progressToken: token, progress: value },
      })
    await progress(1)
    extra.closeSSEStream?.()
    await new Promise((resolve) => setTimeout(resolve, 20))
    await progress(2)
    return { content: [{ type: 'text', text: 'after reconnect' }] }
  })
  server.registerTool('gated', { inputSchema: {} }, async (_args, extra) => {
    const token = extra._meta?.progressToken ?? 'none'
    for (let i = 1; i <= 3; i++) {
      await extra.sendNotification({
        method: 'notifications/progress',
        params: { progressToken: token, progress: i },
      })
      await gates.next()
    }
    return { content: [{ type: 'text', text: 'gated done' }] }
  })
  return server
}

/** Lets tests step the `gated` tool: each `open()` lets it past one wait. */
export const gates = {
  waiting: [] as (() => void)[],
  opened: 0,
  next(): Promise<void> {
    if (this.opened > 0) {
      this.opened--
      return Promise.resolve()
    }
    return new Promise<void>((resolve) => this.waiting.push(resolve))
  },
  open(): void {
    const resolve = this.waiting.shift()
    if (resolve) resolve()
    else this.opened++
  },
  reset(): void {
    this.waiting.length = 0
    this.opened = 0
  },
}

export interface Running {
  readonly mcp: McpHandler
  readonly url: string
  /** Drops every open TCP connection, as a network failure would. */
  dropConnections(): void
  close(): Promise<void>
}

/** Serves a handler over real HTTP on 127.0.0.1 with an ephemeral port. */
export async function serveHandler(options: Partial<McpHandlerOptions> = {}): Promise<Running> {
  const mcp = createMcpHandler({
    connect: (transport) => buildServer().connect(transport),
    onerror: () => {},
    ...options,
  })
  const server: Server = createServer(toNodeHandler(mcp.fetch))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    mcp,
    url: `http://127.0.0.1:${port}`,
    dropConnections() {
      server.closeAllConnections()
    },
    async close() {
      await mcp.close()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
