import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { serve as honoServe } from '@hono/node-server'
import { createExampleHandler } from '@mcpwire/app-shared'
import type { McpHandler, McpHandlerOptions } from '@mcpwire/server'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { afterEach, describe, expect, it } from 'vitest'
import { type ExpressBodyParsing, expressApp } from '../src/express-app.js'
import { type HonoMount, honoApp } from '../src/hono-app.js'

// @mcpwire/server mounted where users mount it, driven end to end by the official SDK v1 client.

const TIMEOUT = { timeout: 5000 }
const TRICKY_TEXT = 'line1\nline2 "q" héllo 🌍 \\ \u2028 end'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

type Mount =
  | { readonly express: ExpressBodyParsing; readonly fetchBridge?: true }
  | { readonly hono: HonoMount }

function label(mount: Mount): string {
  return 'express' in mount
    ? `Express 5 (${mount.express}${mount.fetchBridge ? ', Fetch bridge' : ''})`
    : `Hono on @hono/node-server (${mount.hono})`
}

function close(server: Server): Promise<void> {
  server.closeAllConnections()
  return new Promise((resolve) => server.close(() => resolve()))
}

/** Starts the sample MCP handler behind `mount` on 127.0.0.1 and returns the `/mcp` URL. */
async function start(
  mount: Mount,
  options: Omit<McpHandlerOptions, 'connect'> = {},
): Promise<{ url: URL; mcp: McpHandler }> {
  const { mcp } = createExampleHandler({ onerror: () => {}, ...options })
  cleanups.push(async () => {
    await mcp.close()
    expect(mcp.stats()).toMatchObject({ sessions: 0, streams: 0 })
  })
  const server = await new Promise<Server>((resolve) => {
    if ('express' in mount) {
      const listening: Server = expressApp(
        mcp,
        mount.express,
        mount.fetchBridge ? 'fetch bridge' : 'direct',
      ).listen(0, '127.0.0.1', () => resolve(listening))
    } else {
      const listening = honoServe(
        { fetch: honoApp(mcp, mount.hono).fetch, port: 0, hostname: '127.0.0.1' },
        () => resolve(listening as Server),
      )
    }
  })
  cleanups.push(() => close(server))
  const { port } = server.address() as AddressInfo
  return { url: new URL(`http://127.0.0.1:${port}/mcp`), mcp }
}

function initialize(id = 1): string {
  return JSON.stringify({
    jsonrpc: '2.0',
    id,
    method: 'initialize',
    params: {
      protocolVersion: '2025-11-25',
      capabilities: {},
      clientInfo: { name: 't', version: '1' },
    },
  })
}

function post(url: URL, body: string): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { accept: 'application/json, text/event-stream', 'content-type': 'application/json' },
    body,
    signal: AbortSignal.timeout(5000),
  })
}

const working: Mount[] = [
  { express: 'none' },
  { express: 'express.json' },
  { express: 'express.json', fetchBridge: true },
  { hono: 'fetch' },
  { hono: 'node' },
]

describe('@mcpwire/server mounted in a framework', () => {
  for (const mount of working) {
    it(`${label(mount)} serves the SDK client: tools, progress, session end`, async () => {
      const { url, mcp } = await start(mount)
      const client = new Client({ name: 'frameworks', version: '1.0.0' })
      const transport = new StreamableHTTPClientTransport(url)
      await client.connect(transport, TIMEOUT)
      const { tools } = await client.listTools(undefined, TIMEOUT)
      expect(tools.map((tool) => tool.name)).toEqual(expect.arrayContaining(['echo', 'countdown']))
      const echoed = await client.callTool(
        { name: 'echo', arguments: { text: TRICKY_TEXT } },
        undefined,
        TIMEOUT,
      )
      expect(echoed.content).toEqual([{ type: 'text', text: TRICKY_TEXT }])
      const progress: number[] = []
      const done = await client.callTool(
        { name: 'countdown', arguments: { ticks: 3, intervalMs: 5 } },
        undefined,
        { ...TIMEOUT, onprogress: ({ progress: value }) => progress.push(value) },
      )
      expect(done.content).toEqual([{ type: 'text', text: 'Liftoff after 3 ticks' }])
      expect(progress).toEqual([1, 2, 3])
      expect(mcp.stats().sessions).toBe(1)
      await transport.terminateSession()
      await client.close()
      expect(mcp.stats().sessions).toBe(0)
    })

    it(`${label(mount)} keeps the body size limit`, async () => {
      const { url } = await start(mount, { maxBodyBytes: 512 })
      const padded = JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: {
          protocolVersion: '2025-11-25',
          capabilities: {},
          clientInfo: { name: 'x'.repeat(1024), version: '1' },
        },
      })
      const response = await post(url, padded)
      expect(response.status).toBe(413)
      expect(await response.json()).toMatchObject({ error: { code: -32600 } })
      // A body under the limit still works on the same server.
      expect((await post(url, initialize())).status).toBe(200)
    })
  }

  it('Express 5 with express.json() answers a body the parser kept as the handler would read it', async () => {
    const { url } = await start({ express: 'express.json' })
    const malformed = await post(url, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 42 }))
    expect(malformed.status).toBe(400)
    expect(await malformed.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32600 } })
  })

  it('Express 5 with a middleware that drains the body answers 500 at once, not never', async () => {
    const { url } = await start({ express: 'drained' })
    const response = await post(url, initialize())
    expect(response.status).toBe(500)
    expect(await response.json()).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32603, message: 'Request body was read before it reached the MCP handler' },
    })
  })

  it('Express 5 with a draining middleware before the Fetch bridge answers 400 at once', async () => {
    const { url } = await start({ express: 'drained', fetchBridge: true })
    const response = await post(url, initialize())
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({ error: { code: -32600 } })
  })

  it('Hono with c.req.json() run before mcp.fetch answers 500 at once, not a crash', async () => {
    const { url } = await start({ hono: 'fetch after c.req.json()' })
    const response = await post(url, initialize())
    expect(response.status).toBe(500)
    expect(await response.json()).toMatchObject({
      error: { code: -32603, message: 'Request body was read before it reached the MCP handler' },
    })
  })
})
