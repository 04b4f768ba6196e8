import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { z } from 'zod'
import {
  type ClusterBackend,
  createMcpHandler,
  createMemoryCluster,
  type McpHandler,
  type McpHandlerOptions,
} from '../src/index.js'
import { globalTimers, type TimerHandle, type Timers } from '../src/timers.js'

/** Releases the `hang` tool's calls (each waits for one release). */
export const hangs = { waiting: [] as (() => void)[] }

/** An SDK server with tools that show where things run, as every instance builds it. */
export function buildClusterServer(instance: string): McpServer {
  const server = new McpServer(
    { name: 'cluster', version: '1.0.0' },
    { capabilities: { logging: {} } },
  )
  server.registerTool('echo', { inputSchema: { text: z.string() } }, async ({ text }) => ({
    content: [{ type: 'text', text: `${instance}:${text}` }],
  }))
  server.registerTool(
    'count',
    { inputSchema: { n: z.number(), ms: z.number().optional() } },
    async ({ n, ms }, extra) => {
      const token = extra._meta?.progressToken
      for (let i = 1; i <= n; i++) {
        if (ms !== undefined) await new Promise((resolve) => setTimeout(resolve, ms))
        if (token !== undefined) {
          await extra.sendNotification({
            method: 'notifications/progress',
            params: { progressToken: token, progress: i, total: n },
          })
        }
      }
      return { content: [{ type: 'text', text: `${instance}:counted ${n}` }] }
    },
  )
  server.registerTool('ask', { inputSchema: {} }, async (_args, extra) => {
    const result = await server.server.elicitInput(
      {
        message: 'Name?',
        requestedSchema: { type: 'object', properties: { name: { type: 'string' } } },
      },
      { relatedRequestId: extra.requestId },
    )
    return {
      content: [{ type: 'text', text: `${instance}:${JSON.stringify(result.content ?? null)}` }],
    }
  })
  // Notifications with no related request: they go to the session's GET stream.
  server.registerTool('notify', { inputSchema: { n: z.number() } }, async ({ n }) => {
    for (let i = 1; i <= n; i++) {
      await server.server.notification({
        method: 'notifications/message',
        params: { level: 'info', data: { i, from: instance } },
      })
    }
    return { content: [{ type: 'text', text: `${instance}:notified ${n}` }] }
  })
  // Logs at a level: delivered only when the session's (replayed) level lets it through.
  server.registerTool(
    'log',
    { inputSchema: { level: z.enum(['info', 'error']) } },
    async ({ level }, extra) => {
      await server.server.sendLoggingMessage(
        { level, data: `${level} from ${instance}` },
        extra.sessionId,
      )
      return { content: [{ type: 'text', text: `${instance}:logged` }] }
    },
  )
  server.registerTool('hang', { inputSchema: {} }, async (_args, extra) => {
    await extra.sendNotification({
      method: 'notifications/progress',
      params: { progressToken: extra._meta?.progressToken ?? 'none', progress: 1 },
    })
    await new Promise<void>((resolve) => hangs.waiting.push(resolve))
    return { content: [{ type: 'text', text: `${instance}:released` }] }
  })
  return server
}

/** Timers that can be frozen: a frozen instance stops its heartbeat and relay ticks, as a dead one. */
export class FreezableTimers implements Timers {
  #frozen = false
  readonly #handles = new Set<TimerHandle>()

  setTimeout(callback: () => void, ms: number): TimerHandle {
    if (this.#frozen) return undefined
    const handle = globalTimers.setTimeout(() => {
      this.#handles.delete(handle)
      if (!this.#frozen) callback()
    }, ms)
    this.#handles.add(handle)
    return handle
  }

  clearTimeout(handle: TimerHandle): void {
    this.#handles.delete(handle)
    globalTimers.clearTimeout(handle)
  }

  now(): number {
    return globalTimers.now()
  }

  freeze(): void {
    this.#frozen = true
    for (const handle of this.#handles) globalTimers.clearTimeout(handle)
    this.#handles.clear()
  }
}

/** One request as the round-robin balancer saw it. */
export interface Served {
  readonly instance: number
  readonly httpMethod: string
  /** The JSON-RPC method, `response` for an answer, or '' for a GET or DELETE. */
  readonly rpc: string
  readonly sessionId: string | null
  readonly lastEventId: string | null
  readonly status: number
}

/** Several handlers sharing one backend, behind a round-robin `fetch` with no stickiness. */
export interface TestCluster {
  readonly backend: ClusterBackend
  readonly handlers: readonly McpHandler[]
  /** Round robin over the live instances, in order; logs every request. */
  readonly fetch: (input: string | URL | Request, init?: RequestInit) => Promise<Response>
  /** A request to one instance (not logged, not rotated). */
  readonly fetchOn: (instance: number, request: Request) => Promise<Response>
  readonly log: Served[]
  /** The instance the next rotated request goes to. */
  next: number
  /** Kills an instance as a crash would: no more heartbeats or ticks, its connections cut, out of rotation. */
  kill(instance: number): void
  close(): Promise<void>
}

/**
 * Starts `count` handlers on one shared backend, or one backend per instance (each instance with
 * its own connections to the same Redis, say).
 */
export function startCluster(
  count: number,
  options: Partial<McpHandlerOptions> = {},
  backends: ClusterBackend | readonly ClusterBackend[] = createMemoryCluster(),
  // Long enough that a loaded machine does not pass for a dead instance; kill tests shorten it.
  heartbeatMs = 1000,
): TestCluster {
  const timers = Array.from({ length: count }, () => new FreezableTimers())
  const backendOf = (i: number): ClusterBackend =>
    Array.isArray(backends) ? backends[i]! : (backends as ClusterBackend)
  const backend = backendOf(0)
  const handlers = timers.map((t, i) =>
    createMcpHandler({
      connect: (transport) => buildClusterServer(`i${i}`).connect(transport),
      onerror: () => {},
      hibernateAfterMs: 60_000,
      keepAliveMs: 1000,
      timers: t,
      cluster: { ...backendOf(i), instanceId: `i${i}`, heartbeatMs, backendTimeoutMs: 1000 },
      ...options,
    }),
  )
  const dead = new Set<number>()
  const cuts = handlers.map(() => new Set<() => void>())
  const log: Served[] = []

  async function serve(instance: number, request: Request): Promise<Response> {
    const response = await handlers[instance]!.fetch(request)
    return cuttable(response, cuts[instance]!)
  }

  const cluster: TestCluster = {
    backend,
    handlers,
    log,
    next: 0,
    fetchOn: serve,
    async fetch(input, init) {
      const request = new Request(input, init)
      let rpc = ''
      if (request.method === 'POST') {
        const body = JSON.parse(await request.clone().text()) as { method?: string }
        const first = Array.isArray(body) ? body[0] : body
        rpc = first?.method ?? 'response'
      }
      let instance = cluster.next % count
      while (dead.has(instance)) instance = (instance + 1) % count
      cluster.next = instance + 1
      const response = await serve(instance, request)
      log.push({
        instance,
        httpMethod: request.method,
        rpc,
        sessionId:
          request.headers.get('mcp-session-id') ??
          response.headers.get('mcp-session-id') ??
          new URL(request.url).searchParams.get('sessionId'), // legacy /messages
        lastEventId: request.headers.get('last-event-id'),
        status: response.status,
      })
      return response
    },
    kill(instance) {
      dead.add(instance)
      timers[instance]!.freeze()
      for (const cut of [...cuts[instance]!]) cut()
    },
    async close() {
      for (const resolve of hangs.waiting.splice(0)) resolve()
      await Promise.all(handlers.map((handler, i) => (dead.has(i) ? undefined : handler.close())))
    },
  }
  return cluster
}

/** The response with a body that a "crash" can cut mid-stream. */
function cuttable(response: Response, cuts: Set<() => void>): Response {
  const source = response.body
  if (source === null) return response
  const reader = source.getReader()
  let cut = (): void => {}
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      cut = () => {
        cuts.delete(cut)
        try {
          controller.error(new Error('connection cut'))
        } catch {}
        reader.cancel().catch(() => {})
      }
      cuts.add(cut)
    },
    async pull(controller) {
      try {
        const { done, value } = await reader.read()
        if (done) {
          cuts.delete(cut)
          controller.close()
        } else controller.enqueue(value)
      } catch (error) {
        cuts.delete(cut)
        controller.error(error)
      }
    },
    cancel() {
      cuts.delete(cut)
      return reader.cancel()
    },
  })
  return new Response(body, { status: response.status, headers: response.headers })
}

/** Reads SSE events from a response body as they come; `stop` cancels it (the client goes away). */
export function sseReader(response: Response): {
  next(): Promise<{ id?: string; data: string } | undefined>
  stop(): Promise<void>
} {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
  let buffer = ''
  return {
    async next() {
      for (;;) {
        const end = buffer.indexOf('\n\n')
        if (end >= 0) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          let id: string | undefined
          const data: string[] = []
          for (const line of block.split('\n')) {
            if (line.startsWith('id: ')) id = line.slice(4)
            else if (line.startsWith('data: ')) data.push(line.slice(6))
            else if (line === 'data:') data.push('')
          }
          if (id === undefined && data.length === 0) continue // a comment
          return id === undefined ? { data: data.join('\n') } : { id, data: data.join('\n') }
        }
        const { done, value } = await reader.read()
        if (done) return undefined
        buffer += value
      }
    },
    stop: () => reader.cancel(),
  }
}
