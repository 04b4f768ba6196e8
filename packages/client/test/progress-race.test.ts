import { Client as ClientV2, type Transport as TransportV2 } from '@modelcontextprotocol/client'
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js'
import type { Transport as TransportV1 } from '@modelcontextprotocol/sdk/shared/transport.js'
import { describe, expect, test } from 'vitest'
import { SseClientTransport, StreamableHttpClientTransport } from '../src/index.js'
import { controlledBody, event, fakeFetch, initResult, json, sse } from './_fake.js'

const N = 5
const progress = (token: unknown, n: number) => ({
  jsonrpc: '2.0',
  method: 'notifications/progress',
  params: { progressToken: token, progress: n, total: N },
})
const result = (id: unknown) => ({
  jsonrpc: '2.0',
  id,
  result: { content: [{ type: 'text', text: 'done' }] },
})

/** A server that writes every progress notification and the result in ONE chunk. */
function oneChunkServer() {
  return fakeFetch((request) => {
    const body = request.body
    if (body?.method === 'initialize')
      return json(initResult(body.id, body.params.protocolVersion), 200, { 'mcp-session-id': 's' })
    if (request.method === 'GET') return new Response(null, { status: 405 })
    if (request.method === 'DELETE' || body?.id === undefined)
      return new Response(null, { status: 202 })
    if (body.method === 'tools/call') {
      const token = body.params._meta.progressToken
      let chunk = ''
      for (let i = 1; i <= N; i++) chunk += event(progress(token, i))
      return sse(chunk + event(result(body.id)))
    }
    return json({ jsonrpc: '2.0', id: body.id, result: {} })
  })
}

type AnyClient = {
  /** Either SDK's `connect`: the transport must be both SDKs' `Transport`. */
  connect(transport: TransportV1 & TransportV2): Promise<void>
  close(): Promise<void>
  onerror?: ((error: Error) => void) | undefined
  callTool(...args: never[]): Promise<{ content?: unknown }>
}
// SDK v1 takes (params, resultSchema, options); v2 takes (params, options).
const clients: Record<
  string,
  {
    make: () => AnyClient
    call: (
      client: AnyClient,
      onprogress: (p: { progress: number }) => void,
    ) => Promise<{ content?: unknown }>
  }
> = {
  'SDK v1': {
    make: () => new ClientV1({ name: 'race', version: '1' }) as unknown as AnyClient,
    call: (client, onprogress) =>
      (client as unknown as ClientV1).callTool({ name: 'count', arguments: {} }, undefined, {
        onprogress,
      }) as Promise<{ content?: unknown }>,
  },
  'SDK v2': {
    make: () => new ClientV2({ name: 'race', version: '1' }) as unknown as AnyClient,
    call: (client, onprogress) =>
      (client as unknown as ClientV2).callTool(
        { name: 'count', arguments: {} },
        { onprogress },
      ) as Promise<{ content?: unknown }>,
  },
}

describe('progress sent in the same read as its result is never lost (M1, R-D1)', () => {
  for (const [name, { make, call }] of Object.entries(clients)) {
    test(`${name} Client over StreamableHttpClientTransport sees every progress notification before the result`, async () => {
      const { fetch } = oneChunkServer()
      const client = make()
      const errors: Error[] = []
      client.onerror = (error: Error) => errors.push(error)
      await client.connect(new StreamableHttpClientTransport('http://127.0.0.1:9/mcp', { fetch }))
      const seen: number[] = []
      const answer = await call(client, (p) => seen.push(p.progress))
      expect(answer.content).toEqual([{ type: 'text', text: 'done' }])
      expect(seen).toEqual([1, 2, 3, 4, 5])
      expect(errors).toEqual([])
      await client.close()
    })

    test(`${name} Client over SseClientTransport (legacy) sees every progress notification before the result`, async () => {
      const stream = controlledBody()
      const { fetch } = fakeFetch((request) => {
        if (request.method === 'GET') {
          stream.push('event: endpoint\ndata: /messages?sessionId=1\n\n')
          return sse(stream.body)
        }
        const body = request.body
        if (body?.method === 'initialize')
          stream.push(event(initResult(body.id, body.params.protocolVersion)))
        else if (body?.method === 'tools/call') {
          let chunk = ''
          for (let i = 1; i <= N; i++) chunk += event(progress(body.params._meta.progressToken, i))
          stream.push(chunk + event(result(body.id)))
        } else if (body?.id !== undefined && body.method !== undefined)
          stream.push(event({ jsonrpc: '2.0', id: body.id, result: {} }))
        return new Response(null, { status: 202 })
      })
      const client = make()
      const errors: Error[] = []
      client.onerror = (error: Error) => errors.push(error)
      await client.connect(new SseClientTransport('http://127.0.0.1:9/sse', { fetch }))
      const seen: number[] = []
      await call(client, (p) => seen.push(p.progress))
      expect(seen).toEqual([1, 2, 3, 4, 5])
      expect(errors).toEqual([])
      await client.close()
    })
  }
})
