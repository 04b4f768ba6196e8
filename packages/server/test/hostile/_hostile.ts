import type { McpHandler } from '../../src/index.js'
import { ACCEPT_BOTH, BASE } from '../_requests.js'

/** What a hostile case must be answered with. */
export interface Expected {
  readonly status: number
  /** The JSON-RPC error code of the body; absent when the body is not checked. */
  readonly code?: number
  /** The id echoed in the error (default `null`). */
  readonly id?: string | number | null
}

/** Sessions a table of cases runs against. */
export interface Sessions {
  /** A 2025-11-25 Streamable HTTP session. */
  readonly modern: string
  /** A 2025-03-26 Streamable HTTP session (batches allowed). */
  readonly batching: string
  /** A legacy HTTP+SSE session. */
  readonly legacy: string
}

/** One bad request and its documented answer. */
export interface HostileCase {
  readonly name: string
  readonly request: (sessions: Sessions) => Request
  readonly expected: Expected
}

/** A POST to `path` with the usual MCP headers, overridable. */
export function postTo(
  path: string,
  body: BodyInit,
  headers: Record<string, string> = {},
): Request {
  return new Request(`${BASE}${path}`, {
    method: 'POST',
    headers: { accept: ACCEPT_BOTH, 'content-type': 'application/json', ...headers },
    body,
  })
}

/** JSON nested `depth` levels deep in arrays, built without recursion. */
export function nestedArrays(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth)
}

/** A request whose params hold `depth` levels of nested objects. */
export function deepRequest(method: string, depth: number, id: number | string = 1): string {
  const inner = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`
  return `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"method":"${method}","params":${inner}}`
}

/** Checks an answer against what the case expects; returns a description of any mismatch. */
export async function mismatch(
  response: Response,
  expected: Expected,
): Promise<string | undefined> {
  const text = await response.text()
  if (response.status !== expected.status) return `status ${response.status}: ${text.slice(0, 200)}`
  if (expected.code === undefined) return undefined
  if (response.headers.get('content-type') !== 'application/json') {
    return `content-type ${response.headers.get('content-type')}`
  }
  let body: { jsonrpc?: unknown; id?: unknown; error?: { code?: unknown; message?: unknown } }
  try {
    body = JSON.parse(text)
  } catch {
    return `body is not JSON: ${text.slice(0, 200)}`
  }
  if (body.jsonrpc !== '2.0') return 'jsonrpc is not 2.0'
  if (body.error?.code !== expected.code) return `code ${String(body.error?.code)}`
  if (typeof body.error?.message !== 'string' || body.error.message === '') return 'no message'
  if (body.id !== (expected.id ?? null)) return `id ${JSON.stringify(body.id)}`
  return undefined
}

/** Opens the sessions a table runs against, through `fetch`. */
export async function openSessions(mcp: McpHandler): Promise<Sessions & { close(): void }> {
  const init = async (protocolVersion: string): Promise<string> => {
    const body = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion, capabilities: {}, clientInfo: { name: 't', version: '1' } },
    })
    const response = await mcp.fetch(postTo('/mcp', body))
    await response.text()
    const id = response.headers.get('mcp-session-id')!
    const done = JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })
    await (await mcp.fetch(postTo('/mcp', done, { 'mcp-session-id': id }))).text()
    return id
  }
  const modern = await init('2025-11-25')
  const batching = await init('2025-03-26')
  const abort = new AbortController()
  const sse = await mcp.fetch(
    new Request(`${BASE}/sse`, { headers: { accept: 'text/event-stream' }, signal: abort.signal }),
  )
  const reader = sse.body!.getReader()
  const { value } = await reader.read()
  const match = /sessionId=([^\s&]+)/.exec(new TextDecoder().decode(value))
  const legacy = decodeURIComponent(match![1]!)
  return {
    modern,
    batching,
    legacy,
    close() {
      abort.abort()
      void reader.cancel().catch(() => {})
    },
  }
}
