import type { McpHandler } from '../src/index.js'

export const BASE = 'http://127.0.0.1:3000'
export const ACCEPT_BOTH = 'application/json, text/event-stream'

export function initializeBody(id: number | string = 1, protocolVersion = '2025-11-25'): string {
  return JSON.stringify({
    jsonrpc: '2.0',
    id,
    method: 'initialize',
    params: { protocolVersion, capabilities: {}, clientInfo: { name: 't', version: '1' } },
  })
}

export function post(
  body: string,
  headers: Record<string, string> = {},
  path = '/mcp',
  signal?: AbortSignal,
): Request {
  return new Request(`${BASE}${path}`, {
    method: 'POST',
    headers: { accept: ACCEPT_BOTH, 'content-type': 'application/json', ...headers },
    body,
    ...(signal === undefined ? {} : { signal }),
  })
}

/** Reads SSE `data:` payloads (JSON) from a response body until it ends. */
export async function readEvents(response: Response): Promise<{ id?: string; data: string }[]> {
  const text = await response.text()
  const events: { id?: string; data: string }[] = []
  for (const block of text.split('\n\n')) {
    let id: string | undefined
    const data: string[] = []
    for (const line of block.split('\n')) {
      if (line.startsWith('id: ')) id = line.slice(4)
      else if (line.startsWith('data: ')) data.push(line.slice(6))
    }
    if (data.length > 0)
      events.push(id === undefined ? { data: data.join('\n') } : { id, data: data.join('\n') })
  }
  return events
}

/** Initializes a session through `fetch` and sends `notifications/initialized`. */
export async function initialize(
  mcp: McpHandler,
  protocolVersion = '2025-11-25',
  headers: Record<string, string> = {},
): Promise<string> {
  const response = await mcp.fetch(post(initializeBody(1, protocolVersion), headers))
  if (response.status !== 200) throw new Error(`initialize answered ${response.status}`)
  const sessionId = response.headers.get('mcp-session-id')
  if (sessionId === null) throw new Error('no session id')
  await response.text()
  const done = await mcp.fetch(
    post(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }), {
      ...headers,
      'mcp-session-id': sessionId,
      'mcp-protocol-version': protocolVersion,
    }),
  )
  if (done.status !== 202) throw new Error(`initialized answered ${done.status}`)
  return sessionId
}
