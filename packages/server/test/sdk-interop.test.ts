import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js'
import { afterEach, describe, expect, it } from 'vitest'
import { type Running, serveHandler } from './_fixture.js'
import { waitFor } from './_wait-for.js'

let running: Running | undefined
afterEach(async () => {
  await running?.close()
  running = undefined
})

describe('SDK client over Streamable HTTP', () => {
  it('initializes, lists and calls tools, streams progress, answers elicitation', async () => {
    running = await serveHandler()
    const client = new Client(
      { name: 'test', version: '1.0.0' },
      { capabilities: { elicitation: {} } },
    )
    client.setRequestHandler(ElicitRequestSchema, async () => ({
      action: 'accept',
      content: { name: 'Ada' },
    }))
    const transport = new StreamableHTTPClientTransport(new URL(`${running.url}/mcp`))
    await client.connect(transport)
    expect(transport.sessionId).toMatch(/^[\x21-\x7e]+$/)

    const tools = await client.listTools()
    expect(tools.tools.map((t) => t.name)).toEqual(expect.arrayContaining(['ask', 'count', 'echo']))

    const echo = await client.callTool({ name: 'echo', arguments: { text: 'hi' } })
    expect(echo.content).toEqual([{ type: 'text', text: 'hi' }])

    const progress: number[] = []
    const counted = await client.callTool({ name: 'count', arguments: { n: 3 } }, undefined, {
      onprogress: (p) => progress.push(p.progress),
    })
    expect(counted.content).toEqual([{ type: 'text', text: 'counted 3' }])
    expect(progress).toEqual([1, 2, 3])

    const asked = await client.callTool({ name: 'ask', arguments: {} })
    expect(asked.content).toEqual([{ type: 'text', text: JSON.stringify({ name: 'Ada' }) }])

    expect(running.mcp.stats().sessions).toBe(1)
    await transport.terminateSession()
    await client.close()
    await waitFor(() => running?.mcp.stats().streams === 0)
    expect(running.mcp.stats()).toMatchObject({ sessions: 0, streams: 0, bufferedBytes: 0 })
  })
  it("hands a tool the POST's headers and URL as extra.requestInfo", async () => {
    running = await serveHandler({
      connect: (transport) => {
        const server = new McpServer({ name: 'probe', version: '1.0.0' })
        server.registerTool('probe', { inputSchema: {} }, async (_args, extra) => ({
          content: [
            {
              type: 'text',
              text: JSON.stringify({
                probe: extra.requestInfo?.headers['x-probe'],
                session: extra.requestInfo?.headers['mcp-session-id'] === extra.sessionId,
                url: extra.requestInfo?.url?.href,
              }),
            },
          ],
        }))
        return server.connect(transport)
      },
    })
    const client = new Client({ name: 'test', version: '1.0.0' })
    const transport = new StreamableHTTPClientTransport(new URL(`${running.url}/mcp?q=1`), {
      requestInit: { headers: { 'X-Probe': 'seen' } },
    })
    await client.connect(transport)
    const probed = await client.callTool({ name: 'probe', arguments: {} })
    expect(JSON.parse((probed.content as [{ text: string }])[0].text)).toEqual({
      probe: 'seen',
      session: true,
      url: `${running.url}/mcp?q=1`,
    })
    await client.close()
  })
})

describe('SDK client over legacy HTTP+SSE', () => {
  it('initializes and calls a tool, and the session ends with the stream', async () => {
    running = await serveHandler()
    const client = new Client({ name: 'test', version: '1.0.0' })
    await client.connect(new SSEClientTransport(new URL(`${running.url}/sse`)))
    const echo = await client.callTool({ name: 'echo', arguments: { text: 'legacy' } })
    expect(echo.content).toEqual([{ type: 'text', text: 'legacy' }])
    expect(running.mcp.stats().sessions).toBe(1)
    await client.close()
    await waitFor(() => running?.mcp.stats().sessions === 0)
    expect(running.mcp.stats()).toMatchObject({ sessions: 0, streams: 0, bufferedBytes: 0 })
  })
})
