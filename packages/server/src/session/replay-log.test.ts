import { describe, expect, it } from 'vitest'
import { ReplayLog } from './replay-log.js'

describe('ReplayLog state', () => {
  it('toState() and fromState() keep everything a rebuild replays', () => {
    const log = new ReplayLog({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: { roots: {} } },
    })
    log.observe({ jsonrpc: '2.0', method: 'notifications/initialized' })
    log.observe({ jsonrpc: '2.0', id: 2, method: 'logging/setLevel', params: { level: 'warning' } })
    log.observe({ jsonrpc: '2.0', id: 3, method: 'resources/subscribe', params: { uri: 'a:1' } })
    log.observe({ jsonrpc: '2.0', id: 4, method: 'resources/subscribe', params: { uri: 'a:2' } })
    log.observe({ jsonrpc: '2.0', id: 5, method: 'resources/unsubscribe', params: { uri: 'a:1' } })
    const state = log.toState()
    expect(state).toEqual({
      initialize: '{"protocolVersion":"2025-11-25","capabilities":{"roots":{}}}',
      initialized: true,
      logLevel: '{"level":"warning"}',
      subscriptions: ['a:2'],
    })
    const copy = ReplayLog.fromState(JSON.parse(JSON.stringify(state)))
    expect(copy.messages()).toEqual(log.messages())
    expect(copy.toState()).toEqual(state)
    expect(copy.replayable).toBe(true)
  })

  it('a fresh log has no level and no subscriptions', () => {
    const log = new ReplayLog({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} })
    expect(log.toState()).toEqual({ initialize: '{}', initialized: false, subscriptions: [] })
    expect(ReplayLog.fromState(log.toState()).messages()).toEqual(log.messages())
  })
})
