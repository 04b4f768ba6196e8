import { describe, expect, test } from 'vitest'
import { controlledBody, event, fakeFetch, json, type Seen, settle, sse } from '../test/_fake.js'
import { mayReissue, type ReissuePolicy } from './reissue-policy.js'
import { StreamableHttpClientTransport } from './streamable-http-transport.js'
import type { InboundMessage } from './types.js'

const URL_ = 'http://127.0.0.1:9/mcp'
const META = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', progressToken: 'p' }
const request = (id: number, method: string, params: Record<string, unknown> = {}) => ({
  jsonrpc: '2.0' as const,
  id,
  method,
  params: { ...params, _meta: META },
})
const progress = {
  jsonrpc: '2.0',
  method: 'notifications/progress',
  params: { progressToken: 'p', progress: 1 },
}

/** A stateless server whose first response stream to each method breaks before the response. */
function breaking(
  policy: ReissuePolicy | undefined,
  answer = (seen: Seen) => json({ jsonrpc: '2.0', id: seen.body.id, result: { ok: seen.body.id } }),
) {
  const broken = new Set<string>()
  const { fetch, seen } = fakeFetch((incoming) => {
    const method = incoming.body?.method as string
    if (!broken.has(method)) {
      broken.add(method)
      return sse(event(progress))
    }
    return answer(incoming)
  })
  const transport = new StreamableHttpClientTransport(
    URL_,
    policy === undefined ? { fetch } : { fetch, reissue: policy },
  )
  const received: InboundMessage[] = []
  transport.onmessage = (message) => received.push(message)
  transport.setProtocolVersion('2026-07-28')
  return { transport, seen, received }
}

describe('mayReissue()', () => {
  test("'safe' allows read-only methods only", () => {
    for (const method of [
      'tools/list',
      'resources/read',
      'prompts/get',
      'server/discover',
      'completion/complete',
      'resources/templates/list',
      'ping',
    ])
      expect(mayReissue('safe', method)).toBe(true)
    for (const method of [
      'tools/call',
      'sampling/createMessage',
      'logging/setLevel',
      'resources/subscribe',
    ])
      expect(mayReissue('safe', method)).toBe(false)
    expect(mayReissue('always', 'tools/call')).toBe(true)
    expect(mayReissue('never', 'tools/list')).toBe(false)
  })
})

describe('2026-07-28 re-issue of a lost request (changelog item 9)', () => {
  test("a broken tools/list stream is re-issued under a new id and answered once under the original id (default 'safe')", async () => {
    const { transport, seen, received } = breaking(undefined)
    await transport.send(request(5, 'tools/list'), { headers: { 'Mcp-Param-X': 'y' } })
    await settle()
    const posts = seen.filter((one) => one.body?.method === 'tools/list')
    expect(posts).toHaveLength(2)
    expect(posts[1]?.body.id).not.toBe(5)
    expect(posts[1]?.body.params).toEqual(posts[0]?.body.params)
    expect(posts[1]?.headers.get('mcp-method')).toBe('tools/list')
    expect(posts[1]?.headers.get('mcp-param-x')).toBe('y')
    expect(received).toEqual([
      progress,
      { jsonrpc: '2.0', id: 5, result: { ok: posts[1]?.body.id } },
    ])
    expect(transport.stats()).toMatchObject({ pendingRequests: 0, openStreams: 0 })
    await transport.close()
    expect(received).toHaveLength(2)
  })

  test('a broken tools/call is not re-issued: it gets one retryable -32000 error', async () => {
    const { transport, seen, received } = breaking('safe')
    await transport.send(request(6, 'tools/call', { name: 'echo', arguments: {} }))
    await settle()
    expect(seen.filter((one) => one.body?.method === 'tools/call')).toHaveLength(1)
    expect(received).toEqual([
      progress,
      {
        jsonrpc: '2.0',
        id: 6,
        error: {
          code: -32000,
          message: 'Connection closed',
          data: { reason: 'stream-ended', retryable: true },
        },
      },
    ])
    await transport.close()
  })

  test("'always' re-issues tools/call; 'never' re-issues nothing", async () => {
    const always = breaking('always')
    await always.transport.send(request(7, 'tools/call', { name: 'echo', arguments: {} }))
    await settle()
    expect(always.received.at(-1)).toMatchObject({ id: 7, result: {} })
    await always.transport.close()

    const never = breaking('never')
    await never.transport.send(request(8, 'tools/list'))
    await settle()
    expect(never.seen).toHaveLength(1)
    expect(never.received.at(-1)).toMatchObject({ id: 8, error: { code: -32000 } })
    await never.transport.close()
  })

  test('a re-issued request whose stream breaks too gets exactly one error, and close() during a re-issue answers once', async () => {
    const { fetch } = fakeFetch(() => sse(event(progress)))
    const transport = new StreamableHttpClientTransport(URL_, { fetch })
    const received: InboundMessage[] = []
    transport.onmessage = (message) => received.push(message)
    transport.setProtocolVersion('2026-07-28')
    await transport.send(request(9, 'tools/list'))
    await settle()
    expect(received.filter((message) => 'id' in message)).toEqual([
      {
        jsonrpc: '2.0',
        id: 9,
        error: {
          code: -32000,
          message: 'Connection closed',
          data: { reason: 'stream-ended', retryable: true },
        },
      },
    ])
    await transport.close()

    const body = controlledBody()
    let first = true
    const second = fakeFetch(() => {
      if (first) {
        first = false
        return sse(event(progress))
      }
      return sse(body.body)
    })
    const hanging = new StreamableHttpClientTransport(URL_, { fetch: second.fetch })
    const answers: InboundMessage[] = []
    hanging.onmessage = (message) => answers.push(message)
    hanging.setProtocolVersion('2026-07-28')
    await hanging.send(request(10, 'tools/list'))
    await settle()
    expect(second.seen).toHaveLength(2)
    await hanging.close()
    await settle()
    expect(answers.filter((message) => 'id' in message)).toMatchObject([
      { id: 10, error: { code: -32000, data: { reason: 'transport-closed' } } },
    ])
    expect(hanging.stats()).toMatchObject({
      pendingRequests: 0,
      openStreams: 0,
      inflightFetches: 0,
    })
  })

  test('in the 2025 session era nothing is re-issued', async () => {
    const { fetch, seen } = fakeFetch(() => sse(event(progress)))
    const transport = new StreamableHttpClientTransport(URL_, { fetch, reissue: 'always' })
    const received: InboundMessage[] = []
    transport.onmessage = (message) => received.push(message)
    transport.setProtocolVersion('2025-11-25')
    await transport.send({ jsonrpc: '2.0', id: 11, method: 'tools/list' })
    await settle()
    expect(seen).toHaveLength(1)
    expect(received.at(-1)).toMatchObject({ id: 11, error: { data: { reason: 'not-resumable' } } })
    await transport.close()
  })

  test('aborting a request while it is re-issued aborts the re-issue and answers nothing', async () => {
    const body = controlledBody()
    let first = true
    const { fetch, seen } = fakeFetch(() => {
      if (first) {
        first = false
        return sse(event(progress))
      }
      return sse(body.body)
    })
    const transport = new StreamableHttpClientTransport(URL_, { fetch })
    const received: InboundMessage[] = []
    transport.onmessage = (message) => received.push(message)
    transport.setProtocolVersion('2026-07-28')
    const controller = new AbortController()
    await transport.send(request(12, 'tools/list'), { requestSignal: controller.signal })
    await settle()
    expect(seen).toHaveLength(2)
    controller.abort()
    await settle()
    // The re-issued request's stream was cancelled: its answer can no longer even be written.
    expect(() => body.push(event({ jsonrpc: '2.0', id: seen[1]?.body.id, result: {} }))).toThrow()
    await settle()
    expect(received.filter((message) => 'id' in message)).toEqual([])
    expect(transport.stats()).toMatchObject({ pendingRequests: 0, openStreams: 0 })
    await transport.close()
    expect(received.filter((message) => 'id' in message)).toEqual([])
  })
})
