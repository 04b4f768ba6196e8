// McpClient over a fake fetch: server requests answered by handlers (2025 eras), input_required
// rounds (2026-07-28), Mcp-Param-* headers from the tools/list cache, ConnectionLostError.
import { describe, expect, test } from 'vitest'
import { controlledBody, event, fakeFetch, json, type Seen, settle, sse } from '../test/_fake.js'
import { ConnectionLostError, McpRequestError } from './errors.js'
import { connect } from './mcp-client.js'

const DISCOVER = {
  resultType: 'complete',
  supportedVersions: ['2026-07-28'],
  capabilities: { tools: {} },
  _meta: { 'io.modelcontextprotocol/serverInfo': { name: 'fake', version: '1' } },
}

/** A 2026-07-28 server: discover, then `answer` for every other request. */
function statelessServer(answer: (request: Seen) => Response | Promise<Response>) {
  return fakeFetch((request) =>
    request.body?.method === 'server/discover'
      ? json({ jsonrpc: '2.0', id: request.body.id, result: DISCOVER })
      : answer(request),
  )
}

const elicit = (message: string) => ({
  method: 'elicitation/create',
  params: { message, requestedSchema: { type: 'object', properties: {} } },
})

const calls = (seen: Seen[]) => seen.filter((request) => request.body?.method === 'tools/call')

describe('McpClient answers input_required results (2026-07-28)', () => {
  test('runs the handler, retries under a new id with inputResponses and requestState echoed byte for byte', async () => {
    const state = 'opaque "state" \u2028 with = and ?='
    const { fetch, seen } = statelessServer(({ body }) => {
      if (body.params.inputResponses === undefined)
        return json({
          jsonrpc: '2.0',
          id: body.id,
          result: {
            resultType: 'input_required',
            inputRequests: { confirm: elicit('Sure?') },
            requestState: state,
          },
        })
      return json({ jsonrpc: '2.0', id: body.id, result: { resultType: 'complete', content: [] } })
    })
    const asked: unknown[] = []
    const client = await connect('http://mcp.test/mcp', {
      fetch,
      protocolVersion: '2026-07-28',
      handlers: {
        'elicitation/create': (params) => {
          asked.push(params)
          return { action: 'accept', content: { confirmed: true } }
        },
      },
    })
    const result = await client.request('tools/call', { name: 'deploy', arguments: { a: 1 } })
    expect(result).toEqual({ resultType: 'complete', content: [] })
    expect(asked).toEqual([elicit('Sure?').params])
    const [first, retry] = calls(seen)
    expect(retry!.body.id).not.toBe(first!.body.id)
    expect(retry!.body.params.name).toBe('deploy')
    expect(retry!.body.params.arguments).toEqual({ a: 1 })
    expect(retry!.body.params.requestState).toBe(state)
    expect(retry!.body.params.inputResponses).toEqual({
      confirm: { action: 'accept', content: { confirmed: true } },
    })
    // The envelope goes on the retry too.
    expect(retry!.body.params._meta['io.modelcontextprotocol/protocolVersion']).toBe('2026-07-28')
    await client.close()
  })

  test('declares the capabilities of its handlers in the _meta envelope', async () => {
    const { fetch, seen } = statelessServer(({ body }) =>
      json({ jsonrpc: '2.0', id: body.id, result: { tools: [] } }),
    )
    const client = await connect('http://mcp.test/mcp', {
      fetch,
      protocolVersion: '2026-07-28',
      capabilities: { roots: { listChanged: true } },
      handlers: { 'sampling/createMessage': () => ({}), 'roots/list': () => ({ roots: [] }) },
    })
    await client.request('tools/list')
    expect(seen.at(-1)!.body.params._meta['io.modelcontextprotocol/clientCapabilities']).toEqual({
      sampling: {},
      roots: { listChanged: true },
    })
    await client.close()
  })

  test('sends no requestState when the server sent none, and answers every input request of a round', async () => {
    const { fetch, seen } = statelessServer(({ body }) => {
      if (body.params.inputResponses === undefined)
        return json({
          jsonrpc: '2.0',
          id: body.id,
          result: {
            resultType: 'input_required',
            inputRequests: {
              name: elicit('Name?'),
              roots: { method: 'roots/list', params: {} },
            },
          },
        })
      return json({ jsonrpc: '2.0', id: body.id, result: { content: [] } })
    })
    const client = await connect('http://mcp.test/mcp', {
      fetch,
      protocolVersion: '2026-07-28',
      handlers: {
        'elicitation/create': async () => ({ action: 'accept', content: { name: 'Ada' } }),
        'roots/list': () => ({ roots: [{ uri: 'file:///w' }] }),
      },
    })
    await client.request('tools/call', { name: 't' })
    const retry = calls(seen)[1]!.body.params
    expect('requestState' in retry).toBe(false)
    expect(retry.inputResponses).toEqual({
      name: { action: 'accept', content: { name: 'Ada' } },
      roots: { roots: [{ uri: 'file:///w' }] },
    })
    await client.close()
  })

  test('a result without resultType is complete: no retry', async () => {
    const { fetch, seen } = statelessServer(({ body }) =>
      json({ jsonrpc: '2.0', id: body.id, result: { content: [], inputRequests: {} } }),
    )
    const client = await connect('http://mcp.test/mcp', { fetch, protocolVersion: '2026-07-28' })
    await client.request('tools/call', { name: 't' })
    expect(calls(seen)).toHaveLength(1)
    await client.close()
  })

  test('an input request without a handler fails the call with -32601 and is not retried', async () => {
    const { fetch, seen } = statelessServer(({ body }) =>
      json({
        jsonrpc: '2.0',
        id: body.id,
        result: { resultType: 'input_required', inputRequests: { q: elicit('?') } },
      }),
    )
    const client = await connect('http://mcp.test/mcp', { fetch, protocolVersion: '2026-07-28' })
    const failed = client.request('tools/call', { name: 't' })
    await expect(failed).rejects.toBeInstanceOf(McpRequestError)
    await expect(failed).rejects.toMatchObject({ code: -32601 })
    expect(calls(seen)).toHaveLength(1)
    await client.close()
  })

  test('gives up after maxInputRounds rounds', async () => {
    let round = 0
    const { fetch, seen } = statelessServer(({ body }) =>
      json({
        jsonrpc: '2.0',
        id: body.id,
        result: {
          resultType: 'input_required',
          inputRequests: { q: elicit('again?') },
          requestState: `round-${++round}`,
        },
      }),
    )
    const client = await connect('http://mcp.test/mcp', {
      fetch,
      protocolVersion: '2026-07-28',
      maxInputRounds: 3,
      handlers: { 'elicitation/create': () => ({ action: 'decline' }) },
    })
    await expect(client.request('tools/call', { name: 't' })).rejects.toMatchObject({
      code: -32603,
      message: 'Still input_required after 3 rounds',
    })
    const sent = calls(seen)
    expect(sent).toHaveLength(4)
    // Each retry echoes the state of the round before it.
    expect(sent.slice(1).map((request) => request.body.params.requestState)).toEqual([
      'round-1',
      'round-2',
      'round-3',
    ])
    expect(new Set(sent.map((request) => request.body.id)).size).toBe(4)
    await client.close()
  })
})

describe('McpClient declares the capabilities of handlers set after connect() (2026-07-28)', () => {
  test('a handler added later is declared from the next request on, and no longer once removed', async () => {
    const { fetch, seen } = statelessServer(({ body }) =>
      json({ jsonrpc: '2.0', id: body.id, result: { tools: [] } }),
    )
    const client = await connect('http://mcp.test/mcp', {
      fetch,
      protocolVersion: '2026-07-28',
      capabilities: { roots: { listChanged: true } },
    })
    const declared = () =>
      seen.at(-1)!.body.params._meta['io.modelcontextprotocol/clientCapabilities']
    await client.request('tools/list')
    expect(declared()).toEqual({ roots: { listChanged: true } })
    const off = client.setRequestHandler('elicitation/create', () => ({ action: 'decline' }))
    client.setRequestHandler('roots/list', () => ({ roots: [] }))
    await client.request('tools/list')
    // Explicit capabilities win over the ones handlers imply.
    expect(declared()).toEqual({ elicitation: {}, roots: { listChanged: true } })
    off()
    await client.request('tools/list')
    expect(declared()).toEqual({ roots: { listChanged: true } })
    await client.close()
  })
})

describe('McpClient paces requestState-only rounds (2026-07-28)', () => {
  /** A server that asks for no input twice (only requestState), then completes. */
  function sheddingServer() {
    const at: number[] = []
    const server = statelessServer(({ body }) => {
      at.push(performance.now())
      const round = Number(String(body.params.requestState ?? 'r0').slice(1))
      if (round < 2)
        return json({
          jsonrpc: '2.0',
          id: body.id,
          result: { resultType: 'input_required', requestState: `r${round + 1}` },
        })
      return json({ jsonrpc: '2.0', id: body.id, result: { resultType: 'complete', content: [] } })
    })
    return { ...server, at }
  }

  test('waits 250 ms before retrying a round that asks for no input', async () => {
    const { fetch, seen, at } = sheddingServer()
    const client = await connect('http://mcp.test/mcp', { fetch, protocolVersion: '2026-07-28' })
    await expect(client.request('tools/call', { name: 't' })).resolves.toEqual({
      resultType: 'complete',
      content: [],
    })
    expect(calls(seen).map((request) => request.body.params.requestState)).toEqual([
      undefined,
      'r1',
      'r2',
    ])
    // Each retry came at least the pause after the answer before it (timers may fire a little early).
    for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBeGreaterThanOrEqual(240)
    await client.close()
  })

  test('an abort during the pause rejects at once and sends no retry', async () => {
    const { fetch, seen } = sheddingServer()
    const client = await connect('http://mcp.test/mcp', { fetch, protocolVersion: '2026-07-28' })
    const controller = new AbortController()
    const call = client.request('tools/call', { name: 't' }, { signal: controller.signal })
    await settle()
    controller.abort(new Error('stop'))
    await expect(call).rejects.toThrow('stop')
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(calls(seen)).toHaveLength(1)
    await client.close()
  })

  test('an input_required result with neither inputRequests nor requestState is refused', async () => {
    const { fetch, seen } = statelessServer(({ body }) =>
      json({ jsonrpc: '2.0', id: body.id, result: { resultType: 'input_required' } }),
    )
    const client = await connect('http://mcp.test/mcp', { fetch, protocolVersion: '2026-07-28' })
    await expect(client.request('tools/call', { name: 't' })).rejects.toMatchObject({
      code: -32603,
      message: 'Invalid input_required result: neither inputRequests nor requestState',
    })
    expect(calls(seen)).toHaveLength(1)
    await client.close()
  })
})

/** Tools whose x-mcp-header annotations are valid (`deploy`) and invalid (`broken`). */
const TOOLS = [
  {
    name: 'deploy',
    inputSchema: {
      type: 'object',
      properties: {
        region: { type: 'string', 'x-mcp-header': 'Region' },
        force: { type: 'boolean', 'x-mcp-header': 'Force' },
        note: { type: 'string' },
      },
    },
  },
  {
    name: 'broken',
    inputSchema: { properties: { a: { type: 'object', 'x-mcp-header': 'A' } } },
  },
]

/** A 2026 server whose tools/call refuses a `deploy` call without its Mcp-Param-* headers. */
function headerCheckingServer() {
  return statelessServer(({ body, headers }) => {
    if (body.method === 'tools/list')
      return json({ jsonrpc: '2.0', id: body.id, result: { tools: TOOLS } })
    if (headers.get('mcp-param-region') !== body.params.arguments.region)
      return json(
        { jsonrpc: '2.0', id: body.id, error: { code: -32020, message: 'Header mismatch' } },
        400,
      )
    return json({ jsonrpc: '2.0', id: body.id, result: { content: [] } })
  })
}

describe('McpClient sends Mcp-Param-* headers from its tools/list cache (2026-07-28)', () => {
  test('after tools/list, a tools/call carries the headers; invalid tools are left out of the list', async () => {
    const { fetch, seen } = headerCheckingServer()
    const client = await connect('http://mcp.test/mcp', { fetch, protocolVersion: '2026-07-28' })
    const { tools } = (await client.request('tools/list')) as { tools: { name: string }[] }
    expect(tools.map((tool) => tool.name)).toEqual(['deploy'])
    await client.request('tools/call', {
      name: 'deploy',
      arguments: { region: 'eu west', force: true, note: 'x' },
    })
    const call = calls(seen)
    expect(call).toHaveLength(1)
    expect(call[0]!.headers.get('mcp-param-region')).toBe('eu west')
    expect(call[0]!.headers.get('mcp-param-force')).toBe('true')
    expect(call[0]!.headers.has('mcp-param-note')).toBe(false)
    await client.close()
  })

  test('a call refused with -32020 before any tools/list lists the tools and is retried once with the headers', async () => {
    const { fetch, seen } = headerCheckingServer()
    const client = await connect('http://mcp.test/mcp', { fetch, protocolVersion: '2026-07-28' })
    await client.request('tools/call', { name: 'deploy', arguments: { region: 'us' } })
    expect(seen.slice(1).map((request) => request.body.method)).toEqual([
      'tools/call',
      'tools/list',
      'tools/call',
    ])
    expect(calls(seen)[1]!.headers.get('mcp-param-region')).toBe('us')
    // A tool the list does not name keeps its -32020.
    await expect(
      client.request('tools/call', { name: 'unknown', arguments: { region: 'us' } }),
    ).rejects.toMatchObject({ code: -32020 })
    await client.close()
  })
})

/** A 2025 session server; `post` answers every request after the handshake. */
function sessionServer(post: (request: Seen) => Response | Promise<Response>) {
  return fakeFetch((request) => {
    if (request.method === 'GET') return new Response(null, { status: 405 })
    if (request.method === 'DELETE') return new Response(null, { status: 204 })
    if (request.body?.method === 'initialize')
      return json(
        {
          jsonrpc: '2.0',
          id: request.body.id,
          result: { protocolVersion: '2025-11-25', capabilities: {}, serverInfo: { name: 's' } },
        },
        200,
        { 'mcp-session-id': 'sess-1' },
      )
    if (request.body?.method === 'notifications/initialized')
      return new Response(null, { status: 202 })
    return post(request)
  })
}

describe('McpClient answers server requests with its handlers (2025 eras)', () => {
  test('elicitation is answered by its handler, ping by default, an unknown method with -32601', async () => {
    const stream = controlledBody()
    const answers: unknown[] = []
    const { fetch } = sessionServer(({ body }) => {
      if (body.method === 'tools/call') return sse(stream.body)
      answers.push(body)
      return new Response(null, { status: 202 })
    })
    const client = await connect('http://mcp.test/mcp', {
      fetch,
      protocolVersion: '2025-11-25',
      handlers: {
        'elicitation/create': async (params) => ({ action: 'accept', content: { echo: params } }),
      },
    })
    const call = client.request('tools/call', { name: 'ask' })
    await settle()
    stream.push(event({ jsonrpc: '2.0', id: 'e1', method: 'elicitation/create', params: { q: 1 } }))
    stream.push(event({ jsonrpc: '2.0', id: 'p1', method: 'ping' }))
    stream.push(event({ jsonrpc: '2.0', id: 's1', method: 'sampling/createMessage', params: {} }))
    await settle()
    expect(answers).toEqual(
      expect.arrayContaining([
        { jsonrpc: '2.0', id: 'e1', result: { action: 'accept', content: { echo: { q: 1 } } } },
        { jsonrpc: '2.0', id: 'p1', result: {} },
        { jsonrpc: '2.0', id: 's1', error: { code: -32601, message: 'Method not found' } },
      ]),
    )
    expect(answers).toHaveLength(3)
    stream.push(event({ jsonrpc: '2.0', id: 1, result: { content: [] } }))
    stream.close()
    await expect(call).resolves.toEqual({ content: [] })
    await client.close()
  })

  test('a handler that throws McpRequestError answers with its error; a cancelled request is not answered', async () => {
    const stream = controlledBody()
    const answers: unknown[] = []
    const { fetch } = sessionServer(({ body }) => {
      if (body.method === 'tools/call') return sse(stream.body)
      answers.push(body)
      return new Response(null, { status: 202 })
    })
    let aborted = false
    const client = await connect('http://mcp.test/mcp', { fetch, protocolVersion: '2025-11-25' })
    client.setRequestHandler('sampling/createMessage', () => {
      throw new McpRequestError({ code: -1, message: 'User rejected sampling' })
    })
    client.setRequestHandler(
      'elicitation/create',
      (_params, { signal }) =>
        new Promise((resolve) =>
          signal.addEventListener('abort', () => {
            aborted = true
            resolve({ action: 'cancel' })
          }),
        ),
    )
    const call = client.request('tools/call', { name: 'ask' })
    await settle()
    stream.push(event({ jsonrpc: '2.0', id: 7, method: 'sampling/createMessage', params: {} }))
    stream.push(event({ jsonrpc: '2.0', id: 8, method: 'elicitation/create', params: {} }))
    await settle()
    stream.push(
      event({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 8 } }),
    )
    await settle()
    expect(aborted).toBe(true)
    expect(answers).toEqual([
      { jsonrpc: '2.0', id: 7, error: { code: -1, message: 'User rejected sampling' } },
    ])
    stream.push(event({ jsonrpc: '2.0', id: 1, result: {} }))
    stream.close()
    await call
    await client.close()
  })
})

describe('McpClient rejects a request whose stream was lost with ConnectionLostError', () => {
  test('a response stream that ends without its answer and cannot be resumed', async () => {
    const { fetch } = sessionServer(() => sse(event({ jsonrpc: '2.0', method: 'notifications/x' })))
    const client = await connect('http://mcp.test/mcp', { fetch, protocolVersion: '2025-11-25' })
    const error = await client.request('tools/call', { name: 't' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConnectionLostError)
    expect(error).toBeInstanceOf(McpRequestError)
    expect(error).toMatchObject({
      code: -32000,
      reason: 'not-resumable',
      retryable: true,
      data: { reason: 'not-resumable', retryable: true },
    })
    await client.close()
  })

  test('a server error -32000 of its own stays a plain McpRequestError', async () => {
    const { fetch } = sessionServer(({ body }) =>
      json({ jsonrpc: '2.0', id: body.id, error: { code: -32000, message: 'Busy' } }),
    )
    const client = await connect('http://mcp.test/mcp', { fetch, protocolVersion: '2025-11-25' })
    const error = await client.request('tools/call', { name: 't' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(McpRequestError)
    expect(error).not.toBeInstanceOf(ConnectionLostError)
    await client.close()
  })

  test('close() under a pending request', async () => {
    const stream = controlledBody()
    const { fetch } = sessionServer(() => sse(stream.body))
    const client = await connect('http://mcp.test/mcp', { fetch, protocolVersion: '2025-11-25' })
    const pending = client.request('tools/call', { name: 't' })
    await settle()
    await client.close()
    await expect(pending).rejects.toBeInstanceOf(ConnectionLostError)
    expect(client.stats()).toMatchObject({ openStreams: 0, pendingRequests: 0, armedTimers: 0 })
  })
})

describe('McpClient.listen() in the 2025 eras', () => {
  test('subscribes each resource the server can watch, reports what its capabilities cover, unsubscribes on close', async () => {
    const { fetch, seen } = fakeFetch((request) => {
      if (request.method === 'GET') return new Response(null, { status: 405 })
      if (request.method === 'DELETE') return new Response(null, { status: 204 })
      const body = request.body!
      if (body.method === 'initialize')
        return json(
          {
            jsonrpc: '2.0',
            id: body.id,
            result: {
              protocolVersion: '2025-11-25',
              capabilities: { tools: { listChanged: true }, resources: { subscribe: true } },
              serverInfo: { name: 's' },
            },
          },
          200,
          { 'mcp-session-id': 'sess-1' },
        )
      if (body.id === undefined) return new Response(null, { status: 202 })
      return json({ jsonrpc: '2.0', id: body.id, result: {} })
    })
    const client = await connect('http://mcp.test/mcp', { fetch, protocolVersion: '2025-11-25' })
    const subscription = await client.listen({
      toolsListChanged: true,
      promptsListChanged: true, // not declared by the server: not reported
      resourceSubscriptions: ['file:///a', 'file:///b'],
    })
    expect(subscription.notifications).toEqual({
      toolsListChanged: true,
      resourceSubscriptions: ['file:///a', 'file:///b'],
    })
    const sent = () =>
      seen
        .filter((request) => String(request.body?.method).startsWith('resources/'))
        .map((request) => `${request.body.method} ${request.body.params.uri}`)
    expect(sent()).toEqual(['resources/subscribe file:///a', 'resources/subscribe file:///b'])
    await subscription.close()
    await expect(subscription.ended).resolves.toBeUndefined()
    expect(sent().slice(2)).toEqual([
      'resources/unsubscribe file:///a',
      'resources/unsubscribe file:///b',
    ])
    await client.close()
  })
})
