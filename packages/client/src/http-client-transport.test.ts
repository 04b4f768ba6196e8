import { describe, expect, test } from 'vitest'
import { event, fakeFetch, INIT, initResult, sse } from '../test/_fake.js'
import { FallbackError, McpHttpError, UnauthorizedError } from './errors.js'
import { HttpClientTransport } from './http-client-transport.js'

/** A server refusing the Streamable HTTP initialize with `status` and serving legacy SSE on GET. */
function server(status: number | 'network') {
  return fakeFetch((request) => {
    if (request.method === 'POST' && request.url.endsWith('/mcp')) {
      if (status === 'network') throw new TypeError('fetch failed')
      return new Response('no', { status })
    }
    if (request.method === 'GET') {
      const body = `event: endpoint\ndata: /messages?sessionId=1\n\n`
      return sse(new ReadableStream({ start: (c) => c.enqueue(new TextEncoder().encode(body)) }))
    }
    return new Response(null, { status: 202 })
  })
}

describe('HttpClientTransport fallback decision table (R-F1, R-F2)', () => {
  for (const status of [400, 404, 405]) {
    test(`initialize answered ${status} falls back to HTTP+SSE and re-sends initialize to the endpoint`, async () => {
      const { fetch, seen } = server(status)
      const transport = new HttpClientTransport('http://127.0.0.1:9/mcp', { fetch })
      const fallbacks: number[] = []
      transport.on('fallback', (detail) => fallbacks.push(detail.status))
      await transport.send(INIT)
      expect(fallbacks).toEqual([status])
      expect(transport.kind).toBe('sse')
      expect(seen.map((request) => `${request.method} ${new URL(request.url).pathname}`)).toEqual([
        'POST /mcp',
        'GET /mcp',
        'POST /messages',
      ])
      expect(seen[2]?.body).toEqual(INIT)
      expect(transport.stats().fallbacks).toBe(1)
      await transport.close()
    })
  }

  for (const status of [401, 403, 429, 500, 503]) {
    test(`initialize answered ${status} is a typed error, never a fallback`, async () => {
      const { fetch, seen } = server(status)
      const transport = new HttpClientTransport('http://127.0.0.1:9/mcp', { fetch })
      const error = await transport.send(INIT).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(McpHttpError)
      expect((error as McpHttpError).status).toBe(status)
      expect(seen.filter((request) => request.method === 'GET')).toHaveLength(0)
      await transport.close()
    })
  }

  test('a network error is thrown as it is, never a fallback', async () => {
    const { fetch, seen } = server('network')
    const transport = new HttpClientTransport('http://127.0.0.1:9/mcp', { fetch })
    await expect(transport.send(INIT)).rejects.toThrow('fetch failed')
    expect(seen.filter((request) => request.method === 'GET')).toHaveLength(0)
  })

  test('401 with an auth hook that cannot help is an UnauthorizedError, never a fallback', async () => {
    const { fetch } = server(401)
    const transport = new HttpClientTransport('http://127.0.0.1:9/mcp', {
      fetch,
      auth: { token: () => 't' },
    })
    await expect(transport.send(INIT)).rejects.toBeInstanceOf(UnauthorizedError)
  })

  test('when the legacy stream is not there either, FallbackError lists both attempts', async () => {
    const { fetch } = fakeFetch(() => new Response('nothing', { status: 404 }))
    const transport = new HttpClientTransport('http://127.0.0.1:9/mcp', { fetch })
    const error = await transport.send(INIT).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(FallbackError)
    expect((error as FallbackError).attempts.map((attempt) => attempt.transport)).toEqual([
      'streamable-http',
      'sse',
    ])
  })

  test('a server speaking Streamable HTTP keeps it, and the init result is delivered once', async () => {
    const { fetch } = fakeFetch((request) =>
      request.body?.method === 'initialize'
        ? sse(event(initResult(request.body.id)))
        : new Response(null, { status: 405 }),
    )
    const transport = new HttpClientTransport('http://127.0.0.1:9/mcp', { fetch })
    const received: unknown[] = []
    transport.onmessage = (message) => received.push(message)
    await transport.send(INIT)
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(transport.kind).toBe('streamable-http')
    expect(received).toEqual([initResult(0)])
    await transport.close()
  })
})
