// Compile-time proof that the transports ARE the official SDK's `Transport`, with no cast, under this
// repo's strict settings (exactOptionalPropertyTypes included): this file is part of the package's
// `typecheck` (tsconfig.json includes test/). If a transport's `onmessage`, `onclose`, `onerror`,
// `sessionId`, `setProtocolVersion`, `hasPerRequestStream` or `send` stops fitting the SDK v1 or v2
// `Transport`, `typecheck` fails here. At run time the same code connects both SDK Clients to a real
// server, so the types are checked against what really works.
import { readdirSync, readFileSync } from 'node:fs'
import {
  Client as ClientV2,
  type JSONRPCMessage as MessageV2,
  type TransportSendOptions as SendOptionsV2,
  type Transport as TransportV2,
} from '@modelcontextprotocol/client'
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js'
import type {
  TransportSendOptions as SendOptionsV1,
  Transport as TransportV1,
} from '@modelcontextprotocol/sdk/shared/transport.js'
import type { JSONRPCMessage as MessageV1 } from '@modelcontextprotocol/sdk/types.js'
import { afterEach, describe, expect, test } from 'vitest'
import {
  HttpClientTransport,
  type InboundMessage,
  SseClientTransport,
  StreamableHttpClientTransport,
} from '../src/index.js'
import { HOSTILE, type RunningServer, startMcpwire } from './_fixture.js'

type OurTransport = StreamableHttpClientTransport | SseClientTransport | HttpClientTransport

// `send` is a method, and TypeScript compares method parameters both ways, so `connect()` alone
// would accept a `send` that rejects what the SDK passes. A function type is compared strictly:
// every message and every options object the SDK sends must be accepted by ours.
function strictSend(transport: OurTransport): {
  v1: (message: MessageV1, options?: SendOptionsV1) => Promise<void>
  v2: (message: MessageV2, options?: SendOptionsV2) => Promise<void>
} {
  const send: (message: MessageV2, options?: SendOptionsV2) => Promise<void> =
    transport instanceof SseClientTransport
      ? (message) => transport.send(message)
      : (message, options) => transport.send(message, options)
  return { v1: send, v2: send }
}

// What the SDK hands our callbacks, and what ours hand the SDK's: the SDK's message type must be
// acceptable where ours is (it is the parameter type of the SDK's own handler).
const sdkMessageIsInbound: (message: MessageV1 | MessageV2) => InboundMessage = (message) => message

const servers: RunningServer[] = []
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close()
})

async function useV1(transport: TransportV1): Promise<unknown> {
  const client = new ClientV1({ name: 'types-v1', version: '1.0.0' })
  await client.connect(transport)
  const echoed = await client.callTool({ name: 'echo', arguments: { text: HOSTILE } })
  await client.close()
  return echoed.content
}

async function useV2(transport: TransportV2): Promise<unknown> {
  const client = new ClientV2({ name: 'types-v2', version: '1.0.0' })
  await client.connect(transport)
  const echoed = await client.callTool({ name: 'echo', arguments: { text: HOSTILE } })
  await client.close()
  return echoed.content
}

const transports: Record<string, (url: string) => OurTransport> = {
  StreamableHttpClientTransport: (url) => new StreamableHttpClientTransport(url),
  SseClientTransport: (url) => new SseClientTransport(url.replace(/\/mcp$/, '/sse')),
  HttpClientTransport: (url) => new HttpClientTransport(url),
}

describe('the transports are the SDK Transport without a cast', () => {
  for (const [name, create] of Object.entries(transports)) {
    test(`${name} connects the SDK v1 Client (typed as its Transport) and echoes`, async () => {
      const server = await startMcpwire()
      servers.push(server)
      const transport = create(server.url)
      expect(strictSend(transport).v1).toBeTypeOf('function')
      expect(await useV1(transport)).toEqual([{ type: 'text', text: HOSTILE }])
      expect(transport.stats()).toMatchObject({ state: 'closed', pendingRequests: 0 })
    })

    test(`${name} connects the SDK v2 Client (typed as its Transport) and echoes`, async () => {
      const server = await startMcpwire()
      servers.push(server)
      const transport = create(server.url)
      expect(strictSend(transport).v2).toBeTypeOf('function')
      expect(await useV2(transport)).toEqual([{ type: 'text', text: HOSTILE }])
      expect(transport.stats()).toMatchObject({ state: 'closed', pendingRequests: 0 })
    })
  }

  test('an SDK message passes through the inbound type unchanged', () => {
    const message: MessageV1 = { jsonrpc: '2.0', id: 1, method: 'ping' }
    expect(sdkMessageIsInbound(message)).toBe(message)
  })

  test('the published sources never import an SDK, not even as types', () => {
    const dir = new URL('../src/', import.meta.url)
    const sources = readdirSync(dir).filter(
      (file) => file.endsWith('.ts') && !file.endsWith('.test.ts'),
    )
    expect(sources.length).toBeGreaterThan(5)
    for (const file of sources)
      expect(readFileSync(new URL(file, dir), 'utf8'), file).not.toMatch(
        /^(import|export|\}) .*from '@modelcontextprotocol\//m,
      )
  })
})
