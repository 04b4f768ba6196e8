// McpClient.listen() against the SDK v2 handler (2026-07-28 `subscriptions/listen`): the
// acknowledgement, opted-in notifications only, close() ends the stream, and a graceful end by
// the server settles `ended`.
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server'
import { afterEach, expect, test } from 'vitest'
import { connect, McpRequestError } from '../src/index.js'

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup()
})

function buildServer(): McpServer {
  const server = new McpServer(
    { name: 'listen', version: '1.0.0' },
    { capabilities: { tools: { listChanged: true }, prompts: { listChanged: true } } },
  )
  server.registerTool('noop', {}, async () => ({ content: [] }))
  return server
}

function serve() {
  const handler = createMcpHandler(() => buildServer())
  cleanups.push(() => handler.close())
  const fetch = ((input: string | URL | Request, init?: RequestInit) =>
    handler.fetch(new Request(input, init))) as typeof globalThis.fetch
  return { handler, fetch }
}

/** Resolves once `predicate` holds, polling every 5 ms for up to 2 s. */
async function until(predicate: () => boolean): Promise<void> {
  const deadline = Date.now() + 2000
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out waiting')
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

test('listen() is acknowledged with what the server honours; only opted-in types arrive', async () => {
  const { handler, fetch } = serve()
  const client = await connect('http://127.0.0.1/mcp', { fetch, protocolVersion: '2026-07-28' })
  const seen: string[] = []
  client.onNotification('notifications/tools/list_changed', () => seen.push('tools'))
  client.onNotification('notifications/prompts/list_changed', () => seen.push('prompts'))
  const subscription = await client.listen({ toolsListChanged: true })
  expect(subscription.notifications).toMatchObject({ toolsListChanged: true })
  expect(subscription.notifications.promptsListChanged).not.toBe(true)
  handler.notify.promptsChanged() // not asked for: the server must not send it
  handler.notify.toolsChanged()
  await until(() => seen.length >= 1)
  await new Promise((resolve) => setTimeout(resolve, 50))
  expect(seen).toEqual(['tools'])
  await subscription.close()
  await expect(subscription.ended).resolves.toBeUndefined()
  handler.notify.toolsChanged() // the stream is closed: nothing more arrives
  await new Promise((resolve) => setTimeout(resolve, 50))
  expect(seen).toEqual(['tools'])
  // Other requests go on as before.
  expect(await client.request('tools/list')).toMatchObject({ tools: [{ name: 'noop' }] })
  await client.close()
})

test('two subscriptions are told apart by their acknowledgements', async () => {
  const { handler, fetch } = serve()
  const client = await connect('http://127.0.0.1/mcp', { fetch, protocolVersion: '2026-07-28' })
  let tools = 0
  let prompts = 0
  client.onNotification('notifications/tools/list_changed', () => tools++)
  client.onNotification('notifications/prompts/list_changed', () => prompts++)
  const [a, b] = await Promise.all([
    client.listen({ toolsListChanged: true }),
    client.listen({ promptsListChanged: true }),
  ])
  expect(a.notifications).toMatchObject({ toolsListChanged: true })
  expect(b.notifications).toMatchObject({ promptsListChanged: true })
  handler.notify.toolsChanged()
  handler.notify.promptsChanged()
  await until(() => tools === 1 && prompts === 1)
  await a.close()
  handler.notify.promptsChanged()
  await until(() => prompts === 2)
  expect(tools).toBe(1)
  await b.close()
  await client.close()
})

test('a graceful end by the server settles ended', async () => {
  const { handler, fetch } = serve()
  const client = await connect('http://127.0.0.1/mcp', { fetch, protocolVersion: '2026-07-28' })
  const subscription = await client.listen({ toolsListChanged: true })
  let settled = false
  void subscription.ended.then(
    () => {
      settled = true
    },
    () => {
      settled = true
    },
  )
  await handler.close()
  await until(() => settled)
  await client.close()
})

test('a server without subscriptions/listen refuses it with an McpRequestError', async () => {
  const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const request = new Request(input, init)
    const body = (await request.json()) as { id: number; method: string }
    const result =
      body.method === 'server/discover'
        ? {
            result: {
              resultType: 'complete',
              supportedVersions: ['2026-07-28'],
              capabilities: {},
              _meta: { 'io.modelcontextprotocol/serverInfo': { name: 'old', version: '1' } },
            },
          }
        : { error: { code: -32601, message: 'Method not found' } }
    return Response.json({ jsonrpc: '2.0', id: body.id, ...result })
  }) as typeof globalThis.fetch
  const client = await connect('http://127.0.0.1/mcp', { fetch, protocolVersion: '2026-07-28' })
  const refused = await client.listen({ toolsListChanged: true }).catch((error: unknown) => error)
  expect(refused).toBeInstanceOf(McpRequestError)
  expect((refused as McpRequestError).code).toBe(-32601)
  await client.close()
})
