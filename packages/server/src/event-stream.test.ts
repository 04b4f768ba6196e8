import { describe, expect, it } from 'vitest'
import { EventStream } from './event-stream.js'
import { Metrics } from './metrics.js'
import { globalTimers } from './timers.js'

function open(maxBufferBytes = 100, signal?: AbortSignal) {
  const metrics = new Metrics()
  const reasons: string[] = []
  const stream = new EventStream({
    maxBufferBytes,
    keepAliveMs: 0,
    timers: globalTimers,
    metrics,
    signal,
    onDetach: (reason) => reasons.push(reason),
  })
  return { stream, metrics, reasons }
}

describe('EventStream', () => {
  it('delivers writes in order and ends after the queue drains', async () => {
    const { stream, metrics, reasons } = open()
    stream.write('a')
    stream.write('b')
    stream.end()
    expect(stream.write('c')).toBe(false)
    expect(await new Response(stream.body).text()).toBe('ab')
    expect(metrics.snapshot()).toMatchObject({ streams: 0, bufferedBytes: 0 })
    expect(reasons).toEqual(['end'])
  })

  it('closes on overflow, frees its queue and counts it', () => {
    const { stream, metrics, reasons } = open(10)
    expect(stream.write('12345')).toBe(true)
    expect(stream.write('123456')).toBe(false)
    expect(stream.open).toBe(false)
    expect(metrics.snapshot()).toMatchObject({
      streams: 0,
      bufferedBytes: 0,
      overflowClosedStreams: 1,
    })
    expect(reasons).toEqual(['overflow'])
  })

  it('closes when the request is aborted or the body is cancelled', async () => {
    const abort = new AbortController()
    const a = open(100, abort.signal)
    a.stream.write('queued')
    abort.abort()
    expect(a.reasons).toEqual(['disconnect'])
    expect(a.metrics.snapshot()).toMatchObject({ streams: 0, bufferedBytes: 0 })
    const b = open()
    await b.stream.body.cancel()
    expect(b.reasons).toEqual(['disconnect'])
    expect(b.metrics.streams).toBe(0)
  })

  it('waitForRoom() resolves once the client reads', async () => {
    const { stream } = open(10)
    stream.write('12345678')
    let resolved = false
    const waiting = stream.waitForRoom(5).then(() => {
      resolved = true
    })
    await Promise.resolve()
    expect(resolved).toBe(false)
    const reader = stream.body.getReader()
    await reader.read()
    await waiting
    expect(resolved).toBe(true)
    stream.abort()
  })
})
