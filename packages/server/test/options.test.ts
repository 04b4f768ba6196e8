import { describe, expect, it } from 'vitest'
import { createMcpHandler } from '../src/index.js'
import { FakeTimers } from './_fake-timers.js'
import { initialize } from './_requests.js'

const connect = (): void => {}

describe('createMcpHandler options', () => {
  it.each([
    ['maxBodyBytes', 0],
    ['maxBodyBytes', Number.NaN],
    ['keepAliveMs', -1],
    ['sessionIdleMs', 0],
    ['maxSessions', 0],
    ['retryMs', -5],
    ['retryMs', 1.5],
    ['retryMs', Number.POSITIVE_INFINITY],
    ['maxStreamBufferBytes', 0],
  ])('createMcpHandler() refuses %s: %s with a RangeError', (name, value) => {
    expect(() => createMcpHandler({ connect, [name]: value })).toThrow(RangeError)
  })

  it('createMcpHandler() refuses a connect that is not a function', () => {
    expect(() => createMcpHandler({ connect: undefined as never })).toThrow(TypeError)
  })

  it.each([
    ['allowedHosts', ['evil.com/path']],
    ['allowedOrigins', ['not an origin']],
  ])('createMcpHandler() refuses an invalid %s entry with a TypeError', (name, value) => {
    expect(() => createMcpHandler({ connect, [name]: value })).toThrow(TypeError)
  })

  it('sessionIdleMs: Infinity keeps sessions open and arms no idle timer', async () => {
    const timers = new FakeTimers()
    const mcp = createMcpHandler({
      timers,
      keepAliveMs: 0,
      sessionIdleMs: Number.POSITIVE_INFINITY,
      connect(transport) {
        transport.onmessage = (message) => {
          if ('id' in message) {
            const result = {
              protocolVersion: '2025-11-25',
              capabilities: {},
              serverInfo: { name: 't', version: '1' },
            }
            void transport.send(
              { jsonrpc: '2.0', id: message.id, result },
              { relatedRequestId: message.id as number },
            )
          }
        }
      },
    })
    await initialize(mcp)
    expect(timers.size).toBe(0)
    timers.advance(10 * 365 * 24 * 3600 * 1000)
    expect(mcp.stats().sessions).toBe(1)
    await mcp.close()
    expect(mcp.stats().sessions).toBe(0)
  })
})
