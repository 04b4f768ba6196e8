/**
 * Era benchmark, two comparisons in one run, every server an SDK v2 `McpServer` with one `echo`
 * tool, each implementation in its own child process on `node:http`, 127.0.0.1
 * (see _era-bench-server.ts for the implementations):
 *
 * (a) modern (2026-07-28) tools/call, no session: `createMcpHandler({ modern })` (direct Node path,
 *     and through the general Fetch bridge) against the SDK v2 handler alone with its own
 *     Host/Origin helpers in front. Target: the relay costs at most 10% (ratio >= 0.90x calls/s,
 *     <= 1.10x CPU per call).
 * (b) legacy (2025-11-25) tools/call in sessions: `createMcpHandler({ connect })` against the SDK v2
 *     sessionful Streamable HTTP transport. Target: >= 1.5x calls/s.
 *
 * This process is the load generator (_raw-http-client.ts, the same for every column): one
 * keep-alive `net.Socket` per client, POSTs written as prepared strings, each answer read to its
 * end and checked (status, id and echoed text), concurrency 1, 16 and 64; every level
 * has a warm-up bounded in calls and time, then runs SECONDS (at most 100,000 calls). Implementations run
 * interleaved, level by level, for ROUNDS rounds; each keeps its best calls per second and its
 * lowest CPU per call over the rounds (outside load only ever makes both worse).
 *
 * The servers import the built package (dist/), as users do, not src/ through tsx (whose
 * keep-names helper runs on every closure it creates); the run refuses a dist/ older than src/.
 *
 * Run: npx -y pnpm@10.34.8 --filter @mcpwire/server build && npx -y pnpm@10.34.8 --filter @mcpwire/server bench:era
 * Env: BENCH_ONLY (comma-separated impls), BENCH_SECONDS (default 2), BENCH_ROUNDS (default 3),
 * BENCH_CPU_PROF=1 (server .cpuprofile files in $TMPDIR/mcpwire-bench-profiles).
 */
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { BenchServerProcess, McpPost, printTable, type Reply, replyMessage } from './_bench-kit.js'
import type { EraImpl } from './_era-bench-server.js'
import { RawHttpClient } from './_raw-http-client.js'

const SECONDS = Number(process.env.BENCH_SECONDS ?? 2)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const MAX_CALLS_PER_LEVEL = 100_000
const CONCURRENCY = [1, 16, 64] as const
const SERVER_SCRIPT = fileURLToPath(new URL('./_era-bench-server.ts', import.meta.url))
const MODERN: readonly EraImpl[] = ['sdk-modern', 'ours-modern', 'ours-modern-fetch']
const LEGACY: readonly EraImpl[] = ['sdk2-sessions', 'ours-legacy']

const ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientCapabilities': {},
  'io.modelcontextprotocol/clientInfo': { name: 'bench', version: '1.0.0' },
}

/** One client on a connection of its own: modern (stateless, envelope on every request) or legacy (one session). */
class Client {
  readonly #port: number
  readonly #lane: RawHttpClient
  readonly #modern: boolean
  /** The tools/call POST, its headers serialized once (with the session id, once known). */
  #call: McpPost
  #nextId = 1

  constructor(port: number, modern: boolean) {
    this.#port = port
    this.#lane = new RawHttpClient(port)
    this.#modern = modern
    this.#call = new McpPost(
      port,
      modern
        ? { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'echo' }
        : {},
    )
  }

  /** TCP connections this client opened (one, unless a server closed a kept-alive connection). */
  get connects(): number {
    return this.#lane.connects
  }

  async open(): Promise<void> {
    if (this.#modern) return
    const reply = await new McpPost(this.#port, {}).send(this.#lane, {
      jsonrpc: '2.0',
      id: this.#nextId++,
      method: 'initialize',
      params: {
        protocolVersion: '2025-11-25',
        capabilities: {},
        clientInfo: { name: 'bench', version: '1.0.0' },
      },
    })
    if (reply.status !== 200 || reply.sessionId === undefined) {
      throw new Error(`initialize failed: ${reply.status} ${reply.body.slice(0, 200)}`)
    }
    replyMessage(reply)
    const session = { 'mcp-session-id': reply.sessionId, 'mcp-protocol-version': '2025-11-25' }
    this.#call = new McpPost(this.#port, session)
    const ack = await this.#call.send(this.#lane, {
      jsonrpc: '2.0',
      method: 'notifications/initialized',
    })
    if (ack.status !== 202) throw new Error(`initialized notification got ${ack.status}`)
  }

  async callEcho(text: string): Promise<void> {
    const id = this.#nextId++
    const params: Record<string, unknown> = { name: 'echo', arguments: { text } }
    if (this.#modern) params._meta = ENVELOPE
    const reply = await this.#call.send(this.#lane, {
      jsonrpc: '2.0',
      id,
      method: 'tools/call',
      params,
    })
    checkEcho(reply, id, text)
  }

  close(): void {
    this.#lane.close()
  }
}

/** Throws unless `reply` is the successful echo of `text` for request `id`: no broken server looks fast. */
function checkEcho(reply: Reply, id: number, text: string): void {
  const message = reply.status === 200 ? replyMessage(reply) : undefined
  if (message?.id !== id || message.result?.content?.[0]?.text !== text) {
    throw new Error(`tools/call failed: ${reply.status} ${reply.body.slice(0, 200)}`)
  }
}

interface Level {
  rps: number
  /** Server CPU (user + system) per call, µs. */
  serverCpu: number
  /** Load generator (this process) CPU per call, µs: printed per round, not kept. */
  clientCpu: number
}

async function throughput(
  server: BenchServerProcess,
  modern: boolean,
  concurrency: number,
): Promise<Level> {
  const clients = Array.from({ length: concurrency }, () => new Client(server.port, modern))
  try {
    await Promise.all(clients.map((client) => client.open()))
    // Warm-up: at most 500 calls per client and at most half a level's time.
    const warmUntil = performance.now() + (SECONDS * 1000) / 2
    await Promise.all(
      clients.map(async (client) => {
        for (let i = 0; i < 500 && performance.now() < warmUntil; i++) await client.callEcho('warm')
      }),
    )
    let calls = 0
    const cpuBefore = await server.cpuMicros()
    const clientCpuBefore = process.cpuUsage()
    const start = performance.now()
    const deadline = start + SECONDS * 1000
    await Promise.all(
      clients.map(async (client, c) => {
        while (performance.now() < deadline && calls < MAX_CALLS_PER_LEVEL) {
          await client.callEcho(`hello ${c}`)
          calls++
        }
      }),
    )
    const seconds = (performance.now() - start) / 1000
    const clientCpu = process.cpuUsage(clientCpuBefore)
    const cpu = (await server.cpuMicros()) - cpuBefore
    // A server that closed kept-alive connections would make its column pay for new ones.
    const connects = clients.reduce((sum, client) => sum + client.connects, 0)
    if (connects !== concurrency)
      console.error(`  note: ${connects} connections for ${concurrency} clients`)
    return {
      rps: calls / seconds,
      serverCpu: cpu / calls,
      clientCpu: (clientCpu.user + clientCpu.system) / calls,
    }
  } finally {
    for (const client of clients) client.close()
  }
}

function format(value: number, digits = 0): string {
  return value.toLocaleString('en-US', {
    maximumFractionDigits: digits,
    minimumFractionDigits: digits,
  })
}

const LABELS: Record<EraImpl, string> = {
  'sdk-modern': 'SDK v2 handler + its Host/Origin helpers',
  'ours-modern': 'createMcpHandler({ modern }), toNodeHandler(mcp.fetch)',
  'ours-modern-fetch': 'createMcpHandler({ modern }) via the Fetch bridge',
  'sdk2-sessions': 'SDK v2 sessionful WebStandard transport',
  'ours-legacy': 'createMcpHandler({ connect }), toNodeHandler(mcp.fetch)',
}

function table(
  title: string,
  impls: readonly EraImpl[],
  results: Map<EraImpl, Map<number, Level>>,
  base: EraImpl,
): void {
  const others = impls.filter((impl) => impl !== base && results.has(impl))
  const header = [
    title,
    LABELS[base],
    ...others.flatMap((impl) => [LABELS[impl], `ratio to ${base}`]),
  ]
  const rows: string[][] = [header]
  for (const [label, pick, unit] of [
    ['tools/call per s', (l: Level) => l.rps, ''],
    ['server CPU per call', (l: Level) => l.serverCpu, ' µs'],
  ] as const) {
    for (const concurrency of CONCURRENCY) {
      const b = results.get(base)?.get(concurrency)
      const row = [`${label}, concurrency ${concurrency}`, b ? `${format(pick(b))}${unit}` : 'n/a']
      for (const impl of others) {
        const o = results.get(impl)?.get(concurrency)
        row.push(o ? `${format(pick(o))}${unit}` : 'n/a')
        row.push(o && b ? `${format(pick(o) / pick(b), 2)}x` : 'n/a')
      }
      rows.push(row)
    }
  }
  printTable(rows)
  console.log('')
}

/** Stops a run that would measure a stale build: the servers import dist/, not src/. */
function assertBuildIsFresh(): void {
  const at = (path: string): string => fileURLToPath(new URL(path, import.meta.url))
  const src = at('../src')
  const newestSource = Math.max(
    ...readdirSync(src, { recursive: true })
      .map(String)
      .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
      .map((file) => statSync(join(src, file)).mtimeMs),
  )
  const built = Math.min(
    ...['../dist/index.js', '../dist/node/index.js'].map(
      (file) => statSync(at(file), { throwIfNoEntry: false })?.mtimeMs ?? 0,
    ),
  )
  if (built < newestSource) {
    throw new Error(
      'dist/ is older than src/: run `npx -y pnpm@10.34.8 --filter @mcpwire/server build` first',
    )
  }
}

async function main(): Promise<void> {
  assertBuildIsFresh()
  const only = process.env.BENCH_ONLY?.split(',') as EraImpl[] | undefined
  const impls = only ?? [...MODERN, ...LEGACY]
  console.error(`node ${process.version}, best of ${ROUNDS} rounds of ${SECONDS} s per level`)
  const servers = new Map<EraImpl, BenchServerProcess>()
  for (const impl of impls)
    servers.set(impl, await BenchServerProcess.start(SERVER_SCRIPT, [impl], ['--import', 'tsx']))
  const results = new Map<EraImpl, Map<number, Level>>()
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      for (const concurrency of CONCURRENCY) {
        for (const [impl, server] of servers) {
          const level = await throughput(server, MODERN.includes(impl), concurrency)
          console.error(
            `  round ${round} ${impl} c=${concurrency}: ${format(level.rps)} calls/s, ${format(level.serverCpu)} µs CPU/call, load generator ${format(level.clientCpu)} µs/call`,
          )
          const levels = results.get(impl) ?? new Map<number, Level>()
          results.set(impl, levels)
          // Each figure keeps its best round on its own: most calls per second, least CPU per call.
          const best = levels.get(concurrency)
          levels.set(concurrency, {
            rps: Math.max(best?.rps ?? 0, level.rps),
            serverCpu: Math.min(best?.serverCpu ?? Number.POSITIVE_INFINITY, level.serverCpu),
            clientCpu: level.clientCpu,
          })
        }
      }
    }
  } finally {
    await Promise.all([...servers.values()].map((server) => server.stop()))
  }
  if (impls.some((impl) => MODERN.includes(impl))) {
    table('(a) modern tools/call', MODERN, results, 'sdk-modern')
    console.log('Target: ratio >= 0.90x calls/s and <= 1.10x CPU per call (relay costs <= 10%).\n')
  }
  if (impls.some((impl) => LEGACY.includes(impl))) {
    table('(b) legacy tools/call in a session', LEGACY, results, 'sdk2-sessions')
    console.log('Target: ratio >= 1.5x calls/s.')
  }
}

await main()
