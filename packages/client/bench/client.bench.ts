// tools/call round trips per second at concurrency 1, 16 and 64, and client CPU per call:
// @mcpwire/client vs the SDK v1 and SDK v2 StreamableHTTPClientTransport. Every client runs in its
// own process (bench/_client-worker.ts: the same minimal JSON-RPC caller drives all three, and a
// bare-fetch floor), the server in another (bench/_canned-server.ts, a raw `net` server writing
// canned HTTP/1.1 replies, so the server costs as little and the same for all; BENCH_SERVER=mcpwire runs
// the real @mcpwire/server with an SDK v1 McpServer instead). Rounds are interleaved (the order
// rotates each round), best and median of rounds are printed; every loop is bounded in time and
// count.
// Then the time to receive one tools/call streaming PROGRESS_N progress notifications.
//
// Run: pnpm bench   (env: ROUNDS, DURATION_MS, CONCURRENCY=1,16,64, PROGRESS_N, BENCH_SERVER=canned|
// mcpwire, BENCH_REPLY=sse|json for the canned server, BENCH_CPU_PROF=1 writes .cpuprofile files per
// client process into bench/.profiles/<client>/ (the main thread: thread id 0 in the name),
// BENCH_NO_CHARTS=1 leaves bench/charts/*.json as they are).
// The default configuration rewrites bench/charts/*.json for scripts/bench-charts.mjs.
// The machine is shared: read the ratios, run it again.
import { type ChildProcess, spawn } from 'node:child_process'
import { cpus, loadavg } from 'node:os'
import { writeResults } from '../../../scripts/lib/bench-results.mjs'
import type {
  ProgressResult,
  ThroughputResult,
  TransportName,
  WorkerCommand,
} from './_client-worker.js'

const ROUNDS = Number(process.env.ROUNDS ?? 5)
const DURATION_MS = Number(process.env.DURATION_MS ?? 1000)
const MAX_CALLS = 200_000
const CONCURRENCY = (process.env.CONCURRENCY ?? '1,16,64').split(',').map(Number)
const PROGRESS_N = Number(process.env.PROGRESS_N ?? 5000)
const SERVER = process.env.BENCH_SERVER === 'mcpwire' ? 'mcpwire' : 'canned'
const REPLY = process.env.BENCH_REPLY === 'json' ? 'json' : 'sse'
const PROFILE = process.env.BENCH_CPU_PROF === '1'
const NAMES: TransportName[] = [
  '@mcpwire/client',
  'SDK v1 1.32.2',
  'SDK v2 2.4.0',
  'floor: bare fetch',
]
const OURS: TransportName = '@mcpwire/client'
const COMMAND_TIMEOUT_MS = 120_000

const children: ChildProcess[] = []
function start(args: string[]): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    env: { ...process.env, BENCH_REPLY: REPLY },
  })
  children.push(child)
  return child
}
function stopAll(): void {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM')
}
process.on('exit', stopAll)

/** One client process: commands go one at a time over IPC. */
class Worker {
  readonly #child: ChildProcess
  readonly ready: Promise<void>
  constructor(
    readonly name: TransportName,
    url: string,
  ) {
    const slug = name.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '')
    // A directory per client, files named by Node: with `--import tsx` the process has a second
    // thread (the module loader's), whose profile would overwrite the main one under a fixed name.
    // The main thread's file has thread id 0: CPU.<date>.<time>.<pid>.0.<seq>.cpuprofile.
    const profile = PROFILE ? ['--cpu-prof', `--cpu-prof-dir=bench/.profiles/${slug}`] : []
    this.#child = start([...profile, 'bench/_client-worker.ts', name, url])
    this.#child.stdout?.pipe(process.stdout)
    this.ready = new Promise((resolve, reject) => {
      this.#child.once('message', () => resolve())
      this.#child.once('exit', (code) => reject(new Error(`${name} exited with ${code}`)))
    })
  }
  run<T>(command: WorkerCommand): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${this.name} timed out`)),
        COMMAND_TIMEOUT_MS,
      )
      this.#child.once('message', (answer: { ok: boolean; result?: T; error?: string }) => {
        clearTimeout(timer)
        if (answer.ok) resolve(answer.result as T)
        else reject(new Error(`${this.name}: ${answer.error}`))
      })
      this.#child.send(command)
    })
  }
  exit(): Promise<void> {
    return new Promise((resolve) => {
      this.#child.once('exit', () => resolve())
      this.#child.send({ kind: 'exit' })
    })
  }
}

/** The order of the transports in round `round`: rotated so none always runs first. */
function rotation(round: number): TransportName[] {
  return NAMES.map((_, i) => NAMES[(i + round) % NAMES.length] as TransportName)
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

const load0 = loadavg()
const server = start([SERVER === 'canned' ? 'bench/_canned-server.ts' : 'bench/_server.ts'])
const url = await new Promise<string>((resolve) =>
  server.stdout?.once('data', (chunk) => resolve(String(chunk).trim())),
)
const workers = new Map(NAMES.map((name) => [name, new Worker(name, url)]))
await Promise.all([...workers.values()].map((worker) => worker.ready))
// One unmeasured round so that every process has compiled its hot paths before the first sample.
for (const name of NAMES)
  await workers
    .get(name)
    ?.run({ kind: 'throughput', concurrency: 16, durationMs: DURATION_MS, maxCalls: MAX_CALLS })

/** TCP connections the server has accepted so far (the canned server counts them). */
function connections(): Promise<number> {
  if (SERVER !== 'canned') return Promise.resolve(Number.NaN)
  return new Promise((resolve) => {
    server.once('message', (answer: { connections: number }) => resolve(answer.connections))
    server.send('connections?')
  })
}

interface Samples {
  rps: number[]
  cpuUsPerCall: number[]
  connections: number[]
}
const throughputRows: string[] = []
const chartRows = new Map<TransportName, { label: string; rps: number; cpu: number }[]>(
  NAMES.map((n) => [n, []]),
)
for (const concurrency of CONCURRENCY) {
  const samples = new Map<TransportName, Samples>(
    NAMES.map((n) => [n, { rps: [], cpuUsPerCall: [], connections: [] }]),
  )
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of rotation(round)) {
      const opened = await connections()
      const result = await workers.get(name)?.run<ThroughputResult>({
        kind: 'throughput',
        concurrency,
        durationMs: DURATION_MS,
        maxCalls: MAX_CALLS,
      })
      if (result === undefined) throw new Error(`No worker for ${name}`)
      samples.get(name)?.rps.push((result.calls / result.elapsedMs) * 1000)
      samples.get(name)?.cpuUsPerCall.push(result.cpuUs / result.calls)
      samples.get(name)?.connections.push((await connections()) - opened)
    }
  }
  const best = (name: TransportName) => {
    const s = samples.get(name) as Samples
    return {
      rps: Math.max(...s.rps),
      medianRps: median(s.rps),
      cpu: Math.min(...s.cpuUsPerCall),
      medianCpu: median(s.cpuUsPerCall),
      connections: Math.max(...s.connections),
    }
  }
  const ours = best(OURS)
  for (const name of NAMES) {
    const b = best(name)
    chartRows.get(name)?.push({ label: `concurrency ${concurrency}`, rps: b.rps, cpu: b.cpu })
    throughputRows.push(
      `| ${concurrency} | ${name} | ${b.rps.toFixed(0)} | ${b.medianRps.toFixed(0)} | ${(ours.rps / b.rps).toFixed(2)}x | ${b.cpu.toFixed(0)} | ${b.medianCpu.toFixed(0)} | ${(b.cpu / ours.cpu).toFixed(2)}x | ${Number.isNaN(b.connections) ? 'n/a' : b.connections} |`,
    )
  }
}

const progress = new Map<TransportName, ProgressResult[]>(NAMES.map((n) => [n, []]))
for (let round = 0; round < ROUNDS; round++) {
  for (const name of rotation(round)) {
    const result = await workers.get(name)?.run<ProgressResult>({ kind: 'progress', n: PROGRESS_N })
    if (result === undefined) throw new Error(`No worker for ${name}`)
    progress.get(name)?.push(result)
  }
}
const bestProgress = (name: TransportName) => {
  const results = progress.get(name) as ProgressResult[]
  return {
    ms: Math.min(...results.map((r) => r.ms)),
    cpuMs: Math.min(...results.map((r) => r.cpuUs)) / 1000,
  }
}
const oursProgress = bestProgress(OURS)
const progressRows = NAMES.map((name) => {
  const b = bestProgress(name)
  return `| ${name} | ${b.ms.toFixed(1)} | ${(b.ms / oursProgress.ms).toFixed(2)}x | ${b.cpuMs.toFixed(1)} | ${(b.cpuMs / oursProgress.cpuMs).toFixed(2)}x |`
})

await Promise.all([...workers.values()].map((worker) => worker.exit()))
const load1 = loadavg()
server.kill('SIGTERM')

const serverName =
  SERVER === 'canned'
    ? `canned raw net server, ${REPLY} replies`
    : '@mcpwire/server + SDK v1 McpServer'
console.log(
  `\ntools/call echo against the ${serverName}; each client in its own process, same minimal caller; ` +
    `best and median of ${ROUNDS} interleaved rounds of ${DURATION_MS} ms; ${process.version}, ` +
    `${cpus().length} CPUs, load average ${load0[0]?.toFixed(1)} at start, ${load1[0]?.toFixed(1)} at end\n`,
)
console.log(
  '| concurrency | transport | calls/s best | calls/s median | @mcpwire/client speed-up | CPU µs/call best | CPU µs/call median | CPU vs @mcpwire/client | TCP connections per run |',
)
console.log('| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
for (const row of throughputRows) console.log(row)
console.log(
  `\nOne tools/call streaming ${PROGRESS_N} progress notifications then its result (best of ${ROUNDS})\n`,
)
console.log('| transport | ms | vs @mcpwire/client | client CPU ms | CPU vs @mcpwire/client |')
console.log('| --- | ---: | ---: | ---: | ---: |')
for (const row of progressRows) console.log(row)

// Charts (scripts/bench-charts.mjs) for the default configuration only.
if (SERVER === 'canned' && REPLY === 'sse' && process.env.BENCH_NO_CHARTS !== '1') {
  const benchDir = new URL('.', import.meta.url).pathname
  const note = `Node ${process.version.slice(1)}, ${cpus().length} shared CPUs, load ${load0[0]?.toFixed(1)}, best of ${ROUNDS}, canned server, measured ${new Date().toISOString().slice(0, 10)}`
  const oursRows = chartRows.get(OURS) ?? []
  for (const [peer, slug] of [
    ['SDK v1 1.32.2', 'sdk-v1'],
    ['SDK v2 2.4.0', 'sdk-v2'],
  ] as const) {
    const peerRows = chartRows.get(peer) ?? []
    const rows = (pick: 'rps' | 'cpu') =>
      oursRows.map((row, i) => ({
        label: row.label,
        ours: row[pick],
        peer: peerRows[i]?.[pick] ?? Number.NaN,
      }))
    writeResults(benchDir, `client-throughput-${slug}`, {
      title: 'tools/call round trips per second',
      unit: 'calls/s',
      better: 'higher',
      ours: OURS,
      peer: `${peer} transport`,
      rows: rows('rps'),
      note,
    })
    writeResults(benchDir, `client-cpu-${slug}`, {
      title: 'Client CPU per tools/call',
      unit: 'µs/call',
      better: 'lower',
      ours: OURS,
      peer: `${peer} transport`,
      rows: rows('cpu'),
      note,
    })
  }
}
