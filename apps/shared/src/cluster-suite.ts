// One session served by several processes of one sample app in cluster mode on a real Redis
// (REDIS_URL): initialize on A, tools/call with progress on B, notifications produced on B reach
// the GET stream A holds, a second GET stream on B is refused, DELETE on B ends A's stream. Starts
// Debian's redis-server (installed with apt-get when missing) unless MCPWIRE_REDIS_URL names one.
import { SseDecoderStream, type SseEvent } from '@mcpwire/sse'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ensureRedisServer,
  type RedisServerProcess,
  startRedisServer,
} from '../../../packages/redis/test/_redis-server.js'
import { type RunningApp, type Runtime, startApp } from './start-app.js'

const PROTOCOL = '2025-11-25'

/** A JSON-RPC message as the tests read it. */
interface Message {
  readonly id?: string | number
  readonly method?: string
  readonly params?: Record<string, unknown> & { data?: { seq?: number }; progress?: number }
  readonly result?: Record<string, unknown>
  readonly error?: { code: number; message: string }
}

/** The JSON-RPC messages of an SSE response (or of a JSON one), to its end. */
async function messagesOf(response: Response): Promise<Message[]> {
  if (response.headers.get('content-type')?.startsWith('application/json')) {
    return [(await response.json()) as Message]
  }
  const messages: Message[] = []
  const events = eventReader(response)
  for (let event = await events.next(); event !== undefined; event = await events.next()) {
    if (event.data !== '') messages.push(JSON.parse(event.data) as Message)
  }
  return messages
}

/** Reads SSE events from an open stream one at a time. */
function eventReader(response: Response): {
  next(): Promise<SseEvent | undefined>
  cancel(): Promise<void>
} {
  const reader = response.body!.pipeThrough(new SseDecoderStream()).getReader()
  return {
    async next() {
      const { value, done } = await reader.read()
      return done ? undefined : value
    },
    cancel: () => reader.cancel(),
  }
}

/**
 * Runs the cluster scenario against `instances` processes of `runtime`'s sample app.
 *
 * @example
 * ```ts
 * clusterSuite('bun') // in apps/bun/test/cluster.test.ts
 * ```
 */
export function clusterSuite(runtime: Runtime, instances = 2): void {
  describe(`${runtime} sample in cluster mode: ${instances} processes on one Redis`, () => {
    let redis: RedisServerProcess | undefined
    let apps: RunningApp[] = []

    beforeAll(async () => {
      let url = process.env.MCPWIRE_REDIS_URL
      if (url === undefined || url === '') {
        redis = await startRedisServer(ensureRedisServer())
        url = redis.url
      }
      apps = await Promise.all(
        Array.from({ length: instances }, (_, n) =>
          startApp(runtime, 60_000, { REDIS_URL: url!, INSTANCE_ID: `${runtime}${n + 1}` }),
        ),
      )
    }, 90_000)

    afterAll(async () => {
      await Promise.all(apps.map((app) => app.stop()))
      await redis?.stop()
    })

    it('serves one session from every process: handshake, progress, GET stream, DELETE', async () => {
      const [a, b] = apps as [RunningApp, RunningApp]
      let sessionId = ''
      const headers = (): Record<string, string> => ({
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': PROTOCOL,
        ...(sessionId === '' ? {} : { 'mcp-session-id': sessionId }),
      })
      const post = (app: RunningApp, body: unknown): Promise<Response> =>
        fetch(`${app.url}/mcp`, { method: 'POST', headers: headers(), body: JSON.stringify(body) })
      const get = (app: RunningApp): Promise<Response> =>
        fetch(`${app.url}/mcp`, { headers: { ...headers(), accept: 'text/event-stream' } })

      const initialize = await post(a, {
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: {
          protocolVersion: PROTOCOL,
          capabilities: {},
          clientInfo: { name: 'cluster-suite', version: '1.0.0' },
        },
      })
      expect(initialize.status).toBe(200)
      sessionId = initialize.headers.get('mcp-session-id') ?? ''
      expect(sessionId).not.toBe('')
      expect((await messagesOf(initialize))[0]?.result?.protocolVersion).toBe(PROTOCOL)
      const initialized = await post(b, { jsonrpc: '2.0', method: 'notifications/initialized' })
      expect(initialized.status).toBe(202)

      // The standalone stream, held by A; the priming event comes first.
      const stream = await get(a)
      expect(stream.status).toBe(200)
      const events = eventReader(stream)
      expect((await events.next())?.data).toBe('')
      // One GET stream per session, cluster-wide: B refuses a second one while A holds it.
      const second = await get(b)
      expect(second.status).toBe(409)
      await second.body?.cancel()

      const countdown = await post(b, {
        jsonrpc: '2.0',
        id: 2,
        method: 'tools/call',
        params: {
          name: 'countdown',
          arguments: { ticks: 3, intervalMs: 10 },
          _meta: { progressToken: 'p' },
        },
      })
      const answered = await messagesOf(countdown)
      expect(answered.map((m) => m.params?.progress ?? m.result?.content)).toEqual([
        1,
        2,
        3,
        [{ type: 'text', text: 'Liftoff after 3 ticks' }],
      ])

      // Notifications tied to no request, produced on B, reach the GET stream A holds, in order.
      const notify = await post(b, {
        jsonrpc: '2.0',
        id: 3,
        method: 'tools/call',
        params: { name: 'test_standalone_notifications', arguments: { count: 3, intervalMs: 5 } },
      })
      expect((await messagesOf(notify)).at(-1)?.result?.content).toEqual([
        { type: 'text', text: 'Sent 3 notifications' },
      ])
      const seqs: unknown[] = []
      while (seqs.length < 3) {
        const event = await events.next()
        if (event === undefined) break
        if (event.data !== '') seqs.push((JSON.parse(event.data) as Message).params?.data?.seq)
      }
      expect(seqs).toEqual([0, 1, 2])

      // DELETE on B ends the session everywhere: A's stream closes, A answers 404.
      const deleted = await fetch(`${b.url}/mcp`, { method: 'DELETE', headers: headers() })
      expect(deleted.status).toBe(200)
      let closed = false
      for (let i = 0; i < 10 && !closed; i++) closed = (await events.next()) === undefined
      expect(closed).toBe(true)
      const after = await post(a, { jsonrpc: '2.0', id: 4, method: 'tools/list' })
      expect(after.status).toBe(404)
      await after.body?.cancel()
    }, 60_000)
  })
}
