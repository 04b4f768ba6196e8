// The MCP server every recipe serves: an official SDK v1 McpServer with two tools.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { z } from 'zod'

/** A new server: `echo` returns its text, `countdown` reports progress on each tick. */
export function createServer(): McpServer {
  const server = new McpServer({ name: 'mcpwire-recipe', version: '0.0.0' })
  server.registerTool(
    'echo',
    { description: 'Returns its text argument unchanged', inputSchema: { text: z.string() } },
    async ({ text }) => ({ content: [{ type: 'text', text }] }),
  )
  server.registerTool(
    'countdown',
    {
      description: 'Counts down, reporting progress on every tick',
      inputSchema: { ticks: z.number().int().min(1).max(100), intervalMs: z.number().int().min(0) },
    },
    async ({ ticks, intervalMs }, extra) => {
      const progressToken = extra._meta?.progressToken
      for (let tick = 1; tick <= ticks; tick++) {
        await new Promise((resolve) => setTimeout(resolve, intervalMs))
        if (progressToken !== undefined) {
          await extra.sendNotification({
            method: 'notifications/progress',
            params: { progressToken, progress: tick, total: ticks },
          })
        }
      }
      return { content: [{ type: 'text', text: `Liftoff after ${ticks} ticks` }] }
    },
  )
  return server
}
