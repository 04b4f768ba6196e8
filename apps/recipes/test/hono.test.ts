// Hono's own fetch, served through the node:http bridge's general Fetch path (Hono on
// @hono/node-server is covered in apps/frameworks).
import { toNodeHandler } from '@mcpwire/server/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHonoApp } from '../src/hono.js'
import { createPrefixedApp } from '../src/prefix.js'
import { EXPECTED, exercise, legacySse, listen, streamable } from './_sdk-client.js'

describe('Hono recipe', () => {
  const { app, mcp } = createHonoApp()
  let server: Awaited<ReturnType<typeof listen>>
  beforeAll(async () => {
    server = await listen(toNodeHandler(app.fetch))
  })
  afterAll(async () => {
    await mcp.close()
    await server.close()
  })

  it('serves the SDK client over Streamable HTTP on /mcp', async () => {
    expect(await exercise(streamable(`${server.url}/mcp`))).toEqual(EXPECTED)
  })

  it('serves the SDK client over legacy HTTP+SSE on /sse', async () => {
    expect(await exercise(legacySse(`${server.url}/sse`))).toEqual(EXPECTED)
  })

  it("keeps the app's own routes", async () => {
    expect(await (await fetch(`${server.url}/`)).text()).toBe('a Hono app with MCP on /mcp')
  })
})

describe('prefix recipe (/api/mcp)', () => {
  const { app, mcp } = createPrefixedApp()
  let server: Awaited<ReturnType<typeof listen>>
  beforeAll(async () => {
    server = await listen(toNodeHandler(app.fetch))
  })
  afterAll(async () => {
    await mcp.close()
    await server.close()
  })

  it('serves the SDK client over Streamable HTTP on /api/mcp', async () => {
    expect(await exercise(streamable(`${server.url}/api/mcp`))).toEqual(EXPECTED)
  })

  it('serves the SDK client over legacy HTTP+SSE on /api/sse, posting to /api/messages', async () => {
    expect(await exercise(legacySse(`${server.url}/api/sse`))).toEqual(EXPECTED)
  })

  it('leaves /mcp without the prefix unserved', async () => {
    expect((await fetch(`${server.url}/mcp`, { method: 'POST' })).status).toBe(404)
  })
})
