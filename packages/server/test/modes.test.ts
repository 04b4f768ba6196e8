import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { afterEach, describe, expect, it } from 'vitest'
import * as api from '../src/index.js'
import { createMcpHandler, type McpHandler } from '../src/index.js'
import { buildServer } from './_fixture.js'
import { BASE, initialize, initializeBody, post } from './_requests.js'

let mcp: McpHandler | undefined
afterEach(async () => {
  if (mcp === undefined) return
  await mcp.close()
  expect(mcp.stats()).toMatchObject({ sessions: 0, streams: 0, bufferedBytes: 0 })
  mcp = undefined
})

describe('jsonResponse', () => {
  it('answers requests with one application/json body carrying the session id', async () => {
    mcp = createMcpHandler({ connect: (t) => buildServer().connect(t), jsonResponse: true })
    const init = await mcp.fetch(post(initializeBody(1, '2025-06-18')))
    expect(init.headers.get('content-type')).toBe('application/json')
    const body = (await init.json()) as { id: number; result: { protocolVersion: string } }
    expect(body.id).toBe(1)
    expect(body.result.protocolVersion).toBe('2025-06-18')
    const sessionId = init.headers.get('mcp-session-id')!
    const call = await mcp.fetch(
      post(
        JSON.stringify({
          jsonrpc: '2.0',
          id: 2,
          method: 'tools/call',
          params: { name: 'echo', arguments: { text: 'json' } },
        }),
        { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-06-18' },
      ),
    )
    expect(await call.json()).toEqual({
      jsonrpc: '2.0',
      id: 2,
      result: { content: [{ type: 'text', text: 'json' }] },
    })
  })
})

describe('legacy HTTP+SSE through fetch', () => {
  it('sends the endpoint event first, accepts POSTs with 202, answers on the stream as event: message', async () => {
    mcp = createMcpHandler({ connect: (t) => buildServer().connect(t) })
    const sse = await mcp.fetch(
      new Request(`${BASE}/sse`, { headers: { accept: 'text/event-stream' } }),
    )
    expect(sse.status).toBe(200)
    expect(sse.headers.get('content-type')).toBe('text/event-stream')
    expect(sse.headers.get('x-accel-buffering')).toBe('no')
    const reader = sse.body!.pipeThrough(new TextDecoderStream()).getReader()
    const first = (await reader.read()).value ?? ''
    const match = /^event: endpoint\ndata: (\/messages\?sessionId=[^\n]+)\n\n$/.exec(first)
    expect(match).not.toBeNull()
    const accepted = await mcp.fetch(post(initializeBody(1, '2024-11-05'), {}, match![1]))
    expect(accepted.status).toBe(202)
    expect(await accepted.text()).toBe('Accepted')
    const answer = (await reader.read()).value ?? ''
    expect(answer).toMatch(/^event: message\ndata: \{.*"id":1[,}].*\n\n$/)
    expect(answer).toContain('"protocolVersion":"2024-11-05"')
    await expect(
      mcp.fetch(post('{"jsonrpc":"2.0","id":', {}, match![1])).then((r) => r.status),
    ).resolves.toBe(400)
    await reader.cancel()
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(mcp.stats().sessions).toBe(0)
    const gone = await mcp.fetch(post(initializeBody(), {}, match![1]))
    expect(gone.status).toBe(404)
  })

  it('can be turned off', async () => {
    mcp = createMcpHandler({ connect: (t) => buildServer().connect(t), legacy: false })
    expect((await mcp.fetch(new Request(`${BASE}/sse`))).status).toBe(404)
  })
})

describe('invalid requests', () => {
  it('echoes a readable request id in the -32600 error', async () => {
    mcp = createMcpHandler({ connect: (t) => buildServer().connect(t) })
    const response = await mcp.fetch(post('{"jsonrpc":"2.0","id":5,"method":3}'))
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({ id: 5, error: { code: -32600 } })
  })

  it('answers a server-initiated close with onclose once and later 404s', async () => {
    let server: McpServer | undefined
    mcp = createMcpHandler({
      async connect(t) {
        server = new McpServer({ name: 't', version: '1' })
        await server.connect(t)
      },
    })
    const sessionId = await initialize(mcp)
    await server!.close()
    expect(mcp.stats().sessions).toBe(0)
    const ping = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'ping' })
    expect((await mcp.fetch(post(ping, { 'mcp-session-id': sessionId }))).status).toBe(404)
  })
})

describe('public API', () => {
  it('exports exactly these names', () => {
    expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
      [
        "ClusterUnavailableError",
        "DEFAULT_PROTOCOL_VERSION",
        "FIRST_MODERN_PROTOCOL_VERSION",
        "INTERRUPTED_MESSAGE",
        "InMemoryEventStore",
        "MAX_STORED_ANSWERS",
        "MAX_STORED_ANSWER_BYTES",
        "McpTransport",
        "SUPPORTED_PROTOCOL_VERSIONS",
        "StreamEndedError",
        "answeredKey",
        "bearerAuth",
        "checkHostAndOrigin",
        "checkTtlMs",
        "classifyEra",
        "clusterEventId",
        "clusterStreamId",
        "createHostOriginCheck",
        "createMcpHandler",
        "createMemoryCluster",
        "errorResponse",
        "globalTimers",
        "isLoopbackHost",
        "isLoopbackOrigin",
        "objectFirstLogger",
        "parseClusterEventId",
        "protectedResourceMetadataPath",
        "protectedResourceMetadataResponse",
        "protectedResourceMetadataUrl",
        "readPosition",
        "replayClusterEvents",
        "replayStateText",
        "requestKey",
        "sessionOfStream",
        "sessionRecordText",
        "standaloneStreamId",
        "streamOfClusterEvent",
      ]
    `)
  })
})
