// connect() remembers the era per server: a server known to speak 2025 gets `initialize` at once,
// without the `server/discover` probe; a stale verdict is forgotten and the era negotiated again.
import { describe, expect, test } from 'vitest'
import { fakeFetch, json, type Seen } from '../test/_fake.js'
import { createMemoryEraStore, eraKey } from './era-cache.js'
import { connect } from './mcp-client.js'

/** A server speaking 2025-11-25 sessions only (discover refused with 400), or 2026-07-28 only. */
function server(era: { current: 'session' | 'stateless' }) {
  return fakeFetch((request: Seen) => {
    if (request.method === 'GET') return new Response(null, { status: 405 })
    if (request.method === 'DELETE') return new Response(null, { status: 204 })
    const body = request.body!
    if (body.method === 'server/discover') {
      if (era.current === 'session') return new Response('Bad Request', { status: 400 })
      return json({
        jsonrpc: '2.0',
        id: body.id,
        result: {
          resultType: 'complete',
          supportedVersions: ['2026-07-28'],
          capabilities: {},
          _meta: { 'io.modelcontextprotocol/serverInfo': { name: 'modern', version: '1' } },
        },
      })
    }
    if (body.method === 'initialize') {
      if (era.current === 'stateless')
        return json(
          {
            jsonrpc: '2.0',
            id: body.id,
            error: { code: -32022, message: 'Unsupported', data: { supported: ['2026-07-28'] } },
          },
          400,
        )
      return json(
        {
          jsonrpc: '2.0',
          id: body.id,
          result: { protocolVersion: '2025-11-25', capabilities: {}, serverInfo: { name: 's' } },
        },
        200,
        { 'mcp-session-id': 'sess-1' },
      )
    }
    if (body.id === undefined) return new Response(null, { status: 202 })
    return json({ jsonrpc: '2.0', id: body.id, result: {} })
  })
}

const methods = (seen: Seen[]) =>
  seen.filter((request) => request.method === 'POST').map((request) => request.body?.method)

describe('connect() keeps the era per server', () => {
  test('a server known to speak 2025 gets initialize at once, without the discover probe', async () => {
    const era = { current: 'session' as const }
    const { fetch, seen } = server(era)
    const eraStore = createMemoryEraStore()
    const first = await connect('http://mcp.test/mcp?x=1', { fetch, eraStore })
    expect(first.era).toBe('session')
    await first.close()
    expect(methods(seen)).toEqual(['server/discover', 'initialize', 'notifications/initialized'])
    expect(eraStore.get(eraKey('http://mcp.test/mcp'))).toBe('session')
    seen.length = 0
    const second = await connect('http://mcp.test/mcp', { fetch, eraStore })
    expect(second.era).toBe('session')
    expect(methods(seen)).toEqual(['initialize', 'notifications/initialized'])
    await second.close()
  })

  test('a stale verdict is forgotten: the upgraded server is negotiated from the start', async () => {
    const era: { current: 'session' | 'stateless' } = { current: 'session' }
    const { fetch, seen } = server(era)
    const eraStore = createMemoryEraStore()
    await (await connect('http://mcp.test/mcp', { fetch, eraStore })).close()
    era.current = 'stateless'
    seen.length = 0
    const client = await connect('http://mcp.test/mcp', { fetch, eraStore })
    expect(client.era).toBe('stateless')
    expect(methods(seen)).toContain('server/discover')
    expect(eraStore.get(eraKey('http://mcp.test/mcp'))).toBe('stateless')
    await client.close()
  })

  test('eraStore: false and a pinned protocolVersion negotiate every time', async () => {
    const { fetch, seen } = server({ current: 'session' })
    const eraStore = createMemoryEraStore()
    await (await connect('http://mcp.test/mcp', { fetch, eraStore })).close()
    seen.length = 0
    await (await connect('http://mcp.test/mcp', { fetch, eraStore: false })).close()
    expect(methods(seen)[0]).toBe('server/discover')
    seen.length = 0
    const pinned = await connect('http://mcp.test/mcp', {
      fetch,
      eraStore,
      protocolVersion: '2025-11-25',
    })
    expect(methods(seen)[0]).toBe('initialize')
    await pinned.close()
  })

  test('the memory store keeps the most recently stored servers only', () => {
    const store = createMemoryEraStore(2)
    store.set('a', 'session')
    store.set('b', 'legacy')
    store.set('a', 'session') // refreshed: b is now the oldest
    store.set('c', 'stateless')
    expect([store.get('a'), store.get('b'), store.get('c')]).toEqual([
      'session',
      undefined,
      'stateless',
    ])
  })
})
