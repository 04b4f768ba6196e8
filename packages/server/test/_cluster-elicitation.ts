// A session whose client takes elicitations, and the `ask` tool's elicitation read off its POST
// stream: for tests of answers that land on another instance than the tool.
import { expect } from 'vitest'
import { sseReader, type TestCluster } from './_cluster.js'
import { post } from './_requests.js'

const VERSION = '2025-11-25'

export function headers(sessionId: string): Record<string, string> {
  return { 'mcp-session-id': sessionId, 'mcp-protocol-version': VERSION }
}

/** A session initialized on instance 0 by a client that takes elicitations; both instances hold it. */
export async function openElicitingSession(c: TestCluster): Promise<string> {
  const init = JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: {
      protocolVersion: VERSION,
      capabilities: { elicitation: {} },
      clientInfo: { name: 't', version: '1' },
    },
  })
  const response = await c.fetchOn(0, post(init))
  expect(response.status).toBe(200)
  await response.text()
  const sessionId = response.headers.get('mcp-session-id')!
  const initialized = JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })
  expect((await c.fetchOn(1, post(initialized, headers(sessionId)))).status).toBe(202)
  return sessionId
}

/** Calls the `ask` tool on instance 0 and reads up to its elicitation request. */
export async function askOnFirst(c: TestCluster, sessionId: string) {
  const call = JSON.stringify({
    jsonrpc: '2.0',
    id: 2,
    method: 'tools/call',
    params: { name: 'ask', arguments: {} },
  })
  const stream = sseReader(await c.fetchOn(0, post(call, headers(sessionId))))
  let event = await stream.next()
  while (event !== undefined && event.data.trim() === '') event = await stream.next() // priming
  const request = JSON.parse(event!.data) as { id: string; method: string }
  expect(request.method).toBe('elicitation/create')
  const answer = JSON.stringify({
    jsonrpc: '2.0',
    id: request.id,
    result: { action: 'accept', content: { name: 'Ada' } },
  })
  return { stream, requestId: request.id, answer }
}
