// The cluster report: runs the proxy scenarios (test/cluster-proxy.test.ts) and prints messages
// lost, duplicated and out of order per scenario; then drives tools/call echo at concurrency 16
// (16 sessions, raw keep-alive POSTs) against the Node sample app as (a) one plain instance,
// (b) one instance in cluster mode on Redis, (c) three cluster instances behind the round-robin
// proxy, printing calls/s, p50/p99, Redis round trips per call (commands the instances sent,
// from their stats) with EVALSHA per call from INFO commandstats, server rebuilds, and the share
// of requests served by another instance than the session's previous one; last, Redis memory
// per idle session (MEMORY USAGE of every key of one session) after initialize and after 100
// calls. Starts its own redis-server on a free loopback port and stops everything it starts.
//
// From apps/node: pnpm bench:cluster   (ROUNDS=3 CALLS=2000 SCENARIOS=0 to skip the scenarios)
import { spawnSync } from 'node:child_process'
import { readFileSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { type RunningApp, startApp } from '@mcpwire/app-shared/testing'
import { createClient } from 'redis'
import { ensureRedisServer, startRedisServer } from '../../../packages/redis/test/_redis-server.js'
import { postMcp, replyMessage } from '../../../packages/server/bench/_bench-kit.js'
import { RawHttpClient } from '../../../packages/server/bench/_raw-http-client.js'
import { type RoundRobinProxy, startRoundRobinProxy } from '../test/_round-robin-proxy.js'

const CONCURRENCY = 16
const CALLS = Number(process.env.CALLS ?? 2000)
const WARMUP = 200
const ROUNDS = Number(process.env.ROUNDS ?? 3)
const RUN_LIMIT_MS = 30_000
const VERSION = '2025-11-25'
const here = new URL('..', import.meta.url).pathname

type Redis = ReturnType<typeof createClient>

interface Target {
  readonly name: string
  readonly port: number
  readonly apps: readonly RunningApp[]
  readonly proxy?: RoundRobinProxy
}

interface Stats {
  rebuiltServers: number
  redisCommands: number
}

async function stats(apps: readonly RunningApp[]): Promise<Stats> {
  const all = await Promise.all(
    apps.map(async (app) => (await (await fetch(`${app.url}/soak-stats`)).json()) as Stats),
  )
  return {
    rebuiltServers: all.reduce((sum, s) => sum + s.rebuiltServers, 0),
    redisCommands: all.reduce((sum, s) => sum + (s.redisCommands ?? 0), 0),
  }
}

const initializeMessage = {
  jsonrpc: '2.0',
  id: 0,
  method: 'initialize',
  params: {
    protocolVersion: VERSION,
    capabilities: { roots: { listChanged: true }, sampling: {}, elicitation: {} },
    clientInfo: { name: 'cluster-report', version: '1.0.0' },
  },
}

async function openSession(port: number, lane: RawHttpClient): Promise<string> {
  const reply = await postMcp(port, lane, initializeMessage, {})
  if (reply.sessionId === undefined) throw new Error(`initialize failed: ${reply.body}`)
  const headers = { 'mcp-protocol-version': VERSION, 'mcp-session-id': reply.sessionId }
  await postMcp(port, lane, { jsonrpc: '2.0', method: 'notifications/initialized' }, headers)
  return reply.sessionId
}

async function call(
  port: number,
  lane: RawHttpClient,
  sessionId: string,
  id: number,
): Promise<void> {
  const reply = await postMcp(
    port,
    lane,
    {
      jsonrpc: '2.0',
      id,
      method: 'tools/call',
      params: { name: 'echo', arguments: { text: 'x' } },
    },
    { 'mcp-protocol-version': VERSION, 'mcp-session-id': sessionId },
  )
  if (replyMessage(reply).result === undefined) {
    throw new Error(`call ${id} failed (${reply.status}): ${reply.body.slice(0, 200)}`)
  }
}

/** `calls` tools/call over 16 lanes, each on its own keep-alive socket and session. */
async function drive(
  port: number,
  sessions: readonly string[],
  lanes: readonly RawHttpClient[],
  calls: number,
) {
  const latencies: number[] = []
  let next = 1
  const deadline = performance.now() + RUN_LIMIT_MS
  const started = performance.now()
  await Promise.all(
    lanes.map(async (client, lane) => {
      while (next <= calls && performance.now() < deadline) {
        const id = next++
        const t0 = performance.now()
        await call(port, client, sessions[lane]!, id)
        latencies.push(performance.now() - t0)
      }
    }),
  )
  const seconds = (performance.now() - started) / 1000
  latencies.sort((a, b) => a - b)
  return {
    calls: latencies.length,
    perSecond: latencies.length / seconds,
    p50: latencies[Math.floor(latencies.length * 0.5)]!,
    p99: latencies[Math.floor(latencies.length * 0.99)]!,
  }
}

async function evalshaCalls(redis: Redis): Promise<number> {
  const info = await redis.info('commandstats')
  return Number(/cmdstat_evalsha:calls=(\d+)/.exec(info)?.[1] ?? 0)
}

/** Share of a session's requests served by another instance than its previous one. */
function crossShare(proxy: RoundRobinProxy, sessions: readonly string[]): number {
  let changes = 0
  let pairs = 0
  for (const sessionId of sessions) {
    const entries = proxy.sessionLog(sessionId)
    for (let i = 1; i < entries.length; i++) {
      pairs++
      if (entries[i]!.instance !== entries[i - 1]!.instance) changes++
    }
  }
  return pairs === 0 ? 0 : changes / pairs
}

async function measure(target: Target, redis: Redis) {
  const lanes = Array.from({ length: CONCURRENCY }, () => new RawHttpClient(target.port))
  try {
    const atStart = await stats(target.apps)
    const sessions: string[] = []
    for (const lane of lanes) sessions.push(await openSession(target.port, lane))
    await drive(target.port, sessions, lanes, WARMUP)
    const before = await stats(target.apps)
    const evalBefore = await evalshaCalls(redis)
    const result = await drive(target.port, sessions, lanes, CALLS)
    const after = await stats(target.apps)
    const evalAfter = await evalshaCalls(redis)
    return {
      ...result,
      roundTrips: (after.redisCommands - before.redisCommands) / result.calls,
      evalsha: (evalAfter - evalBefore) / result.calls,
      rebuildsPerSession: (before.rebuiltServers - atStart.rebuiltServers) / sessions.length,
      rebuildsRun: after.rebuiltServers - before.rebuiltServers,
      cross: target.proxy === undefined ? undefined : crossShare(target.proxy, sessions),
    }
  } finally {
    for (const lane of lanes) lane.close()
  }
}

/** Bytes of every key of one session (MEMORY USAGE ... SAMPLES 0), and how many keys. */
async function sessionMemory(
  redis: Redis,
  sessionId: string,
): Promise<{ keys: number; bytes: number }> {
  let cursor = '0'
  let keys = 0
  let bytes = 0
  do {
    const [next, found] = (await redis.sendCommand([
      'SCAN',
      cursor,
      'MATCH',
      `mw:{${sessionId}}*`,
      'COUNT',
      '1000',
    ])) as [string, string[]]
    cursor = next
    for (const key of found) {
      keys++
      bytes += Number(await redis.sendCommand(['MEMORY', 'USAGE', key, 'SAMPLES', '0']))
    }
  } while (cursor !== '0')
  return { keys, bytes }
}

function runScenarios(redisUrl: string): void {
  const file = join(tmpdir(), `mcpwire-cluster-report-${process.pid}.json`)
  const started = Date.now()
  const run = spawnSync(
    process.execPath,
    [join(here, 'node_modules/vitest/vitest.mjs'), 'run', 'test/cluster-proxy.test.ts'],
    {
      cwd: here,
      env: { ...process.env, MCPWIRE_REDIS_URL: redisUrl, MCPWIRE_CLUSTER_REPORT: file },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  )
  const rows = JSON.parse(readFileSync(file, 'utf8')) as {
    scenario: string
    client: string
    requests: number
    instances: number
    crossInstance: number
    lost: number
    duplicated: number
    outOfOrder: number
    note?: string
  }[]
  rmSync(file, { force: true })
  console.log(
    `\nScenarios (test/cluster-proxy.test.ts, ${((Date.now() - started) / 1000).toFixed(0)} s, exit ${run.status}):\n`,
  )
  console.log(
    '| scenario | client | requests | instances | cross-instance | lost | dup | out of order | note |',
  )
  console.log('| --- | --- | --: | --: | --: | --: | --: | --: | --- |')
  for (const r of rows) {
    console.log(
      `| ${r.scenario} | ${r.client} | ${r.requests} | ${r.instances} | ${r.crossInstance.toFixed(2)} | ${r.lost} | ${r.duplicated} | ${r.outOfOrder} | ${r.note ?? ''} |`,
    )
  }
  const sum = (key: 'lost' | 'duplicated' | 'outOfOrder') => rows.reduce((a, r) => a + r[key], 0)
  console.log(
    `\nTotal: lost ${sum('lost')}, duplicated ${sum('duplicated')}, out of order ${sum('outOfOrder')}`,
  )
}

async function main(): Promise<void> {
  const server = await startRedisServer(ensureRedisServer())
  const redis: Redis = createClient({ url: server.url })
  redis.on('error', () => {})
  await redis.connect()
  const apps: RunningApp[] = []
  let proxy: RoundRobinProxy | undefined
  try {
    if (process.env.SCENARIOS !== '0') runScenarios(server.url)
    const env = { MCPWIRE_SOAK_STATS: '1', HIBERNATE_AFTER_MS: '60000' }
    const cluster = (id: string) => ({ ...env, REDIS_URL: server.url, INSTANCE_ID: id })
    const started = await Promise.all([
      startApp('node', 60_000, env),
      startApp('node', 60_000, cluster('solo')),
      ...[0, 1, 2].map((n) => startApp('node', 60_000, cluster(`app${n}`))),
    ])
    apps.push(...started)
    proxy = await startRoundRobinProxy(started.slice(2).map((app) => app.url))
    const port = (url: string) => Number(new URL(url).port)
    const targets: Target[] = [
      { name: '1 plain instance', port: port(started[0]!.url), apps: [started[0]!] },
      { name: '1 instance, cluster mode', port: port(started[1]!.url), apps: [started[1]!] },
      { name: '3 instances + proxy', port: port(proxy.url), apps: started.slice(2), proxy },
    ]
    console.log(
      `\ntools/call echo, ${CALLS} calls at concurrency ${CONCURRENCY} (16 sessions) after ${WARMUP} warm-up, ${ROUNDS} rounds after an unprinted one; load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(
          ' ',
        )}. On 2 shared cores, three instances plus Redis, the proxy and this client share the cores: the third row shows overhead, not scaling.\n`,
    )
    console.log(
      '| round | target | calls/s | p50 ms | p99 ms | p50 / plain | Redis round trips/call | EVALSHA/call | server rebuilds (per new session / in the run) | cross-instance |',
    )
    console.log('| --: | --- | --: | --: | --: | --: | --: | --: | --: | --: |')
    // One unprinted round first, so that no target is measured while its JIT is still cold (the
    // plain instance used to warm up over the printed rounds and skew their ratios).
    for (const target of targets) await measure(target, redis)
    for (let round = 1; round <= ROUNDS; round++) {
      let plainP50 = 0
      for (const target of targets) {
        const r = await measure(target, redis)
        if (target.apps[0] === started[0]) plainP50 = r.p50
        const cluster = target.apps[0] !== started[0]
        console.log(
          `| ${round} | ${target.name} | ${r.perSecond.toFixed(0)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${(r.p50 / plainP50).toFixed(2)}x | ${cluster ? r.roundTrips.toFixed(2) : ''} | ${cluster ? r.evalsha.toFixed(2) : ''} | ${cluster ? `${r.rebuildsPerSession.toFixed(1)} / ${r.rebuildsRun}` : ''} | ${r.cross === undefined ? '' : r.cross.toFixed(2)} |`,
        )
      }
    }

    // Memory per idle session in Redis, through the real handler (the sample app's server).
    console.log(
      '\nRedis memory per idle session (MEMORY USAGE ... SAMPLES 0 over every key of the session):\n',
    )
    console.log('| session | keys | bytes |')
    console.log('| --- | --: | --: |')
    for (const [label, url] of [
      ['1 instance', started[1]!.url],
      ['3 instances + proxy', proxy.url],
    ] as const) {
      const lane = new RawHttpClient(port(url))
      const sessionId = await openSession(port(url), lane)
      const fresh = await sessionMemory(redis, sessionId)
      console.log(`| ${label}: after initialize | ${fresh.keys} | ${fresh.bytes} |`)
      for (let i = 1; i <= 100; i++) await call(port(url), lane, sessionId, i)
      const busy = await sessionMemory(redis, sessionId)
      console.log(`| ${label}: after 100 calls | ${busy.keys} | ${busy.bytes} |`)
      lane.close()
    }
  } finally {
    await proxy?.close()
    await Promise.all(apps.map((app) => app.stop(5000)))
    await redis.quit().catch(() => {})
    await server.stop()
  }
}

await main()
