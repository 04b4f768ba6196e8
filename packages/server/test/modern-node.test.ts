import { request as httpRequest, type IncomingMessage } from 'node:http'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ModernHandler } from '../src/index.js'
import { type RunningV2, serveV2, slowCalls } from './_fixture-v2.js'
import { waitFor } from './_wait-for.js'

const ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientCapabilities': {},
  'io.modelcontextprotocol/clientInfo': { name: 't', version: '1' },
}

function toolCall(name: string, args: Record<string, unknown>, progressToken?: string): string {
  const meta = progressToken === undefined ? ENVELOPE : { ...ENVELOPE, progressToken }
  return JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'tools/call',
    params: { name, arguments: args, _meta: meta },
  })
}

const HEADERS = {
  accept: 'application/json, text/event-stream',
  'content-type': 'application/json',
  'mcp-protocol-version': '2026-07-28',
  'mcp-method': 'tools/call',
}

/** A raw node:http POST whose response is handed over unread. */
function rawPost(
  url: string,
  body: string,
  headers: Record<string, string>,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers })
    req.on('response', resolve)
    req.on('error', reject)
    req.end(body)
  })
}

let running: RunningV2 | undefined
beforeEach(() => {
  slowCalls.started = slowCalls.aborted = slowCalls.finished = 0
})
afterEach(async () => {
  await running?.close()
  running = undefined
})

describe('modern requests on the direct Node path (toNodeHandler(mcp.fetch))', () => {
  it('relays JSON and event streams without the SDK Connection header, so Node sets its own', async () => {
    running = await serveV2()
    const json = await rawPost(`${running.url}/mcp`, toolCall('echo', { text: 'hi' }), {
      ...HEADERS,
      'mcp-name': 'echo',
    })
    expect(json.statusCode).toBe(200)
    expect(json.headers['content-type']).toContain('application/json')
    expect(json.headers['mcp-session-id']).toBeUndefined()
    let text = ''
    for await (const chunk of json) text += chunk
    expect(JSON.parse(text).result.content).toEqual([{ type: 'text', text: 'hi' }])

    // The client asks to close the connection; an SDK `Connection: keep-alive` passed on would
    // override Node's own `close`.
    const sse = await rawPost(`${running.url}/mcp`, toolCall('count', { n: 2 }, 'c1'), {
      ...HEADERS,
      'mcp-name': 'count',
      connection: 'close',
    })
    expect(sse.headers['content-type']).toBe('text/event-stream')
    expect(sse.headers.connection).toBe('close')
    expect(sse.headers['mcp-session-id']).toBeUndefined()
    let events = ''
    for await (const chunk of sse) events += chunk
    expect(events).not.toMatch(/^id:/m)
    expect(events.match(/^event: message$/gm)).toHaveLength(3)
    expect(events).toContain('counted 2')
  })

  it('aborts the handler when the client closes an SSE answer', async () => {
    running = await serveV2()
    const res = await rawPost(
      `${running.url}/mcp`,
      toolCall('slow', { ms: 3000, progress: true }, 'n1'),
      { ...HEADERS, 'mcp-name': 'slow' },
    )
    expect(res.headers['content-type']).toBe('text/event-stream')
    expect(res.headers['x-accel-buffering']).toBe('no')
    await new Promise((resolve) => res.once('data', resolve)) // the progress event
    res.destroy()
    await waitFor(() => slowCalls.aborted === 1)
    expect(slowCalls).toMatchObject({ started: 1, aborted: 1, finished: 0 })
    await waitFor(() => running?.mcp.stats().modernRequests === 0)
    expect(running.mcp.stats()).toMatchObject({ modernRequests: 0, modernStreams: 0, streams: 0 })
  })

  it('aborts the handler when the client gives up on a pending JSON answer', async () => {
    running = await serveV2()
    const client = new AbortController()
    const pending = fetch(`${running.url}/mcp`, {
      method: 'POST',
      headers: { ...HEADERS, 'mcp-name': 'slow' },
      body: toolCall('slow', { ms: 3000 }),
      signal: client.signal,
    }).catch(() => undefined)
    await waitFor(() => slowCalls.started === 1)
    client.abort()
    await pending
    await waitFor(() => slowCalls.aborted === 1)
    expect(slowCalls).toMatchObject({ started: 1, aborted: 1, finished: 0 })
    await waitFor(() => running?.mcp.stats().modernRequests === 0)
    expect(running.mcp.stats().modernRequests).toBe(0)
  })

  it('builds the body-less Request from the Node request: URL, headers, no framing headers', async () => {
    const seen: Request[] = []
    const delegate: ModernHandler = {
      async fetch(request) {
        seen.push(request)
        return Response.json({ jsonrpc: '2.0', id: 1, result: {} })
      },
    }
    running = await serveV2({ modern: delegate })
    const body = toolCall('echo', { text: 'x' })
    const res = await rawPost(`${running.url}/mcp?tenant=a`, body, {
      ...HEADERS,
      'mcp-name': 'echo',
      'content-length': String(Buffer.byteLength(body)),
    })
    res.resume()
    expect(res.statusCode).toBe(200)
    const [request] = seen
    expect(request?.url).toBe(`${running.url}/mcp?tenant=a`)
    expect(request?.body).toBeNull()
    expect(request?.headers.get('mcp-name')).toBe('echo')
    expect(request?.headers.get('content-length')).toBeNull()
    expect(request?.headers.get('connection')).toBeNull()
    expect(request?.signal.aborted).toBe(false)
  })
})
