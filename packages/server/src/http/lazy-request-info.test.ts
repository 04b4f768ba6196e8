import { describe, expect, it } from 'vitest'
import { lazyRequestInfo } from './lazy-request-info.js'
import { WebIncoming } from './web-incoming.js'

/** A request whose header reads are counted. */
function counted(): { incoming: WebIncoming; reads: () => number } {
  const incoming = new WebIncoming(
    new Request('http://127.0.0.1/mcp?x=1', {
      method: 'POST',
      headers: { 'X-Probe': 'yes', accept: 'application/json' },
    }),
  )
  let reads = 0
  const forEach = incoming.headers.forEach.bind(incoming.headers)
  incoming.headers.forEach = (callback) => {
    reads++
    forEach(callback)
  }
  return { incoming, reads: () => reads }
}

describe('lazyRequestInfo', () => {
  it('reads no header until headers is read, then builds them once', () => {
    const { incoming, reads } = counted()
    const info = lazyRequestInfo(incoming)
    expect(info.url.href).toBe('http://127.0.0.1/mcp?x=1')
    expect(reads()).toBe(0)
    expect(info.headers['x-probe']).toBe('yes')
    expect(info.headers).toBe(info.headers)
    expect(reads()).toBe(1)
  })

  it('shows the headers to spreads, JSON and structuredClone', () => {
    const { incoming } = counted()
    const info = lazyRequestInfo(incoming)
    expect({ ...info }.headers).toEqual({ 'x-probe': 'yes', accept: 'application/json' })
    expect(JSON.parse(JSON.stringify(info)).headers['x-probe']).toBe('yes')
    expect(structuredClone(info).headers.accept).toBe('application/json')
    expect(Object.keys(info)).toEqual(['headers', 'url'])
  })
})
