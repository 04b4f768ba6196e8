/**
 * Server benchmark: @mcpwire/server's createMcpHandler against the official SDK's
 * WebStandardStreamableHTTPServerTransport, serving the same McpServer (an `echo` tool).
 *
 * Each implementation runs in its own child process (`node --expose-gc --import tsx`) on
 * `node:http`, 127.0.0.1, served the fastest way its package offers plus reference columns:
 * - `sdk`: the SDK's WebStandard transport through our Fetch bridge `toNodeHandler(fetch)`;
 * - `sdk-node`: the SDK's own Node transport (`StreamableHTTPServerTransport`, @hono/node-server);
 * - `ours`: `toNodeHandler(mcp.fetch)`, which calls the handler directly without Fetch objects;
 * - `ours-fetch`: our handler through the general Fetch bridge, like any fetch function;
 * - `floor`: canned SSE replies through the Fetch bridge, no MCP;
 * - `ours-hibernating`: `ours` with `hibernateAfterMs`, measured for heap per idle session only.
 * This process is the load generator (_raw-http-client.ts, the same for every column): one
 * keep-alive `net.Socket` per client, POSTs written as prepared strings, one session per client
 * (one initialize + notifications/initialized), then sequential tools/call requests per client,
 * each response read to its end and checked (status, id and echoed text).
 *
 * Measures:
 * - tools/call round trips per second at concurrency 1, 16 and 64 (bounded in count and time);
 * - heap per idle session: heapUsed after forced GC, before and after opening 10,000 sessions.
 *
 * Run: npx -y pnpm@10.34.8 --filter @mcpwire/server bench
 * Env: BENCH_ONLY (comma-separated: sdk,sdk-node,ours,ours-fetch,ours-hibernating,floor), BENCH_SESSIONS (default 10000), BENCH_SECONDS (default 2
 *      per level and round), BENCH_ROUNDS (default 3; the best round is kept),
 *      BENCH_OURS_MODULE (absolute path or URL of the module exporting createMcpHandler),
 *      BENCH_CPU_PROF=1 (writes .cpuprofile files of the server processes to
 *      $TMPDIR/mcpwire-bench-profiles).
 */
import { fileURLToPath } from 'node:url'
import { BenchServerProcess, McpPost, printTable, replyMessage } from './_bench-kit.js'
import { writeCharts } from './_charts.js'
import { RawHttpClient } from './_raw-http-client.js'

type Impl = 'sdk' | 'sdk-node' | 'ours' | 'ours-fetch' | 'ours-hibernating' | 'floor'

const PROTOCOL_VERSION = '2025-11-25'
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 10_000)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 2)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const MAX_CALLS_PER_LEVEL = 100_000
const CONCURRENCY = [1, 16, 64] as const
const SERVER_SCRIPT = fileURLToPath(new URL('./_bench-server.ts', import.meta.url))
/** `hibernateAfterMs` of the heap-only `ours-hibernating` server; its heap is read after this. */
const HIBERNATE_AFTER_MS = 1000

/** One session; its requests go over whichever connection (lane) it is given. */
class Client {
  #lane: RawHttpClient
  readonly #port: number
  /** POSTs of this session, headers serialized once the session id is known. */
  #post: McpPost
  #nextId = 1

  constructor(port: number, lane: RawHttpClient) {
    this.#port = port
    this.#lane = lane
    this.#post = new McpPost(port, {})
  }

  /** Sends later requests over another connection (the session stays the same). */
  useLane(lane: RawHttpClient): void {
    this.#lane = lane
  }

  async initialize(): Promise<void> {
    const reply = await this.#post.send(this.#lane, {
      jsonrpc: '2.0',
      id: this.#nextId++,
      method: 'initialize',
      params: {
        protocolVersion: PROTOCOL_VERSION,
        capabilities: {},
        clientInfo: { name: 'bench', version: '1.0.0' },
      },
    })
    if (reply.status !== 200 || reply.sessionId === undefined) {
      throw new Error(`initialize failed: ${reply.status} ${reply.body.slice(0, 200)}`)
    }
    replyMessage(reply)
    this.#post = new McpPost(this.#port, {
      'mcp-session-id': reply.sessionId,
      'mcp-protocol-version': PROTOCOL_VERSION,
    })
    const ack = await this.#post.send(this.#lane, {
      jsonrpc: '2.0',
      method: 'notifications/initialized',
    })
    if (ack.status !== 202) throw new Error(`initialized notification got ${ack.status}`)
  }

  /** One tools/call; throws unless the answer is the echo of `text` for this id. */
  async callEcho(text: string): Promise<void> {
    const id = this.#nextId++
    const reply = await this.#post.send(this.#lane, {
      jsonrpc: '2.0',
      id,
      method: 'tools/call',
      params: { name: 'echo', arguments: { text } },
    })
    const message = reply.status === 200 ? replyMessage(reply) : undefined
    if (message?.id !== id || message.result?.content?.[0]?.text !== text) {
      throw new Error(`tools/call failed: ${reply.status} ${reply.body.slice(0, 200)}`)
    }
  }
}

/** `count` keep-alive connections to `port`. */
function lanes(port: number, count: number): RawHttpClient[] {
  return Array.from({ length: count }, () => new RawHttpClient(port))
}

/** Closes `connections`; returns how many TCP connections they opened in all. */
function closeAll(connections: RawHttpClient[]): number {
  for (const lane of connections) lane.close()
  return connections.reduce((sum, lane) => sum + lane.connects, 0)
}

/** Starts one implementation's server process (with `--expose-gc`, for the heap readings). */
function startServer(impl: Impl): Promise<BenchServerProcess> {
  const args = impl === 'ours-hibernating' ? [impl, String(HIBERNATE_AFTER_MS)] : [impl]
  return BenchServerProcess.start(SERVER_SCRIPT, args, ['--expose-gc', '--import', 'tsx'])
}

/** heapUsed of the server after forced garbage collection, in bytes. */
function heapUsed(server: BenchServerProcess): Promise<number> {
  return server.ask('heap')
}

/** Heap bytes per McpServer alone (constructed and connected, no traffic), in the server. */
function mcpServerHeap(server: BenchServerProcess, count: number): Promise<number> {
  return server.ask('mcp-heap', count)
}

/** Runs `task` on `concurrency` workers until `count` tasks ran in total; `task` gets its worker. */
async function pool(concurrency: number, count: number, task: (worker: number) => Promise<void>) {
  let next = 0
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      while (next < count) {
        next++
        await task(worker)
      }
    }),
  )
}

interface Level {
  /** tools/call round trips per second. */
  rps: number
  /** Server process CPU time (user + system) per tools/call, in microseconds. */
  serverCpu: number
  /** Load generator CPU time per tools/call, in microseconds. */
  clientCpu: number
}

async function throughput(server: BenchServerProcess, concurrency: number): Promise<Level> {
  const port = server.port
  const connections = lanes(port, concurrency)
  try {
    const clients = connections.map((lane) => new Client(port, lane))
    await Promise.all(clients.map((client) => client.initialize()))
    // Warm-up: bounded in count.
    await Promise.all(
      clients.map(async (client) => {
        for (let i = 0; i < Math.max(20, 2000 / concurrency); i++) await client.callEcho('warm')
      }),
    )
    let calls = 0
    const serverCpuBefore = await server.cpuMicros()
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
    const serverCpu = (await server.cpuMicros()) - serverCpuBefore
    // A server that closed kept-alive connections would make its column pay for new ones.
    const connects = connections.reduce((sum, lane) => sum + lane.connects, 0)
    if (connects !== concurrency) {
      console.error(`  note: ${connects} connections for ${concurrency} clients`)
    }
    return {
      rps: calls / seconds,
      serverCpu: serverCpu / calls,
      clientCpu: (clientCpu.user + clientCpu.system) / calls,
    }
  } finally {
    closeAll(connections)
  }
}

/**
 * Heap bytes per idle session: 10,000 sessions opened, their sockets closed, and `settleMs` waited
 * (past `hibernateAfterMs` for the hibernating server), then 20 of them probed with a tools/call.
 */
async function heapPerSession(server: BenchServerProcess, settleMs = 200): Promise<number> {
  const connections = lanes(server.port, 32)
  try {
    const before = await heapUsed(server)
    const clients: Client[] = []
    await pool(32, SESSIONS, async (worker) => {
      const client = new Client(server.port, connections[worker]!)
      await client.initialize()
      clients.push(client)
    })
    // Sockets closed: only the sessions themselves stay in the server's heap.
    closeAll(connections)
    await new Promise((resolve) => setTimeout(resolve, settleMs))
    const after = await heapUsed(server)
    // The sessions must still be alive: an implementation that had evicted or expired them would
    // look lighter than it is. Probe a spread of them, oldest first.
    const probe = new RawHttpClient(server.port)
    try {
      const step = Math.max(1, Math.floor(clients.length / 20))
      for (let i = 0; i < clients.length; i += step) {
        clients[i]!.useLane(probe)
        await clients[i]!.callEcho('still here')
      }
    } finally {
      probe.close()
    }
    return (after - before) / SESSIONS
  } finally {
    closeAll(connections)
  }
}

interface Result {
  levels: Map<number, Level>
  /** Heap bytes per idle session; NaN when not measured. */
  bytesPerSession: number
  /** Heap bytes per McpServer alone, the part of a session no transport can save; NaN if unmeasured. */
  mcpServerBytes: number
}

/**
 * Starts every implementation, then measures them in turn, level by level, for ROUNDS rounds, and
 * keeps each one's best round: the machine is shared, so interleaving and best-of-N keep a burst
 * of outside load from landing on one side only.
 */
async function measureAll(impls: readonly Impl[]): Promise<Map<Impl, Result>> {
  const servers = new Map<Impl, BenchServerProcess>()
  // The hibernating server serves active sessions as `ours` does: it is measured for heap only.
  for (const impl of impls.filter((impl) => impl !== 'ours-hibernating')) {
    try {
      servers.set(impl, await startServer(impl))
    } catch (error) {
      console.error(`${impl}: ${error instanceof Error ? error.message : String(error)}`)
    }
  }
  const results = new Map<Impl, Result>()
  try {
    for (const impl of servers.keys()) {
      results.set(impl, {
        levels: new Map(),
        bytesPerSession: Number.NaN,
        mcpServerBytes: Number.NaN,
      })
    }
    for (let round = 1; round <= ROUNDS; round++) {
      for (const concurrency of CONCURRENCY) {
        for (const [impl, server] of servers) {
          const level = await throughput(server, concurrency)
          console.error(
            `  round ${round} ${impl} c=${concurrency}: ${format(level.rps)} calls/s, server CPU ${format(level.serverCpu)} µs/call, client CPU ${format(level.clientCpu)} µs/call`,
          )
          const levels = results.get(impl)!.levels
          const best = levels.get(concurrency)
          if (best === undefined || level.rps > best.rps) levels.set(concurrency, level)
        }
      }
    }
    if (impls.includes('ours-hibernating')) {
      try {
        servers.set('ours-hibernating', await startServer('ours-hibernating'))
        results.set('ours-hibernating', {
          levels: new Map(),
          bytesPerSession: Number.NaN,
          mcpServerBytes: Number.NaN,
        })
      } catch (error) {
        console.error(`ours-hibernating: ${error instanceof Error ? error.message : String(error)}`)
      }
    }
    for (const impl of ['sdk', 'ours', 'ours-hibernating'] as const) {
      const server = servers.get(impl)
      if (server === undefined) continue
      const result = results.get(impl)!
      result.mcpServerBytes = await mcpServerHeap(server, Math.min(SESSIONS, 2000))
      result.bytesPerSession = await heapPerSession(
        server,
        impl === 'ours-hibernating' ? HIBERNATE_AFTER_MS + 500 : 200,
      )
      console.error(
        `  ${impl} heap per session: ${format(result.bytesPerSession)} B (McpServer alone: ${format(result.mcpServerBytes)} B)`,
      )
    }
  } finally {
    await Promise.all([...servers.values()].map((server) => server.stop()))
  }
  return results
}

function format(value: number, digits = 0): string {
  return value.toLocaleString('en-US', {
    maximumFractionDigits: digits,
    minimumFractionDigits: digits,
  })
}

async function main(): Promise<void> {
  const only = process.env.BENCH_ONLY?.split(',') as Impl[] | undefined
  const impls: Impl[] = only ?? [
    'sdk',
    'sdk-node',
    'ours',
    'ours-fetch',
    'ours-hibernating',
    'floor',
  ]
  console.error(
    `node ${process.version}, ${format(SESSIONS)} sessions, best of ${ROUNDS} rounds of ${SECONDS} s per level, loopback`,
  )
  const results = await measureAll(impls)
  const sdk = results.get('sdk')
  const ours = results.get('ours')
  const sdkNode = results.get('sdk-node')
  const oursFetch = results.get('ours-fetch')
  const floor = results.get('floor')
  const hibernating = results.get('ours-hibernating')
  const rows: string[][] = [
    [
      '',
      'SDK, WebStandard transport via toNodeHandler',
      'SDK, own Node transport',
      '@mcpwire/server, toNodeHandler(mcp.fetch)',
      'ours / better SDK',
      '@mcpwire/server via the Fetch bridge',
      'Fetch bridge floor (no MCP)',
      `@mcpwire/server, hibernateAfterMs ${format(HIBERNATE_AFTER_MS)} (heap only)`,
    ],
  ]
  const ratio = (a: number | undefined, b: number | undefined): string =>
    a !== undefined && b !== undefined ? `${format(a / b, 2)}x` : 'n/a'
  const cell = (level: Level | undefined, pick: (level: Level) => number, unit: string) =>
    level === undefined ? 'n/a' : `${format(pick(level))}${unit}`
  // Ours against whichever SDK setup did better at that level (more calls, or less CPU).
  const metric = (
    label: string,
    pick: (level: Level) => number,
    unit: string,
    better: (...values: number[]) => number,
  ): void => {
    for (const concurrency of CONCURRENCY) {
      const sdkValues = [sdk, sdkNode]
        .map((result) => result?.levels.get(concurrency))
        .filter((level): level is Level => level !== undefined)
        .map(pick)
      const bestSdk = sdkValues.length > 0 ? better(...sdkValues) : undefined
      const b = ours?.levels.get(concurrency)
      rows.push([
        `${label}, concurrency ${concurrency}`,
        cell(sdk?.levels.get(concurrency), pick, unit),
        cell(sdkNode?.levels.get(concurrency), pick, unit),
        cell(b, pick, unit),
        ratio(b && pick(b), bestSdk),
        cell(oursFetch?.levels.get(concurrency), pick, unit),
        cell(floor?.levels.get(concurrency), pick, unit),
        '',
      ])
    }
  }
  metric('tools/call per s', (level) => level.rps, '', Math.max)
  metric('server CPU per call', (level) => level.serverCpu, ' µs', Math.min)
  const kib = (bytes: number | undefined): string =>
    bytes === undefined || Number.isNaN(bytes) ? 'n/a' : `${format(bytes / 1024, 1)} KiB`
  const overhead = (result: Result | undefined): number | undefined =>
    result === undefined ? undefined : result.bytesPerSession - result.mcpServerBytes
  rows.push(
    [
      `heap per idle session (${format(SESSIONS)} sessions)`,
      kib(sdk?.bytesPerSession),
      '',
      kib(ours?.bytesPerSession),
      ratio(ours?.bytesPerSession, sdk?.bytesPerSession),
      '',
      '',
      `${kib(hibernating?.bytesPerSession)} (${ratio(hibernating?.bytesPerSession, sdk?.bytesPerSession)} the SDK's)`,
    ],
    [
      'heap: the McpServer itself',
      kib(sdk?.mcpServerBytes),
      '',
      kib(ours?.mcpServerBytes),
      '',
      '',
      '',
      kib(hibernating?.mcpServerBytes),
    ],
    [
      'heap: transport and session',
      kib(overhead(sdk)),
      '',
      kib(overhead(ours)),
      // Both heap readings carry a few hundred bytes of noise: a share at or below zero is ~0.
      (overhead(ours) ?? 1) <= 0 ? '~0x' : ratio(overhead(ours), overhead(sdk)),
      '',
      '',
      '',
    ],
  )
  printTable(rows)
  console.log('\nTargets: throughput ratio >= 1.5x, heap ratio <= 0.5x.')
  console.log(
    'SDK, own Node transport: StreamableHTTPServerTransport (@hono/node-server), not our bridge.',
  )
  console.log(
    'Fetch bridge floor: canned SSE replies through toNodeHandler(fetch), no MCP: what any Fetch handler pays on node:http.',
  )
  writeCharts({ sdk, sdkNode, ours, hibernating, concurrency: CONCURRENCY })
}

await main()
