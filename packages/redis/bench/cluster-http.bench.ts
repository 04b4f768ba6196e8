// Cluster mode's cost on one instance over HTTP, as a user sees it: child processes serve one
// handler each with node:http (toNodeHandler) on loopback, and this process drives tools/call echo
// with raw keep-alive POSTs at concurrency 16, each lane on a session of its own (and, with
// SHARED=1, also all lanes on one session). Variants: plain handler, memory cluster, Redis cluster
// (node-redis, on a redis-server this bench starts on a free port and stops). The three servers
// run throughout; each round takes every variant in short chunks in turn, and prints calls/s,
// p50/p99, the latency ratio to plain, CPU per call of the server, Redis and this load generator,
// and for Redis the scripts per call and their µs (INFO commandstats); the end prints the median
// ratio over the rounds.
// Run from packages/redis: npx tsx bench/cluster-http.bench.ts   (ROUNDS=4 CALLS=3000 CHUNKS=6
// SHARED=1 CPU_PROF_DIR=/tmp/prof STATS=1 for every Redis command's count and time)
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
const WARMUP = 1000
const CHUNKS = Number(process.env.CHUNKS ?? 6)
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

/** One load shape on one server: 16 keep-alive lanes, each on a session of its own or all on one. */
interface Target {
  readonly variant: Variant
  readonly shared: boolean
  readonly server: Server
  readonly lanes: RawHttpClient[]
  readonly sessions: string[]
}

async function openTarget(server: Server, shared: boolean): Promise<Target> {
  const lanes = Array.from({ length: CONCURRENCY }, () => new RawHttpClient(server.port))
  const sessions: string[] = []
  for (const lane of lanes) {
    sessions.push(
      shared && sessions.length > 0 ? sessions[0]! : await initialize(server.port, lane),
    )
  }
  return { variant: server.variant, shared, server, lanes, sessions }
}

let nextId = 1

/** `calls` tools/call over the target's lanes; their latencies (ms) and the wall time (s). */
async function drive(
  target: Target,
  calls: number,
): Promise<{ latencies: number[]; seconds: number }> {
  const latencies: number[] = []
  let left = calls
  const deadline = performance.now() + RUN_LIMIT_MS
  const started = performance.now()
  await Promise.all(
    target.lanes.map(async (client, lane) => {
      while (left > 0 && performance.now() < deadline) {
        left--
        const id = nextId++
        const t0 = performance.now()
        const reply = await postMcp(
          target.server.port,
          client,
          {
            jsonrpc: '2.0',
            id,
            method: 'tools/call',
            params: { name: 'echo', arguments: { text: 'x' } },
          },
          { 'mcp-protocol-version': VERSION, 'mcp-session-id': target.sessions[lane]! },
        )
        if (replyMessage(reply).result === undefined) {
          throw new Error(`call ${id} failed: ${reply.body.slice(0, 200)}`)
        }
        latencies.push(performance.now() - t0)
      }
    }),
  )
  return { latencies, seconds: (performance.now() - started) / 1000 }
}

/** A section of the bench's redis-server's INFO, read on one connection kept for the run. */
type RedisInfo = (section: string) => Promise<string>

/** Per Redis command: calls and total µs, from INFO commandstats. */
async function commandStats(
  redisInfo: RedisInfo,
): Promise<Map<string, { calls: number; usec: number }>> {
  const info = await redisInfo('commandstats')
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
async function redisCpu(redisInfo: RedisInfo): Promise<number> {
  const info = await redisInfo('cpu')
  const field = (name: string) => Number(info.match(new RegExp(`${name}:([\\d.]+)`))?.[1] ?? 0)
  return (field('used_cpu_user') + field('used_cpu_sys')) * 1e6
}

/** A server child serving one variant. */
interface Server {
  readonly variant: Variant
  readonly child: ChildProcess
  readonly port: number
}

async function startServer(variant: Variant, redisUrl: string): Promise<Server> {
  // CPU_PROF_DIR=<dir> writes a V8 CPU profile of each server child there.
  const profile = process.env.CPU_PROF_DIR
  const child = fork(process.argv[1]!, ['serve', variant, redisUrl], {
    stdio: 'inherit',
    execArgv: profile
      ? [...process.execArgv, '--cpu-prof', `--cpu-prof-dir=${profile}`]
      : undefined,
  })
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { port: number }) => resolve(m.port))
    child.once('exit', (code) => reject(new Error(`server exited (${code})`)))
  })
  return { variant, child, port }
}

async function stopServer(server: Server): Promise<void> {
  const { child } = server
  const exited = new Promise((resolve) => child.once('exit', resolve))
  if (child.connected) child.send('stop')
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3000))])
  if (child.exitCode === null) child.kill('SIGKILL')
}

/** What one target measured over a round: latencies, wall time and CPU time (µs). */
interface Tally {
  latencies: number[]
  seconds: number
  serverCpu: number
  redisCpu: number
  clientCpu: number
}

/** Runs one chunk on a target and adds it to the tally. */
async function chunk(target: Target, calls: number, redisInfo: RedisInfo, tally: Tally) {
  const server0 = await serverCpu(target.server.child)
  const redis0 = await redisCpu(redisInfo)
  const client0 = process.cpuUsage()
  const { latencies, seconds } = await drive(target, calls)
  const client = process.cpuUsage(client0)
  tally.clientCpu += client.user + client.system
  tally.serverCpu += (await serverCpu(target.server.child)) - server0
  tally.redisCpu += (await redisCpu(redisInfo)) - redis0
  tally.seconds += seconds
  tally.latencies.push(...latencies)
}

function summary(tally: Tally): Result {
  const sorted = [...tally.latencies].sort((a, b) => a - b)
  const n = sorted.length
  return {
    perSecond: n / tally.seconds,
    p50: sorted[Math.floor(n * 0.5)]!,
    p99: sorted[Math.floor(n * 0.99)]!,
    cpu: {
      server: tally.serverCpu / n,
      redis: tally.redisCpu / n,
      client: tally.clientCpu / n,
    },
  }
}

/**
 * Every variant's server runs for the whole benchmark; each round runs CHUNKS short chunks of
 * every target in turn (the order rotating), so that the machine's drift, which on two shared
 * cores moves one server's throughput by 30% within a minute, falls on every variant alike.
 */
async function main(): Promise<void> {
  const redis = await startRedisServer(ensureRedisServer())
  const { createClient } = await import('redis')
  const statsClient = await createClient({ url: redis.url }).connect()
  const redisInfo: RedisInfo = (section) => statsClient.info(section)
  const servers: Server[] = []
  try {
    const shapes = process.env.SHARED === '1' ? [false, true] : [false]
    const { loadavg } = await import('node:os')
    console.log(
      `tools/call echo over node:http on loopback at concurrency ${CONCURRENCY}: ${ROUNDS} rounds of ${CALLS} calls per target, each round in ${CHUNKS} chunks per target taken in turn, after ${WARMUP} warm-up calls per target; load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    )
    for (const variant of VARIANTS) servers.push(await startServer(variant, redis.url))
    const targets: Target[] = []
    for (const shared of shapes) {
      for (const server of servers) targets.push(await openTarget(server, shared))
    }
    for (const target of targets) await drive(target, WARMUP)
    const ratios = new Map<string, number[]>()
    for (let round = 1; round <= ROUNDS; round++) {
      const tallies = targets.map(
        (): Tally => ({ latencies: [], seconds: 0, serverCpu: 0, redisCpu: 0, clientCpu: 0 }),
      )
      const before = await commandStats(redisInfo)
      for (let c = 0; c < CHUNKS; c++) {
        for (let i = 0; i < targets.length; i++) {
          const k = (i + c) % targets.length
          await chunk(targets[k]!, Math.ceil(CALLS / CHUNKS), redisInfo, tallies[k]!)
        }
      }
      const after = await commandStats(redisInfo)
      const plain = new Map<boolean, Result>()
      for (let i = 0; i < targets.length; i++) {
        const target = targets[i]!
        const r = summary(tallies[i]!)
        if (target.variant === 'plain') plain.set(target.shared, r)
        const base = plain.get(target.shared)!
        const shape = target.shared ? '1 session ' : '16 sessions'
        const ratio = r.p50 / base.p50
        if (target.variant !== 'plain') {
          const key = `${shape} ${target.variant}`
          ratios.set(key, [...(ratios.get(key) ?? []), ratio])
        }
        const cpu = `  CPU/call µs server ${r.cpu!.server.toFixed(0)} redis ${r.cpu!.redis.toFixed(0)} client ${r.cpu!.client.toFixed(0)}`
        const extra =
          target.variant === 'redis'
            ? `  ${redisLine(before, after, tallies[i]!.latencies.length)}`
            : ''
        console.log(
          `round ${round} ${shape} ${target.variant.padEnd(6)} ${r.perSecond.toFixed(0).padStart(6)} calls/s  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms  p50 ratio ${ratio.toFixed(2)}x  calls/s ratio ${(base.perSecond / r.perSecond).toFixed(2)}x${cpu}${extra}`,
        )
      }
    }
    for (const [key, values] of ratios) {
      const sorted = [...values].sort((a, b) => a - b)
      console.log(
        `${key}: p50 latency / plain over ${sorted.length} rounds: median ${sorted[Math.floor((sorted.length - 1) / 2)]!.toFixed(2)}x, ${sorted[0]!.toFixed(2)}x to ${sorted.at(-1)!.toFixed(2)}x`,
      )
    }
  } finally {
    await Promise.all(servers.map(stopServer))
    await statsClient.close()
    await redis.stop()
  }
}

/**
 * The Redis commands of a round (only the Redis variant sends any; with SHARED=1 both of its
 * shapes share the counts): scripts per call and their µs, with STATS=1 every command's.
 */
function redisLine(
  before: Map<string, { calls: number; usec: number }>,
  after: Map<string, { calls: number; usec: number }>,
  calls: number,
): string {
  const delta = (name: string) => {
    const a = after.get(name) ?? { calls: 0, usec: 0 }
    const b = before.get(name) ?? { calls: 0, usec: 0 }
    return { calls: a.calls - b.calls, usec: a.usec - b.usec }
  }
  if (process.env.STATS === '1') {
    for (const name of after.keys()) {
      const d = delta(name)
      if (d.calls > 0 && name !== 'info') {
        console.log(
          `  ${name.padEnd(10)} ${(d.calls / calls).toFixed(2)}/call  ${(d.usec / d.calls).toFixed(1)} µs each`,
        )
      }
    }
  }
  const evalsha = delta('evalsha')
  const pexpire = delta('pexpire')
  return `EVALSHA ${(evalsha.calls / calls).toFixed(2)}/call ${(evalsha.usec / evalsha.calls).toFixed(0)} µs each, PEXPIRE ${(pexpire.calls / calls).toFixed(1)}/call`
}

if (process.argv[2] === 'serve') await serveChild(process.argv[3] as Variant, process.argv[4]!)
else await main()
