// What the server benchmarks share: a bare MCP POST over the lean load generator
// (_raw-http-client.ts), the JSON-RPC message in its answer, the server process they drive over IPC
// (both ends), and the Markdown table they print.
import { type ChildProcess, fork } from 'node:child_process'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type RawHttpClient, requestHead, withBody } from './_raw-http-client.js'

/** One HTTP answer, read whole. */
export interface Reply {
  status: number
  sessionId: string | undefined
  body: string
}

/**
 * POSTs to `/mcp` on 127.0.0.1 with fixed headers, serialized once: per request only the body
 * (and its length) is added. Send it over a {@link RawHttpClient} lane.
 */
export class McpPost {
  readonly #head: string

  constructor(port: number, headers: Record<string, string>) {
    this.#head = requestHead('POST', '/mcp', {
      host: `127.0.0.1:${port}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...headers,
    })
  }

  /** Sends `message` over `lane` and reads the whole answer. */
  async send(lane: RawHttpClient, message: object): Promise<Reply> {
    const response = await lane.request(withBody(this.#head, JSON.stringify(message)))
    return {
      status: response.status,
      sessionId: response.headers['mcp-session-id'],
      body: response.body,
    }
  }
}

/**
 * POSTs one message to `/mcp` over `lane` (connected to `port`), its headers serialized for this
 * call: for benchmarks whose headers change from call to call (a session per lane).
 */
export function postMcp(
  port: number,
  lane: RawHttpClient,
  message: object,
  headers: Record<string, string>,
): Promise<Reply> {
  return new McpPost(port, headers).send(lane, message)
}

/** The JSON-RPC message in a JSON body or in the first `data:` line of an SSE body. */
export function replyMessage(reply: Reply): {
  id?: unknown
  result?: { content?: { text?: string }[] }
  error?: unknown
} {
  const text = reply.body.trimStart()
  if (text.startsWith('{')) return JSON.parse(text)
  for (const line of text.split('\n')) {
    if (line.startsWith('data:') && line.length > 6) return JSON.parse(line.slice(5))
  }
  throw new Error(`No JSON-RPC message in reply (status ${reply.status}): ${text.slice(0, 200)}`)
}

/** A benchmark server in a child process of its own, asked for figures over IPC. */
export class BenchServerProcess {
  readonly #child: ChildProcess
  readonly port: number

  private constructor(child: ChildProcess, port: number) {
    this.#child = child
    this.port = port
  }

  /**
   * Forks `script` with `args` and resolves once it says it listens ({@link serveForBench}).
   * With `BENCH_CPU_PROF=1` the process writes a `.cpuprofile` to `$TMPDIR/mcpwire-bench-profiles`.
   */
  static start(script: string, args: string[], execArgv: string[]): Promise<BenchServerProcess> {
    const profile =
      process.env.BENCH_CPU_PROF === '1'
        ? ['--cpu-prof', `--cpu-prof-dir=${join(tmpdir(), 'mcpwire-bench-profiles')}`]
        : []
    const child = fork(script, args, {
      execArgv: [...execArgv, ...profile],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    const label = args[0] ?? script
    return new Promise((resolve, reject) => {
      child.once('message', (message: { type: string; port?: number; message?: string }) => {
        if (message.type === 'ready') resolve(new BenchServerProcess(child, message.port!))
        else reject(new Error(`${label} server failed to start: ${message.message}`))
      })
      child.once('exit', (code) => reject(new Error(`${label} server exited with code ${code}`)))
    })
  }

  /** Asks the server for one figure (`cpu`, or one its script answers itself). */
  ask(type: string, count?: number): Promise<number> {
    return new Promise((resolve) => {
      const onMessage = (message: { type: string; value?: number }): void => {
        if (message.type !== type) return
        this.#child.off('message', onMessage)
        resolve(message.value!)
      }
      this.#child.on('message', onMessage)
      this.#child.send({ type, count })
    })
  }

  /** CPU time (user + system) the server process has used so far, in microseconds. */
  cpuMicros(): Promise<number> {
    return this.ask('cpu')
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.#child.once('exit', () => resolve())
      this.#child.send({ type: 'exit' })
    })
  }
}

/**
 * The child's end of {@link BenchServerProcess}: listens on a free loopback port, answers `cpu` and
 * `exit`, hands any other message to `onMessage`, and says `ready` with its port. A failure is
 * reported to the parent, and the process exits.
 */
export function serveForBench(
  listen: () => Promise<Server>,
  onMessage: (message: { type: string; count?: number }) => void = () => {},
): void {
  const start = async (): Promise<void> => {
    const server = await listen()
    server.keepAliveTimeout = 60_000
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    process.on('message', (message: { type: string; count?: number }) => {
      if (message.type === 'cpu') {
        const usage = process.cpuUsage()
        process.send?.({ type: 'cpu', value: usage.user + usage.system })
      } else if (message.type === 'exit') {
        server.closeAllConnections()
        server.close(() => process.exit(0))
      } else {
        onMessage(message)
      }
    })
    process.send?.({ type: 'ready', port: (server.address() as AddressInfo).port })
  }
  start().catch((error: unknown) => {
    process.send?.({
      type: 'error',
      message: error instanceof Error ? error.message : String(error),
    })
    process.exit(1)
  })
}

/** Prints rows (the first is the header) as a Markdown table: first column left, others right. */
export function printTable(rows: string[][]): void {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)))
  const line = (row: string[]): string =>
    `| ${row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join(' | ')} |`
  console.log(line(rows[0]!))
  console.log(
    `| ${widths.map((w, i) => (i === 0 ? `:${'-'.repeat(w - 1)}` : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`,
  )
  for (const row of rows.slice(1)) console.log(line(row))
}
