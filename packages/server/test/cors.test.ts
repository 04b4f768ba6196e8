import { afterEach, describe, expect, it } from 'vitest'
import { createMcpHandler, type McpHandlerOptions } from '../src/index.js'
import { buildServer, type Running, serveHandler } from './_fixture.js'
import { ACCEPT_BOTH, initializeBody } from './_requests.js'

const PAGE = 'http://localhost:5173'

/** A request as either transport path sees it: through `mcp.fetch`, or over node:http directly. */
type Send = (path: string, init: RequestInit) => Promise<Response>

interface Harness {
  readonly send: Send
  close(): Promise<void>
}

async function viaFetch(options: Partial<McpHandlerOptions>): Promise<Harness> {
  const mcp = createMcpHandler({
    connect: (transport) => buildServer().connect(transport),
    onerror: () => {},
    ...options,
  })
  return {
    send: (path, init) => mcp.fetch(new Request(`http://127.0.0.1:3000${path}`, init)),
    close: () => mcp.close(),
  }
}

async function viaNode(options: Partial<McpHandlerOptions>): Promise<Harness> {
  const running: Running = await serveHandler(options)
  return {
    send: (path, init) => fetch(`${running.url}${path}`, init),
    close: () => running.close(),
  }
}

const preflight = (method: string, headers: string): RequestInit => ({
  method: 'OPTIONS',
  headers: {
    origin: PAGE,
    'access-control-request-method': method,
    'access-control-request-headers': headers,
  },
})

const postInit = (headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { origin: PAGE, accept: ACCEPT_BOTH, 'content-type': 'application/json', ...headers },
  body: initializeBody(),
})

let harness: Harness | undefined
afterEach(async () => {
  await harness?.close()
  harness = undefined
})

describe.each([
  ['fetch', viaFetch],
  ['node direct', viaNode],
])('cors over %s', (_name, start) => {
  it('without the option, OPTIONS gets 405 and responses carry no CORS headers', async () => {
    harness = await start({})
    const options = await harness.send('/mcp', preflight('POST', 'content-type'))
    expect(options.status).toBe(405)
    expect(options.headers.get('access-control-allow-origin')).toBeNull()
    const response = await harness.send('/mcp', postInit())
    expect(response.status).toBe(200)
    expect(response.headers.get('access-control-allow-origin')).toBeNull()
    await response.body?.cancel()
  })

  it.each([
    ['/mcp', 'POST', 'GET, POST, DELETE'],
    ['/sse', 'GET', 'GET'],
    ['/messages', 'POST', 'POST'],
  ])('a preflight on %s is answered with its methods', async (path, method, methods) => {
    harness = await start({ cors: true })
    const response = await harness.send(path, preflight(method, 'content-type'))
    expect(response.status).toBe(204)
    expect(response.headers.get('access-control-allow-origin')).toBe(PAGE)
    expect(response.headers.get('access-control-allow-methods')).toBe(methods)
    expect(response.headers.get('access-control-max-age')).toBe('600')
    expect(response.headers.get('vary')).toContain('Origin')
    expect(response.headers.get('vary')).toContain('Access-Control-Request-Headers')
  })

  it('a preflight echoes every MCP request header asked for, Mcp-Param-* by prefix, and drops others', async () => {
    harness = await start({ cors: true })
    const asked =
      'Content-Type, Accept, Authorization, Mcp-Session-Id, MCP-Protocol-Version, Last-Event-ID, Mcp-Method, Mcp-Name, Mcp-Param-Region, X-Secret'
    const response = await harness.send('/mcp', preflight('POST', asked))
    const allowed = response.headers.get('access-control-allow-headers')?.split(', ') ?? []
    expect(allowed.sort()).toEqual(
      [
        'accept',
        'authorization',
        'content-type',
        'last-event-id',
        'mcp-method',
        'mcp-name',
        'mcp-param-region',
        'mcp-protocol-version',
        'mcp-session-id',
      ].sort(),
    )
  })

  it('cors.allowHeaders adds request headers to the allowed set', async () => {
    harness = await start({ cors: { allowHeaders: ['X-Trace'] } })
    const response = await harness.send('/mcp', preflight('POST', 'x-trace, x-other'))
    expect(response.headers.get('access-control-allow-headers')).toBe('x-trace')
  })

  it('a preflight is answered before authenticate, which still guards the request itself', async () => {
    let calls = 0
    harness = await start({
      cors: true,
      authenticate: () => {
        calls++
        return new Response('no', { status: 401, headers: { 'www-authenticate': 'Bearer' } })
      },
    })
    const answer = await harness.send('/mcp', preflight('POST', 'authorization, content-type'))
    expect(answer.status).toBe(204)
    expect(calls).toBe(0)
    const refused = await harness.send('/mcp', postInit())
    expect(refused.status).toBe(401)
    expect(calls).toBe(1)
    // A hook's own Response gets the CORS headers too, so the page can read the challenge.
    expect(refused.headers.get('access-control-allow-origin')).toBe(PAGE)
    expect(refused.headers.get('access-control-expose-headers')).toContain('www-authenticate')
    expect(refused.headers.get('www-authenticate')).toBe('Bearer')
  })

  it('responses expose Mcp-Session-Id to the page and vary on Origin', async () => {
    harness = await start({ cors: true })
    const response = await harness.send('/mcp', postInit())
    expect(response.status).toBe(200)
    expect(response.headers.get('access-control-allow-origin')).toBe(PAGE)
    expect(response.headers.get('access-control-expose-headers')).toContain('mcp-session-id')
    expect(response.headers.get('access-control-allow-credentials')).toBeNull()
    expect(response.headers.get('vary')).toBe('Origin')
    expect(response.headers.get('mcp-session-id')).not.toBeNull()
    await response.body?.cancel()
  })

  it('the legacy SSE stream carries the CORS headers', async () => {
    harness = await start({ cors: true })
    const controller = new AbortController()
    const response = await harness.send('/sse', {
      headers: { origin: PAGE, accept: 'text/event-stream' },
      signal: controller.signal,
    })
    expect(response.status).toBe(200)
    expect(response.headers.get('access-control-allow-origin')).toBe(PAGE)
    controller.abort()
    await response.body?.cancel().catch(() => {})
  })

  it('credentials: true allows credentials, still naming the origin, never *', async () => {
    harness = await start({ cors: { credentials: true } })
    const response = await harness.send('/mcp', postInit())
    expect(response.headers.get('access-control-allow-credentials')).toBe('true')
    expect(response.headers.get('access-control-allow-origin')).toBe(PAGE)
    await response.body?.cancel()
  })

  it('an origin outside cors.origins gets no CORS headers; one inside does', async () => {
    harness = await start({
      cors: { origins: ['http://localhost:8080'] },
    })
    const outside = await harness.send('/mcp', preflight('POST', 'content-type'))
    expect(outside.status).toBe(204)
    expect(outside.headers.get('access-control-allow-origin')).toBeNull()
    expect(outside.headers.get('access-control-allow-methods')).toBeNull()
    const inside = await harness.send('/mcp', {
      ...preflight('POST', 'content-type'),
      headers: {
        origin: 'http://localhost:8080',
        'access-control-request-method': 'POST',
      },
    })
    expect(inside.headers.get('access-control-allow-origin')).toBe('http://localhost:8080')
  })

  it('an origin the Origin check refuses gets 403 without CORS headers', async () => {
    harness = await start({ cors: true })
    const response = await harness.send('/mcp', {
      ...preflight('POST', 'content-type'),
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    })
    expect(response.status).toBe(403)
    expect(response.headers.get('access-control-allow-origin')).toBeNull()
  })
})

describe('cors option checks', () => {
  const connect = (): void => {}

  it('refuses a cors.origins entry that allowedOrigins would refuse', () => {
    expect(() => createMcpHandler({ connect, cors: { origins: ['https://app.example'] } })).toThrow(
      /not in allowedOrigins/,
    )
    expect(() =>
      createMcpHandler({
        connect,
        allowedOrigins: ['https://app.example'],
        cors: { origins: ['https://APP.example:443'] },
      }),
    ).not.toThrow()
  })

  it('refuses a malformed header name and a negative maxAge', () => {
    expect(() => createMcpHandler({ connect, cors: { allowHeaders: ['bad header'] } })).toThrow(
      TypeError,
    )
    expect(() => createMcpHandler({ connect, cors: { maxAge: -1 } })).toThrow(RangeError)
  })
})
