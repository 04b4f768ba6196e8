import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  createMcpHandler,
  type McpHandler,
  type McpHandlerOptions,
  type McpLogFields,
  type McpTransport,
  objectFirstLogger,
} from '../src/index.js'
import { FakeTimers } from './_fake-timers.js'
import { BASE, initialize, initializeBody, post } from './_requests.js'

interface Entry {
  level: string
  message: string
  fields: McpLogFields
}

/** A console-like logger keeping what it was given. */
function recorder() {
  const entries: Entry[] = []
  const at = (level: string) => (message: string, fields: McpLogFields) =>
    entries.push({ level, message, fields })
  return { entries, logger: { info: at('info'), warn: at('warn'), error: at('error') } }
}

let mcp: McpHandler | undefined
afterEach(async () => {
  await mcp?.close()
  mcp = undefined
  vi.restoreAllMocks()
})

function handler(options: Partial<McpHandlerOptions>): McpHandler {
  mcp = createMcpHandler({
    keepAliveMs: 0,
    connect: (transport) => new McpServer({ name: 't', version: '1' }).connect(transport),
    ...options,
  })
  return mcp
}

describe('logger', () => {
  it('logs nothing by default', async () => {
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((level) =>
      vi.spyOn(console, level).mockImplementation(() => {}),
    )
    const mcp = handler({})
    await initialize(mcp)
    await mcp.fetch(post('{}', { 'mcp-session-id': 'unknown' }))
    for (const spy of spies) expect(spy).not.toHaveBeenCalled()
  })

  it('reports a session created, and refused requests with status and reason', async () => {
    const { entries, logger } = recorder()
    const mcp = handler({ logger })
    const sessionId = await initialize(mcp)
    await mcp.fetch(post(initializeBody(), { origin: 'https://evil.example' }))
    await mcp.fetch(post('{"jsonrpc":"2.0","id":1,"method":"ping"}', { 'mcp-session-id': 'nope' }))
    expect(entries).toEqual([
      {
        level: 'info',
        message: 'mcpwire: session created',
        fields: {
          event: 'session-created',
          sessionId,
          transport: 'streamable-http',
          protocolVersion: '2025-11-25',
        },
      },
      {
        level: 'info',
        message: 'mcpwire: request refused',
        fields: {
          event: 'request-refused',
          status: 403,
          method: 'POST',
          path: '/mcp',
          reason: 'Forbidden: Origin header not allowed',
        },
      },
      {
        level: 'info',
        message: 'mcpwire: request refused',
        fields: {
          event: 'request-refused',
          status: 404,
          method: 'POST',
          path: '/mcp',
          reason: 'Session not found',
        },
      },
    ])
  })

  it('reports sessions hibernated and expired', async () => {
    const timers = new FakeTimers()
    const { entries, logger } = recorder()
    const mcp = handler({ logger, timers, hibernateAfterMs: 1000, sessionIdleMs: 5000 })
    const sessionId = await initialize(mcp)
    timers.advance(1000)
    timers.advance(4000)
    expect(entries.map((entry) => entry.fields)).toEqual([
      expect.objectContaining({ event: 'session-created', sessionId }),
      { event: 'session-hibernated', sessionId },
      { event: 'session-expired', sessionId, idleMs: 5000 },
    ])
  })

  it('reports a stream closed on overflow as a warning', async () => {
    const { entries, logger } = recorder()
    let transport: McpTransport | undefined
    const mcp = handler({
      logger,
      maxStreamBufferBytes: 4096,
      async connect(t) {
        transport = t
        await new McpServer({ name: 't', version: '1' }).connect(t)
      },
    })
    const sessionId = await initialize(mcp)
    const stalled = await mcp.fetch(
      new Request(`${BASE}/mcp`, {
        headers: {
          accept: 'text/event-stream',
          'mcp-session-id': sessionId,
          'mcp-protocol-version': '2025-11-25',
        },
      }),
    )
    const reader = stalled.body!.getReader()
    await reader.read() // the priming event; then the client stops reading
    for (let i = 0; i < 20; i++) {
      await transport!.send({
        jsonrpc: '2.0',
        method: 'notifications/message',
        params: { level: 'info', data: 'x'.repeat(1000) },
      })
    }
    const overflow = entries.filter((entry) => entry.fields.event === 'stream-overflow')
    expect(overflow).toEqual([
      {
        level: 'warn',
        message: 'mcpwire: stream closed: client reads too slowly',
        fields: expect.objectContaining({ event: 'stream-overflow', maxBufferBytes: 4096 }),
      },
    ])
  })

  it('sends server faults to logger.error when onerror is not set', async () => {
    const { entries, logger } = recorder()
    const mcp = handler({
      logger,
      authenticate: () => {
        throw new Error('database down')
      },
    })
    const response = await mcp.fetch(post(initializeBody()))
    expect(response.status).toBe(500)
    expect(await response.text()).not.toContain('database down')
    expect(entries).toEqual([
      {
        level: 'error',
        message: 'mcpwire: server error',
        fields: { event: 'server-error', error: new Error('database down') },
      },
    ])
  })

  it('objectFirstLogger() passes the fields first, as pino does', () => {
    const calls: unknown[][] = []
    const pinoLike = {
      info: (...args: unknown[]) => calls.push(['info', ...args]),
      warn: (...args: unknown[]) => calls.push(['warn', ...args]),
      error: (...args: unknown[]) => calls.push(['error', ...args]),
    }
    const fields = { event: 'session-expired', sessionId: 's' } as const
    objectFirstLogger(pinoLike).warn?.('mcpwire: x', fields)
    expect(calls).toEqual([['warn', fields, 'mcpwire: x']])
  })
})
