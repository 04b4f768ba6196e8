import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { StreamableHttpClientTransport } from '../src/index.js'
import { FakeClock, fakeFetch, INIT, initResult, json } from './_fake.js'

const encoder = new TextEncoder()

/** A body serving `text` in the given chunk sizes, then ending (a cut when text is partial). */
function chunkedBody(text: string, sizes: number[], fail: boolean): ReadableStream<Uint8Array> {
  const bytes = encoder.encode(text)
  let offset = 0
  let index = 0
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) {
        if (fail) controller.error(new TypeError('terminated'))
        else controller.close()
        return
      }
      const size = Math.max(1, sizes[index++ % Math.max(1, sizes.length)] ?? 1)
      controller.enqueue(bytes.slice(offset, offset + size))
      offset += size
    },
  })
}

describe('resumption property (M4)', () => {
  test('whatever the cut points, chunking and replay overlap, the delivered sequence equals the sent one', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 12 }),
        fc.array(fc.integer({ min: 0, max: 400 }), { maxLength: 5 }),
        fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 8 }),
        fc.boolean(),
        fc.boolean(),
        async (count, cuts, sizes, overlap, errorOnCut) => {
          const clock = new FakeClock()
          // The stream's events: a priming event, `count` progress notifications, the result.
          const events: Array<{ id: string; text: string }> = [
            { id: 'p-0', text: 'id: p-0\nretry: 5\ndata: \n\n' },
          ]
          for (let i = 1; i <= count; i++) {
            const message = {
              jsonrpc: '2.0',
              method: 'notifications/progress',
              params: { progressToken: 1, progress: i },
            }
            events.push({ id: `p-${i}`, text: `id: p-${i}\ndata: ${JSON.stringify(message)}\n\n` })
          }
          events.push({
            id: 'p-last',
            text: `id: p-last\ndata: ${JSON.stringify({ jsonrpc: '2.0', id: 1, result: { done: true } })}\n\n`,
          })
          let connection = 0
          /** Serves the events after `from` (an index), cut after this connection's cut length. */
          const serve = (from: number) => {
            const text = events
              .slice(from)
              .map((e) => e.text)
              .join('')
            const cut = cuts[connection++]
            // The first connection always gets its priming event through (else nothing is resumable).
            const minimum = from === 0 ? (events[0] as { text: string }).text.length : 0
            const length = cut === undefined ? text.length : Math.min(text.length, minimum + cut)
            const partial = length < text.length
            return new Response(chunkedBody(text.slice(0, length), sizes, partial && errorOnCut), {
              headers: { 'content-type': 'text/event-stream' },
            })
          }
          const { fetch } = fakeFetch((request) => {
            if (request.body?.method === 'initialize')
              return json(initResult(request.body.id), 200, { 'mcp-session-id': 's' })
            if (request.body?.method === 'tools/call') return serve(0)
            const last = request.headers.get('last-event-id')
            if (request.method === 'GET' && last !== null) {
              const index = events.findIndex((e) => e.id === last)
              return serve(Math.max(0, overlap ? index : index + 1))
            }
            return new Response(null, { status: 405 })
          })
          const transport = new StreamableHttpClientTransport('http://127.0.0.1:9/mcp', {
            fetch,
            timers: clock,
            listen: 'never',
          })
          const delivered: unknown[] = []
          const errors: Error[] = []
          transport.onmessage = (message) => delivered.push(message)
          transport.onerror = (error) => errors.push(error)
          await transport.send(INIT)
          transport.setProtocolVersion('2025-11-25')
          delivered.length = 0
          await transport.send({
            jsonrpc: '2.0',
            id: 1,
            method: 'tools/call',
            params: { name: 't', arguments: {} },
          })
          for (let i = 0; i < 20 && transport.stats().pendingRequests > 0; i++)
            await clock.advance(10)
          const expected = events
            .slice(1)
            .map((e) => JSON.parse(e.text.slice(e.text.indexOf('data: ') + 6)))
          expect(delivered).toEqual(expected)
          expect(errors).toEqual([])
          await transport.close()
          const stats = transport.stats()
          expect([
            stats.openStreams,
            stats.pendingRequests,
            stats.armedTimers,
            stats.inflightFetches,
            stats.queuedMessages,
          ]).toEqual([0, 0, 0, 0, 0])
        },
      ),
      { numRuns: 150 },
    )
  })
})
