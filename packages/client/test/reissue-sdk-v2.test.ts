import { Client as ClientV2 } from '@modelcontextprotocol/client'
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server'
import { describe, expect, test } from 'vitest'
import { z } from 'zod'
import { StreamableHttpClientTransport } from '../src/index.js'

/** An SDK v2 server with one tool. */
function buildServer(): McpServer {
  const server = new McpServer({ name: 'reissue', version: '1.0.0' })
  server.registerTool(
    'echo',
    { inputSchema: z.object({ text: z.string() }) },
    async ({ text }) => ({
      content: [{ type: 'text', text }],
    }),
  )
  return server
}

/**
 * The SDK v2 handler behind a faulty network: the first POST of each method in `breakOnce` gets a
 * response stream that ends before its response (the server never sees that request).
 */
function faultyHandler(breakOnce: string[]) {
  const handler = createMcpHandler(() => buildServer())
  const broken = new Set<string>()
  const posted: Array<{ method: string; id: unknown }> = []
  const fetch = async (input: string | URL | Request, init?: RequestInit) => {
    const request = new Request(input, init)
    if (request.method === 'POST') {
      const body = (await request.clone().json()) as { method?: string; id?: unknown }
      if (body.method !== undefined) posted.push({ method: body.method, id: body.id })
      if (
        body.method !== undefined &&
        breakOnce.includes(body.method) &&
        !broken.has(body.method)
      ) {
        broken.add(body.method)
        return new Response(': the connection dropped here\n\n', {
          headers: { 'content-type': 'text/event-stream' },
        })
      }
    }
    return handler.fetch(request)
  }
  return { fetch: fetch as typeof globalThis.fetch, posted, handler }
}

describe('re-issue under the SDK v2 Client (2026-07-28)', () => {
  test('tools/list whose stream broke is re-issued and resolves; tools/call rejects with the retryable -32000', async () => {
    const { fetch, posted, handler } = faultyHandler(['tools/list', 'tools/call'])
    const transport = new StreamableHttpClientTransport('http://127.0.0.1/mcp', { fetch })
    const client = new ClientV2({ name: 'reissue', version: '1.0.0' }, {
      versionNegotiation: { mode: 'auto' },
    } as never)
    const errors: Error[] = []
    client.onerror = (error) => errors.push(error)
    try {
      await client.connect(transport as never)
      const { tools } = await client.listTools()
      expect(tools.map((tool) => tool.name)).toEqual(['echo'])
      const lists = posted.filter((post) => post.method === 'tools/list')
      expect(lists).toHaveLength(2)
      expect(lists[1]?.id).not.toEqual(lists[0]?.id)

      const failed = await client
        .callTool({ name: 'echo', arguments: { text: 'once' } })
        .catch((error: unknown) => error)
      expect(failed).toMatchObject({ code: -32000 })
      expect(posted.filter((post) => post.method === 'tools/call')).toHaveLength(1)
      // The caller may retry it: the next call goes through.
      const echoed = await client.callTool({ name: 'echo', arguments: { text: 'twice' } })
      expect(echoed.content).toEqual([{ type: 'text', text: 'twice' }])
      expect(errors).toEqual([])
    } finally {
      await client.close()
      await handler.close()
    }
    expect(transport.stats()).toMatchObject({ pendingRequests: 0, openStreams: 0 })
  })
})
