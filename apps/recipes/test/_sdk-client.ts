import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js'
import { expect } from 'vitest'

/** What the official SDK client saw: the tool names and what `echo` and `countdown` answered. */
export interface Exercised {
  readonly tools: string[]
  readonly echo: unknown
  readonly countdown: unknown
  readonly progress: number
}

/** Connects the official SDK v1 client over `transport`, lists tools, calls echo and countdown. */
export async function exercise(transport: Transport): Promise<Exercised> {
  const client = new Client({ name: 'recipe-test', version: '1.0.0' })
  await client.connect(transport)
  try {
    const { tools } = await client.listTools()
    const echo = await client.callTool({ name: 'echo', arguments: { text: 'héllo 🌍' } })
    // Progress is counted as it arrives: over legacy SSE the SDK client may drop one read just
    // before its response before calling onprogress.
    let progress = 0
    const deliver = transport.onmessage
    transport.onmessage = (message, extra) => {
      if ('method' in message && message.method === 'notifications/progress') progress++
      deliver?.(message, extra)
    }
    const countdown = await client.callTool(
      { name: 'countdown', arguments: { ticks: 3, intervalMs: 5 } },
      undefined,
      { onprogress: () => {} },
    )
    return {
      tools: tools.map((tool) => tool.name),
      echo: echo.content,
      countdown: countdown.content,
      progress,
    }
  } finally {
    await client.close()
  }
}

export const streamable = (url: string): Transport =>
  new StreamableHTTPClientTransport(new URL(url))
export const legacySse = (url: string): Transport => new SSEClientTransport(new URL(url))

/** What every recipe must give the client. */
export const EXPECTED: Exercised = {
  tools: expect.arrayContaining(['echo', 'countdown']) as unknown as string[],
  echo: [{ type: 'text', text: 'héllo 🌍' }],
  countdown: [{ type: 'text', text: 'Liftoff after 3 ticks' }],
  progress: 3,
}

/** A node:http server on 127.0.0.1 and a free port, for a listener; closed by `close()`. */
export async function listen(
  listener: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer(listener)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
