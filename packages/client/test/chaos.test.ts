import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { afterEach, describe, expect, test } from 'vitest'
import { StreamableHttpClientTransport } from '../src/index.js'
import { type RunningServer, startMcpwire } from './_fixture.js'

function prng(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

type Fault = 'cut-error' | 'cut-close' | 'stall' | 'none'

/** Passes `body` through until `after` bytes, then errors, ends, or stalls (half-open). */
function faulty(
  body: ReadableStream<Uint8Array>,
  after: number,
  fault: Fault,
): ReadableStream<Uint8Array> {
  const reader = body.getReader()
  let passed = 0
  return new ReadableStream({
    async pull(controller) {
      if (passed >= after && fault !== 'none') {
        reader.cancel().catch(() => {})
        if (fault === 'cut-error') controller.error(new TypeError('terminated'))
        else if (fault === 'cut-close') controller.close()
        // 'stall': never enqueue again, never end.
        return
      }
      const { done, value } = await reader.read()
      if (done) {
        controller.close()
        return
      }
      const room = fault === 'none' ? value.length : after - passed
      if (value.length > room) {
        controller.enqueue(value.subarray(0, room))
        passed = after
        return
      }
      passed += value.length
      controller.enqueue(value)
    },
    cancel() {
      reader.cancel().catch(() => {})
    },
  })
}

const servers: RunningServer[] = []
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close()
})

/** A fetch into the server in process that breaks event streams per `plan`. */
function chaosFetch(
  server: RunningServer & { mcp: { fetch(request: Request): Promise<Response> } },
  seed: number,
  faults: Fault[],
  budget: number,
) {
  const random = prng(seed)
  let injected = 0
  const log: string[] = []
  const fetch = async (input: string | URL | Request, init?: RequestInit) => {
    const request = new Request(input, init)
    const isResume = request.headers.has('last-event-id')
    const response = await server.mcp.fetch(request)
    const type = response.headers.get('content-type') ?? ''
    // The handshake is left alone: a cut initialize fails the connect, which is not what this tests.
    if (!request.headers.has('mcp-session-id')) return response
    if (!type.startsWith('text/event-stream') || response.body === null || injected >= budget)
      return response
    if (request.method === 'GET' && !isResume && random() < 0.5) return response
    injected++
    const fault = faults[Math.floor(random() * faults.length)] as Fault
    const after = Math.floor(random() * 600)
    log.push(`${request.method}${isResume ? ' resume' : ''} ${fault}@${after}`)
    return new Response(faulty(response.body, after, fault), {
      status: response.status,
      headers: response.headers,
    })
  }
  return { fetch: fetch as typeof globalThis.fetch, log }
}

async function workload(transport: StreamableHttpClientTransport, calls: number, n: number) {
  const client = new Client({ name: 'chaos', version: '1.0.0' })
  const errors: Error[] = []
  client.onerror = (error) => errors.push(error)
  await client.connect(transport)
  const outcomes = await Promise.all(
    Array.from({ length: calls }, async () => {
      const progress: number[] = []
      try {
        const result = await client.callTool({ name: 'countdown', arguments: { n } }, undefined, {
          onprogress: (p) => progress.push(p.progress),
          timeout: 30_000,
        })
        return { ok: true as const, result, progress }
      } catch (error) {
        return { ok: false as const, error: error as { code?: number }, progress }
      }
    }),
  )
  await client.close()
  return { outcomes, errors }
}

describe('chaos: faults injected into event streams of @mcpwire/server (resumable, retry 10 ms)', () => {
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    test(`seed ${seed}: cuts mid-event, mid-body, between events and right after priming lose and duplicate nothing`, async () => {
      const server = await startMcpwire({ retryMs: 10 })
      servers.push(server)
      const { fetch, log } = chaosFetch(server, seed, ['cut-error', 'cut-close'], 12)
      const transport = new StreamableHttpClientTransport('http://127.0.0.1/mcp', {
        fetch,
        reconnect: { initialDelayMs: 10 },
      })
      const { outcomes, errors } = await workload(transport, 6, 15)
      for (const outcome of outcomes) {
        // A cut before the priming event leaves nothing to resume from: that call fails at once
        // with -32000 (R-D3) and never hangs; every other call is complete and in order.
        if (outcome.ok) {
          expect(outcome.result.content).toEqual([{ type: 'text', text: 'counted 15' }])
          expect(outcome.progress).toEqual(Array.from({ length: 15 }, (_, i) => i + 1))
        } else {
          expect(outcome.error.code, log.join('\n')).toBe(-32000)
          expect(new Set(outcome.progress).size).toBe(outcome.progress.length)
        }
      }
      expect(outcomes.filter((outcome) => outcome.ok).length, log.join('\n')).toBeGreaterThan(0)
      expect(errors).toEqual([])
      expect(transport.stats()).toMatchObject({
        openStreams: 0,
        pendingRequests: 0,
        armedTimers: 0,
        inflightFetches: 0,
        queuedMessages: 0,
      })
    })
  }

  test('stalled half-open streams are aborted by the idle watchdog and resumed', async () => {
    const server = await startMcpwire({ retryMs: 10 })
    servers.push(server)
    const { fetch, log } = chaosFetch(server, 7, ['stall'], 3)
    const transport = new StreamableHttpClientTransport('http://127.0.0.1/mcp', {
      fetch,
      idleTimeoutMs: 300,
      reconnect: { initialDelayMs: 10 },
    })
    const { outcomes, errors } = await workload(transport, 3, 5)
    expect(log.length).toBeGreaterThan(0)
    for (const outcome of outcomes) {
      if (outcome.ok) expect(outcome.progress).toEqual([1, 2, 3, 4, 5])
      else expect(outcome.error.code).toBe(-32000)
    }
    expect(errors).toEqual([])
    expect(transport.stats()).toMatchObject({ openStreams: 0, pendingRequests: 0, armedTimers: 0 })
  })

  test('409 on the first resume is retried and the call completes', async () => {
    const server = await startMcpwire({ retryMs: 10 })
    servers.push(server)
    let refused = 0
    let cut = false
    const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
      const request = new Request(input, init)
      if (request.headers.has('last-event-id') && refused === 0) {
        refused++
        return new Response(null, { status: 409 })
      }
      const response = await server.mcp.fetch(request)
      if (
        !cut &&
        request.method === 'POST' &&
        response.headers.get('content-type')?.startsWith('text/event-stream') &&
        response.body
      ) {
        cut = true
        return new Response(faulty(response.body, 200, 'cut-error'), {
          status: response.status,
          headers: response.headers,
        })
      }
      return response
    }) as typeof globalThis.fetch
    const transport = new StreamableHttpClientTransport('http://127.0.0.1/mcp', {
      fetch,
      reconnect: { initialDelayMs: 10 },
    })
    const { outcomes, errors } = await workload(transport, 1, 20)
    expect(refused).toBe(1)
    expect(outcomes[0]?.ok).toBe(true)
    expect(outcomes[0]?.progress).toEqual(Array.from({ length: 20 }, (_, i) => i + 1))
    expect(errors).toEqual([])
  })
})
