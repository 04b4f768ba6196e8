import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js'
import type { JSONRPCMessage, MessageExtraInfo } from '@modelcontextprotocol/sdk/types.js'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { createMcpHandler, type McpTransport } from '../src/index.js'
import { initialize } from './_requests.js'

describe('McpTransport is the SDK Transport', () => {
  it('is assignable to the SDK Transport type', () => {
    expectTypeOf<McpTransport>().toExtend<Transport>()
    expectTypeOf<JSONRPCMessage>().toExtend<Parameters<McpTransport['send']>[0]>()
    expectTypeOf<MessageExtraInfo>().toExtend<
      NonNullable<Parameters<NonNullable<McpTransport['onmessage']>>[1]>
    >()
  })

  it('lets McpServer.connect() take the transport handed to connect', async () => {
    let connected: Transport | undefined
    const mcp = createMcpHandler({
      async connect(transport) {
        const sdkTransport: Transport = transport
        await new McpServer({ name: 't', version: '1' }).connect(sdkTransport)
        connected = sdkTransport
      },
    })
    const sessionId = await initialize(mcp)
    expect(connected?.sessionId).toBe(sessionId)
    let closed = 0
    const onclose = connected?.onclose
    if (connected) {
      connected.onclose = () => {
        closed++
        onclose?.()
      }
    }
    await mcp.close()
    await mcp.close()
    expect(closed).toBe(1)
  })
})
