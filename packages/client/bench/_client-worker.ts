// One client implementation in its own process, so that `process.cpuUsage()` (every thread of this
// process: JS, GC, the event loop's I/O) is that client's alone. Started by client.bench.ts with an
// IPC channel: argv[2] names the transport, argv[3] the server URL. Each command connects a fresh
// session (initialize + notifications/initialized), warms up, runs a bounded measured loop,
// closes the session (DELETE) and answers with counts and CPU microseconds.
//
// The three transports are driven by the same minimal JSON-RPC caller below (ids, a pending map,
// the handshake) instead of an SDK `Client`: see the README's Benchmark section for why.

/**
 * Not a transport: the floor under every fetch-based one. Each message is one `fetch` POST whose
 * whole body is read with `text()` and split into its `data:` lines; no streaming, no resumption,
 * no listen stream, no checks. What a transport costs above this is the transport's own work.
 */
class FetchFloor {
  #session: string | undefined
  onmessage?: (message: IncomingMessage) => void
  constructor(readonly url: string) {}
  async start(): Promise<void> {}
  async send(message: { id?: unknown }): Promise<void> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    }
    if (this.#session !== undefined) headers['mcp-session-id'] = this.#session
    const response = await fetch(this.url, {
      method: 'POST',
      headers,
      body: JSON.stringify(message),
    })
    this.#session ??= response.headers.get('mcp-session-id') ?? undefined
    const text = await response.text()
    if (message.id === undefined) return
    if (response.headers.get('content-type')?.startsWith('application/json'))
      this.onmessage?.(JSON.parse(text))
    else
      for (const line of text.split('\n')) {
        // Skips fields other than data and empty data (a priming event).
        const data = line.startsWith('data:') ? line.slice(line[5] === ' ' ? 6 : 5) : ''
        if (data !== '') this.onmessage?.(JSON.parse(data))
      }
  }
  async close(): Promise<void> {
    if (this.#session === undefined) return
    await fetch(this.url, { method: 'DELETE', headers: { 'mcp-session-id': this.#session } })
  }
}

/**
 * The transports under comparison, by the name the tables print, and the fetch floor. Each process
 * loads only its own package, so no other client's code is in its heap or its profile.
 */
export const TRANSPORTS = {
  '@mcpwire/client': async () => {
    // The built package (plain tsc output, as users get it and as the SDKs are measured), not the
    // source through tsx; `pnpm bench` builds it first.
    const entry = new URL('../dist/index.js', import.meta.url).href
    const { StreamableHttpClientTransport } = (await import(
      entry
    )) as typeof import('../src/index.js')
    return (url: string) => new StreamableHttpClientTransport(url)
  },
  'SDK v1 1.32.2': async () => {
    const { StreamableHTTPClientTransport } = await import(
      '@modelcontextprotocol/sdk/client/streamableHttp.js'
    )
    return (url: string) => new StreamableHTTPClientTransport(new URL(url))
  },
  'SDK v2 2.4.0': async () => {
    const { StreamableHTTPClientTransport } = await import('@modelcontextprotocol/client')
    return (url: string) => new StreamableHTTPClientTransport(new URL(url))
  },
  'floor: bare fetch': async () => (url: string) => new FetchFloor(url),
} as const

/** A transport name of {@link TRANSPORTS}. */
export type TransportName = keyof typeof TRANSPORTS

/** A command from the parent. */
export type WorkerCommand =
  | { kind: 'throughput'; concurrency: number; durationMs: number; maxCalls: number }
  | { kind: 'progress'; n: number }
  | { kind: 'exit' }

/** The answer to a `throughput` command. */
export interface ThroughputResult {
  calls: number
  elapsedMs: number
  cpuUs: number
}

/** The answer to a `progress` command. */
export interface ProgressResult {
  ms: number
  cpuUs: number
}

interface IncomingMessage {
  id?: unknown
  method?: string
  result?: { content?: { text?: string }[] }
  error?: { message?: string }
}

/** What the caller needs of a transport: the shape all three share. */
interface RawTransport {
  start(): Promise<void>
  send(message: unknown): Promise<void>
  close(): Promise<void>
  setProtocolVersion?(version: string): void
  onmessage?: (message: IncomingMessage) => void
  onerror?: (error: Error) => void
}

const WARM_UP_CALLS = 200
const TEXT = 'hello world'

/** The least a caller does: ids, a pending map, the handshake. Identical for every transport. */
class Caller {
  #id = 0
  readonly #pending = new Map<unknown, (message: IncomingMessage) => void>()
  notifications = 0
  /** Notifications delivered before the latest response. */
  notificationsBeforeResponse = 0
  readonly errors: Error[] = []
  constructor(readonly transport: RawTransport) {
    transport.onmessage = (message) => {
      if (message.method !== undefined) this.notifications++
      else {
        this.notificationsBeforeResponse = this.notifications
        this.#pending.get(message.id)?.(message)
        this.#pending.delete(message.id)
      }
    }
    transport.onerror = (error) => void this.errors.push(error)
  }
  async request(method: string, params: Record<string, unknown>): Promise<IncomingMessage> {
    const id = ++this.#id
    const answer = new Promise<IncomingMessage>((resolve) => this.#pending.set(id, resolve))
    await this.transport.send({ jsonrpc: '2.0', id, method, params })
    const message = await answer
    if (message.error !== undefined) throw new Error(`${method} failed: ${message.error.message}`)
    return message
  }
  /** Calls the echo tool and checks the echoed text, so a broken run cannot count. */
  async echo(): Promise<void> {
    const message = await this.request('tools/call', { name: 'echo', arguments: { text: TEXT } })
    if (message.result?.content?.[0]?.text !== TEXT) throw new Error('Echo returned other text')
  }
  /** Closes the session; a run whose transport reported an error does not count. */
  async close(): Promise<void> {
    await this.transport.close()
    if (this.errors.length > 0) throw new Error(`Transport error: ${this.errors[0]?.message}`)
  }
}

let create: ((url: string) => unknown) | undefined

async function connect(url: string): Promise<Caller> {
  if (create === undefined) throw new Error('No transport loaded')
  const transport = create(url) as unknown as RawTransport
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
  url: string,
  command: Extract<WorkerCommand, { kind: 'throughput' }>,
): Promise<ThroughputResult> {
  const caller = await connect(url)
  const lanes = (work: (lane: number) => Promise<void>) =>
    Promise.all(Array.from({ length: command.concurrency }, (_, lane) => work(lane)))
  let warm = 0
  await lanes(async () => {
    while (warm < WARM_UP_CALLS) {
      warm++
      await caller.echo()
    }
  })
  let calls = 0
  const cpu0 = process.cpuUsage()
  const start = performance.now()
  const deadline = start + command.durationMs
  await lanes(async () => {
    while (calls < command.maxCalls && performance.now() < deadline) {
      calls++
      await caller.echo()
    }
  })
  const elapsedMs = performance.now() - start
  const cpu = process.cpuUsage(cpu0)
  await caller.close()
  return { calls, elapsedMs, cpuUs: cpu.user + cpu.system }
}

async function progress(name: TransportName, url: string, n: number): Promise<ProgressResult> {
  const caller = await connect(url)
  const cpu0 = process.cpuUsage()
  const start = performance.now()
  const message = await caller.request('tools/call', {
    name: 'countdown',
    arguments: { n },
    _meta: { progressToken: 1 },
  })
  const ms = performance.now() - start
  const cpu = process.cpuUsage(cpu0)
  // Every notification must have reached the caller before its result did.
  const seen = caller.notificationsBeforeResponse
  await caller.close()
  if (seen !== n)
    throw new Error(`${name} delivered ${seen} of ${n} notifications before the result`)
  if (message.result?.content?.[0]?.text !== `counted ${n}`)
    throw new Error('Wrong countdown result')
  return { ms, cpuUs: cpu.user + cpu.system }
}

const name = process.argv[2] as TransportName
const url = process.argv[3] as string
if (process.send !== undefined) {
  if (!(name in TRANSPORTS)) throw new Error(`Unknown transport ${name}`)
  create = await TRANSPORTS[name]()
  process.on('message', (command: WorkerCommand) => {
    if (command.kind === 'exit') return process.disconnect()
    const run =
      command.kind === 'throughput' ? throughput(url, command) : progress(name, url, command.n)
    run.then(
      (result) => process.send?.({ ok: true, result }),
      (error: unknown) => process.send?.({ ok: false, error: String(error) }),
    )
  })
  // The parent gone (or done): end at once, idle keep-alive sockets included.
  process.on('disconnect', () => process.exit(0))
  process.send({ ready: true })
}
