import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { describe, expect, it } from 'vitest'
import { Metrics } from '../metrics.js'
import { globalTimers } from '../timers.js'
import { EventStream } from './event-stream.js'
import { toResponse } from './reply.js'

function open(maxBufferBytes = 100) {
  const metrics = new Metrics()
  const reasons: string[] = []
  const stream = new EventStream({
    maxBufferBytes,
    keepAliveMs: 0,
    timers: globalTimers,
    metrics,
    onDetach: (reason) => reasons.push(reason),
  })
  return { stream, metrics, reasons }
}

/** The Fetch body of a stream, as `mcp.fetch` returns it for a request made with `signal`. */
function webBody(stream: EventStream, signal?: AbortSignal): ReadableStream<Uint8Array> {
  const request = new Request('http://127.0.0.1/mcp', signal === undefined ? {} : { signal })
  return toResponse({ status: 200, headers: {}, body: stream }, request).body!
}

/** A full garbage collection where the runtime offers one (Node through V8 flags), else undefined. */
function forcedGc(): (() => void) | undefined {
  if (!('process' in globalThis) || 'Deno' in globalThis || 'Bun' in globalThis) return undefined
  setFlagsFromString('--expose-gc')
  return runInNewContext('gc') as () => void
}

/** A consumer that takes `budget` chunks, then waits for resume(). */
function consumer(budget: number) {
  const chunks: string[] = []
  let closed = 0
  const decoder = new TextDecoder()
  return {
    chunks,
    get closed() {
      return closed
    },
    budget,
    push(chunk: Uint8Array): boolean {
      chunks.push(decoder.decode(chunk))
      this.budget--
      return this.budget > 0
    },
    close() {
      closed++
    },
  }
}

describe('EventStream', () => {
  it('delivers writes in order and ends after the queue drains', async () => {
    const { stream, metrics, reasons } = open()
    stream.write('a')
    stream.write('b')
    stream.end()
    expect(stream.write('c')).toBe(false)
    expect(await new Response(webBody(stream)).text()).toBe('ab')
    expect(metrics.snapshot()).toMatchObject({ streams: 0, bufferedBytes: 0 })
    expect(reasons).toEqual(['end'])
  })

  it('hands a consumer chunks only while it asks for more', () => {
    const { stream, metrics } = open()
    stream.write('a')
    stream.write('b')
    stream.write('c')
    const sink = consumer(2)
    stream.connect(sink)
    expect(sink.chunks).toEqual([])
    stream.resume()
    expect(sink.chunks).toEqual(['a', 'b'])
    expect(metrics.bufferedBytes).toBe(1)
    stream.write('d')
    expect(sink.chunks).toEqual(['a', 'b'])
    sink.budget = 10
    stream.resume()
    expect(sink.chunks).toEqual(['a', 'b', 'c', 'd'])
    stream.write('e') // taken at once: the consumer still wants more
    expect(sink.chunks).toEqual(['a', 'b', 'c', 'd', 'e'])
    expect(metrics.bufferedBytes).toBe(0)
    stream.end()
    expect(sink.closed).toBe(1)
    stream.abort()
    expect(sink.closed).toBe(1)
  })

  it('closes a consumer that connects after the end', () => {
    const { stream } = open()
    stream.end()
    const sink = consumer(1)
    stream.connect(sink)
    expect(sink.closed).toBe(1)
    expect(sink.chunks).toEqual([])
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
    const a = open(100)
    webBody(a.stream, abort.signal)
    a.stream.write('queued')
    abort.abort()
    expect(a.reasons).toEqual(['disconnect'])
    expect(a.metrics.snapshot()).toMatchObject({ streams: 0, bufferedBytes: 0 })
    const b = open()
    await webBody(b.stream).cancel()
    expect(b.reasons).toEqual(['disconnect'])
    expect(b.metrics.streams).toBe(0)
  })

  const gc = forcedGc()
  it.skipIf(gc === undefined)(
    "closes on the caller's abort even after its Request object was collected",
    async () => {
      // Node 20's Request follows the caller's signal only while the Request is alive.
      const abort = new AbortController()
      const a = open(100)
      const body = webBody(a.stream, abort.signal)
      for (let i = 0; i < 3; i++) {
        gc!()
        await new Promise((resolve) => setTimeout(resolve, 5))
      }
      abort.abort()
      await new Promise((resolve) => setTimeout(resolve, 5))
      expect(a.reasons).toEqual(['disconnect'])
      expect(body.locked).toBe(false)
    },
  )

  it('waitForRoom() resolves once the client reads', async () => {
    const { stream } = open(10)
    stream.write('12345678')
    let resolved = false
    const waiting = stream.waitForRoom(5).then(() => {
      resolved = true
    })
    await Promise.resolve()
    expect(resolved).toBe(false)
    const reader = webBody(stream).getReader()
    await reader.read()
    await waiting
    expect(resolved).toBe(true)
    stream.abort()
  })
})
