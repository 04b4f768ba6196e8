import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFastifyApp } from '../src/fastify.js'
import { EXPECTED, exercise, legacySse, streamable } from './_sdk-client.js'

describe('Fastify recipe', () => {
  let url: string
  let close: () => Promise<void>
  beforeAll(async () => {
    const { app, mcp } = await createFastifyApp()
    url = await app.listen({ host: '127.0.0.1', port: 0 })
    close = async () => {
      await mcp.close()
      await app.close()
    }
  })
  afterAll(() => close())

  it('serves the SDK client over Streamable HTTP on /mcp', async () => {
    expect(await exercise(streamable(`${url}/mcp`))).toEqual(EXPECTED)
  })

  it('serves the SDK client over legacy HTTP+SSE on /sse', async () => {
    expect(await exercise(legacySse(`${url}/sse`))).toEqual(EXPECTED)
  })

  it("answers bad bodies itself and keeps Fastify's own routes", async () => {
    const bad = await fetch(`${url}/mcp`, {
      method: 'POST',
      headers: {
        accept: 'application/json, text/event-stream',
        'content-type': 'application/json',
      },
      body: '{not json',
    })
    expect(bad.status).toBe(400)
    expect((await bad.json()).error.code).toBe(-32700)
    expect(await (await fetch(`${url}/`)).json()).toEqual({
      hello: 'a Fastify app with MCP on /mcp',
    })
  })
})
