// The Next.js route module called as Next calls it: the exported function named after the HTTP
// method, with a Web-standard Request. A tiny node:http shim stands in for Next's server.
import { toNodeHandler } from '@mcpwire/server/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as route from '../src/next/app/api/mcp/route.js'
import { EXPECTED, exercise, listen, streamable } from './_sdk-client.js'

const methods: Record<string, ((request: Request) => Promise<Response>) | undefined> = {
  GET: route.GET,
  POST: route.POST,
  DELETE: route.DELETE,
}

/** What Next.js does with a route module: the method's export, or 405. */
async function nextShim(request: Request): Promise<Response> {
  if (new URL(request.url).pathname !== '/api/mcp') return new Response(null, { status: 404 })
  const handler = methods[request.method]
  return handler === undefined ? new Response(null, { status: 405 }) : handler(request)
}

describe('Next.js route handler recipe', () => {
  let server: Awaited<ReturnType<typeof listen>>
  beforeAll(async () => {
    server = await listen(toNodeHandler(nextShim))
  })
  afterAll(async () => {
    await route.close()
    await server.close()
  })

  it('serves the SDK client over Streamable HTTP through the exported GET, POST and DELETE', async () => {
    expect(await exercise(streamable(`${server.url}/api/mcp`))).toEqual(EXPECTED)
  })
})
