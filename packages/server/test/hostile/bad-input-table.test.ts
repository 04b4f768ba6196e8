import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMcpHandler, type McpHandler } from '../../src/index.js'
import { buildServer, type Running, serveHandler } from '../_fixture.js'
import { BASE } from '../_requests.js'
import {
  deepRequest,
  type HostileCase,
  mismatch,
  nestedArrays,
  openSessions,
  postTo,
  type Sessions,
} from './_hostile.js'

const MAX_BODY = 64 * 1024
const ping = (id: unknown) => JSON.stringify({ jsonrpc: '2.0', id, method: 'ping' })
const s = (sessions: Sessions) => ({ 'mcp-session-id': sessions.modern })
const legacyPath = (sessions: Sessions) => `/messages?sessionId=${sessions.legacy}`
const get = (headers: Record<string, string>, path = '/mcp') =>
  new Request(`${BASE}${path}`, { headers })
const method = (name: string, path: string, headers: Record<string, string> = {}) =>
  new Request(`${BASE}${path}`, {
    method: name,
    headers,
    ...(name === 'GET' || name === 'HEAD' ? {} : { body: '{}' }),
  })

/**
 * The bad-input table: every route, with malformed bodies, ids, headers, sizes and methods, and
 * the status and JSON-RPC error each one is documented to get.
 */
const CASES: readonly (HostileCase & { readonly fetchOnly?: boolean })[] = [
  // Bodies on the Streamable HTTP endpoint.
  {
    name: 'malformed JSON',
    request: () => postTo('/mcp', '{"jsonrpc":'),
    expected: { status: 400, code: -32700 },
  },
  {
    name: 'empty body',
    request: () => postTo('/mcp', ''),
    expected: { status: 400, code: -32700 },
  },
  {
    name: 'invalid UTF-8',
    request: () => postTo('/mcp', new Uint8Array([0x7b, 0xff, 0x7d])),
    expected: { status: 400, code: -32700 },
  },
  {
    name: 'a number',
    request: () => postTo('/mcp', '42'),
    expected: { status: 400, code: -32600 },
  },
  {
    name: 'an empty batch',
    request: () => postTo('/mcp', '[]'),
    expected: { status: 400, code: -32600 },
  },
  {
    name: 'jsonrpc 1.0',
    request: () => postTo('/mcp', '{"jsonrpc":"1.0","id":1,"method":"ping"}'),
    expected: { status: 400, code: -32600, id: 1 },
  },
  {
    name: 'method not a string',
    request: () => postTo('/mcp', '{"jsonrpc":"2.0","id":1,"method":7}'),
    expected: { status: 400, code: -32600, id: 1 },
  },
  {
    name: 'id null',
    request: () => postTo('/mcp', ping(null)),
    expected: { status: 400, code: -32600 },
  },
  {
    name: 'id 1.5',
    request: (x) => postTo('/mcp', '{"jsonrpc":"2.0","id":1.5,"method":"ping"}', s(x)),
    expected: { status: 400, code: -32600 },
  },
  {
    name: 'id 1e20',
    request: (x) => postTo('/mcp', '{"jsonrpc":"2.0","id":1e20,"method":"ping"}', s(x)),
    expected: { status: 400, code: -32600 },
  },
  {
    name: 'id -0.5',
    request: (x) => postTo('/mcp', '{"jsonrpc":"2.0","id":-0.5,"method":"ping"}', s(x)),
    expected: { status: 400, code: -32600 },
  },
  {
    name: 'id true',
    request: (x) => postTo('/mcp', ping(true), s(x)),
    expected: { status: 400, code: -32600 },
  },
  {
    name: 'id an object',
    request: (x) => postTo('/mcp', ping({ a: 1 }), s(x)),
    expected: { status: 400, code: -32600 },
  },
  {
    name: 'params an array',
    request: (x) => postTo('/mcp', '{"jsonrpc":"2.0","id":7,"method":"ping","params":[]}', s(x)),
    expected: { status: 400, code: -32600, id: 7 },
  },
  {
    name: 'params a string',
    request: (x) => postTo('/mcp', '{"jsonrpc":"2.0","id":"p","method":"ping","params":"x"}', s(x)),
    expected: { status: 400, code: -32600, id: 'p' },
  },
  {
    name: 'params null',
    request: (x) => postTo('/mcp', '{"jsonrpc":"2.0","id":7,"method":"ping","params":null}', s(x)),
    expected: { status: 400, code: -32600, id: 7 },
  },
  {
    name: 'notification params an array',
    request: (x) =>
      postTo('/mcp', '{"jsonrpc":"2.0","method":"notifications/x","params":[1]}', s(x)),
    expected: { status: 400, code: -32600 },
  },
  {
    name: '_meta not an object',
    request: (x) =>
      postTo('/mcp', '{"jsonrpc":"2.0","id":7,"method":"ping","params":{"_meta":1}}', s(x)),
    expected: { status: 400, code: -32600, id: 7 },
  },
  {
    name: 'progressToken 1.5',
    request: (x) =>
      postTo(
        '/mcp',
        '{"jsonrpc":"2.0","id":7,"method":"ping","params":{"_meta":{"progressToken":1.5}}}',
        s(x),
      ),
    expected: { status: 400, code: -32600, id: 7 },
  },
  {
    name: 'an extra member',
    request: (x) => postTo('/mcp', '{"jsonrpc":"2.0","id":7,"method":"ping","extra":1}', s(x)),
    expected: { status: 400, code: -32600, id: 7 },
  },
  {
    name: 'a response with a result array',
    request: (x) => postTo('/mcp', '{"jsonrpc":"2.0","id":7,"result":[]}', s(x)),
    expected: { status: 400, code: -32600, id: 7 },
  },
  {
    name: 'an error response with id null',
    request: (x) =>
      postTo('/mcp', '{"jsonrpc":"2.0","id":null,"error":{"code":1,"message":"m"}}', s(x)),
    expected: { status: 400, code: -32600 },
  },
  {
    name: 'both result and method',
    request: (x) => postTo('/mcp', '{"jsonrpc":"2.0","id":7,"method":"ping","result":{}}', s(x)),
    expected: { status: 400, code: -32600, id: 7 },
  },
  {
    name: 'arrays nested 10,000 deep',
    request: (x) => postTo('/mcp', nestedArrays(10_000), s(x)),
    expected: { status: 400, code: -32600 },
  },
  {
    name: 'params nested 10,000 deep',
    request: (x) => postTo('/mcp', deepRequest('logging/setLevel', 10_000, 3), s(x)),
    expected: { status: 400, code: -32600 },
  },
  {
    name: 'initialize nested 10,000 deep',
    request: () => postTo('/mcp', deepRequest('initialize', 10_000)),
    expected: { status: 400, code: -32600 },
  },
  {
    name: 'a body over maxBodyBytes',
    request: () => postTo('/mcp', ' '.repeat(MAX_BODY + 1)),
    expected: { status: 413, code: -32600 },
  },
  {
    name: 'a batch in a 2025-11-25 session',
    request: (x) => postTo('/mcp', `[${ping(1)},${ping(2)}]`, s(x)),
    expected: { status: 400, code: -32600 },
  },
  {
    name: 'a batch repeating an id',
    request: (x) => postTo('/mcp', `[${ping(1)},${ping(1)}]`, { 'mcp-session-id': x.batching }),
    expected: { status: 400, code: -32600 },
  },
  {
    name: 'initialize in a batch',
    request: () => postTo('/mcp', `[${deepRequest('initialize', 1)},${ping(2)}]`),
    expected: { status: 400, code: -32600 },
  },
  // Headers on the Streamable HTTP endpoint.
  {
    name: 'Content-Type text/plain',
    request: () => postTo('/mcp', ping(1), { 'content-type': 'text/plain' }),
    expected: { status: 415, code: -32000 },
  },
  {
    name: 'Accept without event streams',
    request: () => postTo('/mcp', ping(1), { accept: 'application/json' }),
    expected: { status: 406, code: -32000 },
  },
  {
    name: 'no session id',
    request: () => postTo('/mcp', ping(1)),
    expected: { status: 400, code: -32000 },
  },
  {
    name: 'an empty session id',
    request: () => postTo('/mcp', ping(1), { 'mcp-session-id': '' }),
    expected: { status: 400, code: -32000 },
  },
  {
    name: 'an unknown session id',
    request: () => postTo('/mcp', ping(1), { 'mcp-session-id': 'forged' }),
    expected: { status: 404, code: -32001 },
  },
  {
    name: 'a legacy session id',
    request: (x) => postTo('/mcp', ping(1), { 'mcp-session-id': x.legacy }),
    expected: { status: 404, code: -32001 },
  },
  {
    name: 'an unsupported version header',
    request: (x) => postTo('/mcp', ping(1), { ...s(x), 'mcp-protocol-version': '1999-01-01' }),
    expected: { status: 400, code: -32000 },
  },
  {
    name: 'a version header unlike the session',
    request: (x) => postTo('/mcp', ping(1), { ...s(x), 'mcp-protocol-version': '2025-03-26' }),
    expected: { status: 400, code: -32000 },
  },
  {
    name: 'initialize inside a session',
    request: (x) => postTo('/mcp', deepRequest('initialize', 1), s(x)),
    expected: { status: 400, code: -32600 },
  },
  {
    name: 'a foreign Host',
    request: () => postTo('/mcp', ping(1), { host: 'evil.example' }),
    expected: { status: 403, code: -32000 },
    fetchOnly: true,
  },
  {
    name: 'a foreign Origin',
    request: () => postTo('/mcp', ping(1), { origin: 'https://evil.example' }),
    expected: { status: 403, code: -32000 },
  },
  // GET and DELETE.
  {
    name: 'GET whose Accept lacks event streams',
    request: (x) => get({ ...s(x), accept: 'application/json' }),
    expected: { status: 406, code: -32000 },
  },
  {
    name: 'GET without a session',
    request: () => get({ accept: 'text/event-stream' }),
    expected: { status: 400, code: -32000 },
  },
  {
    name: 'GET for an unknown session',
    request: () => get({ accept: 'text/event-stream', 'mcp-session-id': 'forged' }),
    expected: { status: 404, code: -32001 },
  },
  {
    name: 'GET with a malformed Last-Event-ID',
    request: (x) => get({ ...s(x), accept: 'text/event-stream', 'last-event-id': 'nope' }),
    expected: { status: 400, code: -32000 },
  },
  {
    name: 'GET with an unknown Last-Event-ID',
    request: (x) => get({ ...s(x), accept: 'text/event-stream', 'last-event-id': 'zz_1' }),
    expected: { status: 400, code: -32000 },
  },
  {
    name: 'DELETE without a session',
    request: () => method('DELETE', '/mcp'),
    expected: { status: 400, code: -32000 },
  },
  {
    name: 'DELETE of an unknown session',
    request: () => method('DELETE', '/mcp', { 'mcp-session-id': 'forged' }),
    expected: { status: 404, code: -32001 },
  },
  // Methods and paths.
  {
    name: 'PUT on /mcp',
    request: () => method('PUT', '/mcp'),
    expected: { status: 405, code: -32000 },
  },
  {
    name: 'PATCH on /mcp',
    request: () => method('PATCH', '/mcp'),
    expected: { status: 405, code: -32000 },
  },
  {
    name: 'POST on /sse',
    request: () => method('POST', '/sse'),
    expected: { status: 405, code: -32000 },
  },
  {
    name: 'GET on /messages',
    request: () => method('GET', '/messages'),
    expected: { status: 405, code: -32000 },
  },
  {
    name: 'an unknown path',
    request: () => method('GET', '/mcp/../etc'),
    expected: { status: 404, code: -32000 },
  },
  {
    name: 'a path with a trailing slash',
    request: () => method('POST', '/mcp/'),
    expected: { status: 404, code: -32000 },
  },
  // The legacy messages endpoint.
  {
    name: 'legacy POST without sessionId',
    request: () => postTo('/messages', ping(1)),
    expected: { status: 400, code: -32000 },
  },
  {
    name: 'legacy POST for an unknown session',
    request: () => postTo('/messages?sessionId=forged', ping(1)),
    expected: { status: 404, code: -32001 },
  },
  {
    name: 'legacy malformed JSON',
    request: (x) => postTo(legacyPath(x), '{'),
    expected: { status: 400, code: -32700 },
  },
  {
    name: 'legacy id 1.5',
    request: (x) => postTo(legacyPath(x), '{"jsonrpc":"2.0","id":1.5,"method":"ping"}'),
    expected: { status: 400, code: -32600 },
  },
  {
    name: 'legacy params an array',
    request: (x) => postTo(legacyPath(x), '{"jsonrpc":"2.0","id":4,"method":"ping","params":[]}'),
    expected: { status: 400, code: -32600, id: 4 },
  },
  {
    name: 'legacy nesting 10,000 deep',
    request: (x) => postTo(legacyPath(x), deepRequest('ping', 10_000)),
    expected: { status: 400, code: -32600 },
  },
  {
    name: 'legacy body over maxBodyBytes',
    request: (x) => postTo(legacyPath(x), ' '.repeat(MAX_BODY + 1)),
    expected: { status: 413, code: -32600 },
  },
  {
    name: 'legacy Content-Type text/plain',
    request: (x) => postTo(legacyPath(x), ping(1), { 'content-type': 'text/plain' }),
    expected: { status: 415, code: -32000 },
  },
]

function handler(): { mcp: McpHandler; errors: unknown[] } {
  const errors: unknown[] = []
  const mcp = createMcpHandler({
    connect: (transport) => buildServer().connect(transport),
    maxBodyBytes: MAX_BODY,
    keepAliveMs: 0,
    onerror: (error) => errors.push(error),
  })
  return { mcp, errors }
}

describe('the bad-input table through fetch', () => {
  const { mcp, errors } = handler()
  let sessions: Awaited<ReturnType<typeof openSessions>>
  beforeAll(async () => {
    sessions = await openSessions(mcp)
  })
  afterAll(async () => {
    sessions.close()
    await mcp.close()
  })

  it('answers every case with its status and JSON-RPC error, and nothing leaks or faults', async () => {
    const failures: string[] = []
    for (const entry of CASES) {
      const problem = await mismatch(await mcp.fetch(entry.request(sessions)), entry.expected)
      if (problem !== undefined) failures.push(`${entry.name}: ${problem}`)
    }
    expect(failures).toEqual([])
    expect(errors).toEqual([])
    // The three sessions, the legacy stream, nothing else.
    expect(mcp.stats()).toMatchObject({ sessions: 3, streams: 1, bufferedBytes: 0 })
  })
})

describe('the bad-input table over HTTP, through the direct Node path', () => {
  let running: Running
  let sessions: Awaited<ReturnType<typeof openSessions>>
  const errors: unknown[] = []
  beforeAll(async () => {
    running = await serveHandler({
      maxBodyBytes: MAX_BODY,
      keepAliveMs: 0,
      onerror: (e) => errors.push(e),
    })
    sessions = await openSessions(running.mcp)
  })
  afterAll(async () => {
    sessions.close()
    await running.close()
  })

  it('answers every case as fetch does', async () => {
    const failures: string[] = []
    for (const entry of CASES) {
      if (entry.fetchOnly === true) continue
      const original = entry.request(sessions)
      const url = running.url + original.url.slice(BASE.length)
      const body =
        original.method === 'GET' || original.method === 'HEAD'
          ? undefined
          : await original.arrayBuffer()
      const response = await fetch(url, {
        method: original.method,
        headers: original.headers,
        ...(body === undefined ? {} : { body }),
      })
      const problem = await mismatch(response, entry.expected)
      if (problem !== undefined) failures.push(`${entry.name}: ${problem}`)
    }
    expect(failures).toEqual([])
    expect(errors).toEqual([])
  })
})
