// Cluster mode's cost on one instance, in process (no HTTP): tools/call echo at concurrency 16
// on a plain handler, on a memory-backed cluster handler and, with REDIS_URL set, on a Redis
// cluster handler (node-redis), also without touchAndOpen (3 round trips per call). Prints calls/s, p50/p99 and the plain/this ratio, per round.
// Run from packages/redis: REDIS_URL=redis://127.0.0.1:6390 npx tsx bench/cluster-handler.bench.ts
import {
  type ClusterBackend,
  createMcpHandler,
  createMemoryCluster,
  type McpHandler,
} from '../../server/src/index.js'
import { buildClusterServer } from '../../server/test/_cluster.js'

const CALLS = 2000
const CONCURRENCY = 16
const ROUNDS = 3
const VERSION = '2025-11-25'

function handler(backend?: ClusterBackend): McpHandler {
  return createMcpHandler({
    connect: (transport) => buildClusterServer('bench').connect(transport),
    hibernateAfterMs: 60_000,
    ...(backend === undefined ? {} : { cluster: { ...backend, instanceId: 'bench' } }),
  })
}

function post(body: unknown, sessionId?: string): Request {
  const headers: Record<string, string> = {
    accept: 'application/json, text/event-stream',
    'content-type': 'application/json',
    'mcp-protocol-version': VERSION,
  }
  if (sessionId !== undefined) headers['mcp-session-id'] = sessionId
  return new Request('http://127.0.0.1/mcp', {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
  })
}

async function run(mcp: McpHandler): Promise<{ perSecond: number; p50: number; p99: number }> {
  const init = await mcp.fetch(
    post({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: {
        protocolVersion: VERSION,
        capabilities: {},
        clientInfo: { name: 'b', version: '1' },
      },
    }),
  )
  const sessionId = init.headers.get('mcp-session-id')!
  await init.text()
  let next = 1
  const latencies: number[] = []
  const started = performance.now()
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next <= CALLS) {
        const id = next++
        const t0 = performance.now()
        const response = await mcp.fetch(
          post(
            {
              jsonrpc: '2.0',
              id,
              method: 'tools/call',
              params: { name: 'echo', arguments: { text: 'x' } },
            },
            sessionId,
          ),
        )
        const text = await response.text()
        if (!text.includes('"result"')) throw new Error(`call ${id} failed: ${text}`)
        latencies.push(performance.now() - t0)
      }
    }),
  )
  const seconds = (performance.now() - started) / 1000
  latencies.sort((a, b) => a - b)
  return {
    perSecond: CALLS / seconds,
    p50: latencies[Math.floor(CALLS * 0.5)]!,
    p99: latencies[Math.floor(CALLS * 0.99)]!,
  }
}

async function redisBackend(): Promise<
  { backend: ClusterBackend; close(): Promise<void> } | undefined
> {
  const url = process.env.REDIS_URL
  if (url === undefined) return undefined
  const { createClient } = await import('redis')
  const { createRedisCluster, fromNodeRedis } = await import('../src/index.js')
  const client = await createClient({
    url,
    commandOptions: { timeout: 0 },
    disableOfflineQueue: true,
  }).connect()
  const subscriber = await client.duplicate().connect()
  return {
    backend: createRedisCluster(fromNodeRedis(client, subscriber), {
      prefix: `bench${Date.now()}`,
    }),
    close: async () => {
      await Promise.all([client.close(), subscriber.close()])
    },
  }
}

/** `backend` without the optional `events.touchAndOpen`, as a backend that lacks it. */
function withoutTouchAndOpen(backend: ClusterBackend): ClusterBackend {
  const events = new Proxy(backend.events, {
    get: (target, key) => {
      if (key === 'touchAndOpen') return undefined
      const value = Reflect.get(target, key, target)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
  return { ...backend, events }
}

const redis = await redisBackend()
const variants: [string, () => McpHandler][] = [
  ['plain', () => handler()],
  ['cluster (memory)', () => handler(createMemoryCluster())],
]
if (redis !== undefined) {
  variants.push(['cluster (Redis)', () => handler(redis.backend)])
  // The same backend without touchAndOpen: the session touch is its own round trip (3 per call).
  variants.push(['Redis, 3 trips', () => handler(withoutTouchAndOpen(redis.backend))])
}
console.log(
  `tools/call echo, ${CALLS} calls at concurrency ${CONCURRENCY}, in process, ${ROUNDS} rounds`,
)
for (let round = 1; round <= ROUNDS; round++) {
  let plain = 0
  for (const [name, make] of variants) {
    const mcp = make()
    const result = await run(mcp)
    await mcp.close()
    if (name === 'plain') plain = result.perSecond
    console.log(
      `round ${round} ${name.padEnd(17)} ${result.perSecond.toFixed(0).padStart(6)} calls/s  p50 ${result.p50.toFixed(2)} ms  p99 ${result.p99.toFixed(2)} ms  plain/this ${(plain / result.perSecond).toFixed(2)}x`,
    )
  }
}
await redis?.close()
