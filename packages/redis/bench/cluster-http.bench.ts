// Cluster mode's cost on one instance over HTTP, as a user sees it: a child process serves one
// handler with node:http (toNodeHandler) on loopback, and this process drives tools/call echo with
// raw keep-alive POSTs at concurrency 16, each lane on a session of its own (and, with SHARED=1,
// also all lanes on one session). Variants: plain handler, memory cluster, Redis cluster
// (node-redis, on a redis-server this bench starts on a free port and stops). Rounds interleave
// the variants; each prints calls/s, p50/p99 and the latency ratio to plain, and for Redis the
// commands per call and the server's µs per command (INFO commandstats).
// Run from packages/redis: npx tsx bench/cluster-http.bench.ts   (ROUNDS=4 CALLS=3000 SHARED=1
// CPU_PROF_DIR=/tmp/prof STATS=1 for every Redis command's count and time)
import { type ChildProcess, fork } from 'node:child_process'
import { postMcp, replyMessage } from '../../server/bench/_bench-kit.js'
import { RawHttpClient } from '../../server/bench/_raw-http-client.js'
import {
  type ClusterBackend,
  createMcpHandler,
  createMemoryCluster,
} from '../../server/src/index.js'
import { toNodeHandler } from '../../server/src/node/index.js'
import { buildClusterServer } from '../../server/test/_cluster.js'
import { ensureRedisServer, startRedisServer } from '../test/_redis-server.js'

const CONCURRENCY = 16
const CALLS = Number(process.env.CALLS ?? 3000)
const WARMUP = 500
const ROUNDS = Number(process.env.ROUNDS ?? 4)
const RUN_LIMIT_MS = 30_000
const VERSION = '2025-11-25'
const VARIANTS = ['plain', 'memory', 'redis'] as const
type Variant = (typeof VARIANTS)[number]

/** Child: serve one variant on 127.0.0.1 and report the port over IPC. */
async function serveChild(variant: Variant, redisUrl: string): Promise<void> {
  const { createServer } = await import('node:http')
  let backend: ClusterBackend | undefined
  let closeRedis = async (): Promise<void> => {}
  if (variant === 'memory') backend = createMemoryCluster()
  if (variant === 'redis') {
    const { createClient } = await import('redis')
    const { createRedisCluster, fromNodeRedis } = await import('../src/index.js')
    // The client options the README recommends (no per-command timer of node-redis's own, no
    // offline queue): the adapter bounds every command itself.
    const client = await createClient({
      url: redisUrl,
      commandOptions: { timeout: 0 },
      disableOfflineQueue: true,
    }).connect()
    const subscriber = await client.duplicate().connect()
    backend = createRedisCluster(fromNodeRedis(client, subscriber), {
      prefix: `bench${process.pid}`,
    })
    closeRedis = async () => {
      await Promise.all([client.close(), subscriber.close()])
    }
  }
  const mcp = createMcpHandler({
    connect: (transport) => buildClusterServer('bench').connect(transport),
    hibernateAfterMs: 60_000,
    ...(backend === undefined ? {} : { cluster: { ...backend, instanceId: 'bench' } }),
  })
  const server = createServer(toNodeHandler(mcp.fetch))
  server.keepAliveTimeout = 60_000
  server.listen(0, '127.0.0.1', () => {
    const address = server.address()
    process.send?.({ port: typeof address === 'object' && address ? address.port : 0 })
  })
  process.on('message', async (message) => {
    if (message === 'cpu') {
      const { user, system } = process.cpuUsage()
      process.send?.({ cpu: user + system })
      return
    }
    server.closeAllConnections()
    server.close()
    await mcp.close()
    await closeRedis()
    process.exit(0)
  })
}

interface Result {
  perSecond: number
  p50: number
  p99: number
  /** CPU time per call, µs: the server process, redis-server, this load generator. */
  cpu?: { server: number; redis: number; client: number }
}

async function initialize(port: number, lane: RawHttpClient): Promise<string> {
  const reply = await postMcp(
    port,
    lane,
    {
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: {
        protocolVersion: VERSION,
        capabilities: {},
        clientInfo: { name: 'b', version: '1' },
      },
    },
    { 'mcp-protocol-version': VERSION },
  )
  if (reply.sessionId === undefined) throw new Error(`initialize failed: ${reply.body}`)
  return reply.sessionId
}

/** `calls` tools/call over 16 lanes, each on its own keep-alive socket. */
async function drive(port: number, shared: boolean, calls: number): Promise<Result> {
  const lanes = Array.from({ length: CONCURRENCY }, () => new RawHttpClient(port))
  const sessions: string[] = []
  for (const lane of lanes) {
    sessions.push(shared && sessions.length > 0 ? sessions[0]! : await initialize(port, lane))
  }
  const latencies: number[] = []
  let next = 1
  const deadline = performance.now() + RUN_LIMIT_MS
  const started = performance.now()
  await Promise.all(
    lanes.map(async (client, lane) => {
      while (next <= calls && performance.now() < deadline) {
        const id = next++
        const t0 = performance.now()
        const reply = await postMcp(
          port,
          client,
          {
            jsonrpc: '2.0',
            id,
            method: 'tools/call',
            params: { name: 'echo', arguments: { text: 'x' } },
          },
          { 'mcp-protocol-version': VERSION, 'mcp-session-id': sessions[lane]! },
        )
        if (replyMessage(reply).result === undefined) {
          throw new Error(`call ${id} failed: ${reply.body.slice(0, 200)}`)
        }
        latencies.push(performance.now() - t0)
      }
    }),
  )
  const seconds = (performance.now() - started) / 1000
  for (const lane of lanes) lane.close()
  latencies.sort((a, b) => a - b)
  return {
    perSecond: latencies.length / seconds,
    p50: latencies[Math.floor(latencies.length * 0.5)]!,
    p99: latencies[Math.floor(latencies.length * 0.99)]!,
  }
}

/** Per Redis command: calls and total µs, from INFO commandstats. */
async function commandStats(url: string): Promise<Map<string, { calls: number; usec: number }>> {
  const { createClient } = await import('redis')
  const client = await createClient({ url }).connect()
  const info = await client.info('commandstats')
  await client.close()
  const stats = new Map<string, { calls: number; usec: number }>()
  for (const match of info.matchAll(/cmdstat_(\w+):calls=(\d+),usec=(\d+)/g)) {
    stats.set(match[1]!, { calls: Number(match[2]), usec: Number(match[3]) })
  }
  return stats
}

/** The server child's CPU time so far, µs. */
function serverCpu(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    const listener = (message: { cpu?: number }) => {
      if (message.cpu === undefined) return
      child.off('message', listener)
      resolve(message.cpu)
    }
    child.on('message', listener)
    child.send('cpu')
  })
}

/** redis-server's CPU time so far, µs (INFO cpu). */
async function redisCpu(url: string): Promise<number> {
  const { createClient } = await import('redis')
  const client = await createClient({ url }).connect()
  const info = await client.info('cpu')
  await client.close()
  const field = (name: string) => Number(info.match(new RegExp(`${name}:([\\d.]+)`))?.[1] ?? 0)
  return (field('used_cpu_user') + field('used_cpu_sys')) * 1e6
}

async function measure(
  variant: Variant,
  redisUrl: string,
  shared: boolean,
): Promise<Result & { redis?: string }> {
  // CPU_PROF_DIR=<dir> writes a V8 CPU profile of each server child there.
  const profile = process.env.CPU_PROF_DIR
  const child = fork(process.argv[1]!, ['serve', variant, redisUrl], {
    stdio: 'inherit',
    execArgv: profile
      ? [...process.execArgv, '--cpu-prof', `--cpu-prof-dir=${profile}`]
      : undefined,
  })
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.once('message', (m: { port: number }) => resolve(m.port))
      child.once('exit', (code) => reject(new Error(`server exited (${code})`)))
    })
    await drive(port, shared, WARMUP)
    const before = variant === 'redis' ? await commandStats(redisUrl) : undefined
    const cpuBefore = [
      await serverCpu(child),
      await redisCpu(redisUrl),
      process.cpuUsage(),
    ] as const
    const measured = await drive(port, shared, CALLS)
    const perCall = (micros: number) => micros / CALLS
    const clientCpu = process.cpuUsage(cpuBefore[2])
    const result: Result = {
      ...measured,
      cpu: {
        server: perCall((await serverCpu(child)) - cpuBefore[0]),
        redis: perCall((await redisCpu(redisUrl)) - cpuBefore[1]),
        client: perCall(clientCpu.user + clientCpu.system),
      },
    }
    if (before === undefined) return result
    const after = await commandStats(redisUrl)
    // Round trips are the scripts (EVALSHA); commands run inside them are counted too, under
    // their own names (PEXPIRE...). The 16 initialize calls are in the counts, few next to CALLS.
    const delta = (name: string) => {
      const a = after.get(name) ?? { calls: 0, usec: 0 }
      const b = before.get(name) ?? { calls: 0, usec: 0 }
      return { calls: a.calls - b.calls, usec: a.usec - b.usec }
    }
    if (process.env.STATS === '1') {
      for (const name of after.keys()) {
        const d = delta(name)
        if (d.calls > 0) {
          console.log(
            `  ${name.padEnd(10)} ${(d.calls / CALLS).toFixed(2)}/call  ${(d.usec / d.calls).toFixed(1)} µs each`,
          )
        }
      }
    }
    const evalsha = delta('evalsha')
    const pexpire = delta('pexpire')
    return {
      ...result,
      redis: `EVALSHA ${(evalsha.calls / CALLS).toFixed(2)}/call ${(evalsha.usec / evalsha.calls).toFixed(0)} µs each, PEXPIRE ${(pexpire.calls / CALLS).toFixed(1)}/call`,
    }
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve))
    if (child.connected) child.send('stop')
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3000))])
    if (child.exitCode === null) child.kill('SIGKILL')
  }
}

async function main(): Promise<void> {
  const redis = await startRedisServer(ensureRedisServer())
  try {
    const shapes = process.env.SHARED === '1' ? [false, true] : [false]
    const { loadavg } = await import('node:os')
    console.log(
      `tools/call echo over node:http on loopback, ${CALLS} calls at concurrency ${CONCURRENCY} after ${WARMUP} warm-up, ${ROUNDS} rounds, load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    )
    for (let round = 1; round <= ROUNDS; round++) {
      for (const shared of shapes) {
        let plain: Result | undefined
        for (const variant of VARIANTS) {
          const r = await measure(variant, redis.url, shared)
          if (variant === 'plain') plain = r
          const cpu =
            r.cpu === undefined
              ? ''
              : `  CPU/call µs server ${r.cpu.server.toFixed(0)} redis ${r.cpu.redis.toFixed(0)} client ${r.cpu.client.toFixed(0)}`
          const extra = `${cpu}${r.redis === undefined ? '' : `  ${r.redis}`}`
          console.log(
            `round ${round} ${shared ? '1 session ' : '16 sessions'} ${variant.padEnd(6)} ${r.perSecond.toFixed(0).padStart(6)} calls/s  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms  p50 ratio ${(r.p50 / plain!.p50).toFixed(2)}x  calls/s ratio ${(plain!.perSecond / r.perSecond).toFixed(2)}x${extra}`,
          )
        }
      }
    }
  } finally {
    await redis.stop()
  }
}

if (process.argv[2] === 'serve') await serveChild(process.argv[3] as Variant, process.argv[4]!)
else await main()
