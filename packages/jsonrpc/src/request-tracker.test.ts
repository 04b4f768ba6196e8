import { describe, expect, it } from 'vitest'
import { JsonRpcError } from './json-rpc-error.js'
import { createRequestTracker } from './request-tracker.js'

describe('createRequestTracker()', () => {
  it('gives fresh ids and matches responses to their requests', async () => {
    const tracker = createRequestTracker()
    const a = tracker.create('a', [1])
    const b = tracker.create('b')
    expect(a.request).toEqual({ jsonrpc: '2.0', id: 0, method: 'a', params: [1] })
    expect(b.request).toEqual({ jsonrpc: '2.0', id: 1, method: 'b' })
    expect(tracker.handleResponse({ jsonrpc: '2.0', id: 1, result: 'B' })).toBe(true)
    expect(
      tracker.handleResponse({
        jsonrpc: '2.0',
        id: 0,
        error: { code: -32601, message: 'Method not found' },
      }),
    ).toBe(true)
    await expect(b.response).resolves.toBe('B')
    await expect(a.response).rejects.toMatchObject({ code: -32601, message: 'Method not found' })
    expect(tracker.size).toBe(0)
    expect(tracker.handleResponse({ jsonrpc: '2.0', id: 0, result: 1 })).toBe(false)
  })

  it('rejects on timeout with a JsonRpcError and forgets the request', async () => {
    const tracker = createRequestTracker({ timeoutMs: 10 })
    const { response } = tracker.create('slow')
    await expect(response).rejects.toBeInstanceOf(JsonRpcError)
    expect(tracker.size).toBe(0)
  })

  it('rejects when the signal aborts, also when already aborted', async () => {
    const tracker = createRequestTracker()
    const controller = new AbortController()
    const { response } = tracker.create('x', undefined, { signal: controller.signal })
    controller.abort(new Error('stop'))
    await expect(response).rejects.toThrow('stop')
    const late = tracker.create('y', undefined, { signal: AbortSignal.abort(new Error('early')) })
    await expect(late.response).rejects.toThrow('early')
    expect(tracker.size).toBe(0)
  })

  it('rejects everything pending on rejectAll and keeps no entry', async () => {
    const tracker = createRequestTracker()
    const all = Array.from({ length: 100 }, (_, i) => tracker.create(`m${i}`).response)
    expect(tracker.size).toBe(100)
    tracker.rejectAll()
    const results = await Promise.allSettled(all)
    expect(results.every((r) => r.status === 'rejected')).toBe(true)
    expect(tracker.size).toBe(0)
  })
})
