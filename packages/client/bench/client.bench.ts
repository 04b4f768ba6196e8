// tools/call round trips per second at concurrency 1, 16 and 64, and client CPU per call:
// @mcpwire/client vs the SDK v1 and SDK v2 StreamableHTTPClientTransport, each driven by the same
// minimal JSON-RPC caller (no SDK Client, whose schema validation would dominate the client CPU)
// against the same server (another process), interleaved rounds, best of rounds kept.
// Then the time to decode one long progress stream (5000 notifications + result) per transport.
// Run: pnpm bench (machine noise: read the ratios).
import { spawn } from 'node:child_process'
import { StreamableHTTPClientTransport as V2Transport } from '@modelcontextprotocol/client'
import { StreamableHTTPClientTransport as V1Transport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { StreamableHttpClientTransport } from '../src/index.js'

const ROUNDS = Number(process.env.ROUNDS ?? 3)
const DURATION_MS = Number(process.env.DURATION_MS ?? 1500)
const child = spawn(process.execPath, ['--import', 'tsx', 'bench/_server.ts'], {
  stdio: ['ignore', 'pipe', 'inherit'],
})
const url = await new Promise<string>((resolve) =>
  child.stdout.once('data', (chunk) => resolve(String(chunk).trim())),
)

const transports = {
  '@mcpwire/client': () => new StreamableHttpClientTransport(url),
  'SDK v1 1.32.2': () => new V1Transport(new URL(url)),
  'SDK v2 2.4.0': () => new V2Transport(new URL(url)),
}
type Name = keyof typeof transports

interface RawTransport {
  start(): Promise<void>
  send(message: unknown): Promise<void>
  close(): Promise<void>
  setProtocolVersion?(version: string): void
  onmessage?: (message: {
    id?: unknown
    method?: string
    result?: unknown
    error?: unknown
  }) => void
}

/** The least a caller does: ids, a pending map, the handshake. */
class Caller {
  #id = 0
  readonly #pending = new Map<unknown, (message: unknown) => void>()
  onNotification: (() => void) | undefined
  constructor(readonly transport: RawTransport) {
    transport.onmessage = (message) => {
      if (message.method !== undefined) this.onNotification?.()
      else {
        this.#pending.get(message.id)?.(message)
        this.#pending.delete(message.id)
      }
    }
  }
  async request(method: string, params: Record<string, unknown>): Promise<unknown> {
    const id = ++this.#id
    const answer = new Promise((resolve) => this.#pending.set(id, resolve))
    await this.transport.send({ jsonrpc: '2.0', id, method, params })
    return answer
  }
  callTool(
    name: string,
    args: Record<string, unknown>,
    meta?: Record<string, unknown>,
  ): Promise<unknown> {
    return this.request('tools/call', {
      name,
      arguments: args,
      ...(meta === undefined ? {} : { _meta: meta }),
    })
  }
  close(): Promise<void> {
    return this.transport.close()
  }
}

async function connect(name: Name): Promise<Caller> {
  const transport = transports[name]() as unknown as RawTransport
  const caller = new Caller(transport)
  await transport.start()
  await caller.request('initialize', {
    protocolVersion: '2025-11-25',
    capabilities: {},
    clientInfo: { name: 'bench', version: '1' },
  })
  transport.setProtocolVersion?.('2025-11-25')
  await transport.send({ jsonrpc: '2.0', method: 'notifications/initialized' })
  return caller
}

async function throughput(
  name: Name,
  concurrency: number,
): Promise<{ rps: number; cpuUsPerCall: number }> {
  const client = await connect(name)
  for (let i = 0; i < 20; i++) await client.callTool('echo', { text: 'warm' })
  let calls = 0
  const cpu0 = process.cpuUsage()
  const start = performance.now()
  const deadline = start + DURATION_MS
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        await client.callTool('echo', { text: 'hello world' })
        calls++
      }
    }),
  )
  const elapsed = performance.now() - start
  const cpu = process.cpuUsage(cpu0)
  await client.close()
  return { rps: (calls / elapsed) * 1000, cpuUsPerCall: (cpu.user + cpu.system) / calls }
}

async function longProgress(name: Name): Promise<number> {
  const client = await connect(name)
  let seen = 0
  const start = performance.now()
  client.onNotification = () => void seen++
  await client.callTool('countdown', { n: 5000 }, { progressToken: 1 })
  const ms = performance.now() - start
  await client.close()
  if (seen !== 5000) throw new Error(`${name} saw ${seen} of 5000 progress notifications`)
  return ms
}

const names = Object.keys(transports) as Name[]
const rows: string[] = []
for (const concurrency of [1, 16, 64]) {
  const best = new Map<Name, { rps: number; cpuUsPerCall: number }>()
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of names) {
      const result = await throughput(name, concurrency)
      const previous = best.get(name)
      if (previous === undefined || result.rps > previous.rps)
        best.set(name, {
          rps: result.rps,
          cpuUsPerCall: Math.min(result.cpuUsPerCall, previous?.cpuUsPerCall ?? Infinity),
        })
      else previous.cpuUsPerCall = Math.min(previous.cpuUsPerCall, result.cpuUsPerCall)
    }
  }
  const ours = best.get('@mcpwire/client') as { rps: number; cpuUsPerCall: number }
  for (const name of names) {
    const { rps, cpuUsPerCall } = best.get(name) as { rps: number; cpuUsPerCall: number }
    rows.push(
      `| ${concurrency} | ${name} | ${rps.toFixed(0)} | ${(ours.rps / rps).toFixed(2)}x | ${cpuUsPerCall.toFixed(0)} | ${(cpuUsPerCall / ours.cpuUsPerCall).toFixed(2)}x |`,
    )
  }
}
const progressRows: string[] = []
const bestProgress = new Map<Name, number>()
for (let round = 0; round < ROUNDS; round++) {
  for (const name of names)
    bestProgress.set(name, Math.min(bestProgress.get(name) ?? Infinity, await longProgress(name)))
}
for (const name of names) {
  const ms = bestProgress.get(name) as number
  progressRows.push(
    `| ${name} | ${ms.toFixed(0)} | ${(ms / (bestProgress.get('@mcpwire/client') as number)).toFixed(2)}x |`,
  )
}
child.kill('SIGTERM')

console.log(
  `\ntools/call echo, minimal caller, best of ${ROUNDS} interleaved rounds of ${DURATION_MS} ms, ${process.version}\n`,
)
console.log(
  '| concurrency | transport | calls/s | @mcpwire/client speed-up | client CPU µs/call | CPU vs @mcpwire/client |',
)
console.log('| ---: | --- | ---: | ---: | ---: | ---: |')
for (const row of rows) console.log(row)
console.log(
  '\nOne tools/call streaming 5000 progress notifications then its result (ms, best of rounds)\n',
)
console.log('| transport | ms | vs @mcpwire/client |')
console.log('| --- | ---: | ---: |')
for (const row of progressRows) console.log(row)
