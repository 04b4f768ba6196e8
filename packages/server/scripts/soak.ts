// `pnpm soak`: mixed traffic with faults against the Node sample app (apps/node), for minutes, not
// in CI. It starts the app on 127.0.0.1 (PORT, default 4390), runs well-behaved SDK clients beside
// raw clients that abort, drop, resume, send bad input and abandon sessions, and prints figures
// every few seconds: requests, errors by kind, RSS and heap, and what the handler holds (sessions,
// streams, buffered bytes, timers). After the traffic it waits for orphan sessions to expire and
// prints what is left. Settings: SOAK_SECONDS (120), SOAK_WORKERS (12), SOAK_SETTLE_SECONDS (65),
// HIBERNATE_AFTER_MS (2000; passed to the app). The last figures follow a forced GC in the app.
import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'

const PORT = Number(process.env.PORT ?? 4390)
const SECONDS = Number(process.env.SOAK_SECONDS ?? 120)
const WORKERS = Number(process.env.SOAK_WORKERS ?? 12)
const SETTLE_SECONDS = Number(process.env.SOAK_SETTLE_SECONDS ?? 65)
const HIBERNATE_AFTER_MS = process.env.HIBERNATE_AFTER_MS ?? '2000'
const BASE = `http://127.0.0.1:${PORT}`
const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const ACCEPT = 'application/json, text/event-stream'
const VERSION = '2025-11-25'

interface HandlerFigures {
  sessions: number
  hibernatedSessions: number
  streams: number
  bufferedBytes: number
  overflowClosedStreams: number
  droppedMessages: number
  evictedStreams?: number
  evictedEvents?: number
  timers: number
  memory: { rss: number; heapUsed: number }
}

const counts = { requests: 0, scenarios: 0 }
const outcomes = new Map<string, number>()
function note(kind: string): void {
  outcomes.set(kind, (outcomes.get(kind) ?? 0) + 1)
}

/** fetch, counted; network failures become an outcome instead of an exception. */
async function send(
  input: string,
  init: RequestInit = {},
  /** The outcome to note if the connection closes mid-upload (a body refused unread), if expected. */
  closedMidUpload?: string,
): Promise<Response | undefined> {
  counts.requests++
  try {
    return await fetch(`${BASE}${input}`, init)
  } catch (error) {
    const abort = (error as { name?: string }).name === 'AbortError'
    // A body over maxBodyBytes is refused unread and the connection closed: the write may fail.
    if (closedMidUpload !== undefined) return void note(closedMidUpload)
    note(
      abort
        ? 'aborted by client (fault)'
        : `network error: ${String((error as Error).cause ?? error).slice(0, 60)}`,
    )
    return undefined
  }
}

function headers(sessionId?: string): Record<string, string> {
  return {
    accept: ACCEPT,
    'content-type': 'application/json',
    'mcp-protocol-version': VERSION,
    ...(sessionId === undefined ? {} : { 'mcp-session-id': sessionId }),
  }
}

async function initialize(): Promise<string | undefined> {
  const response = await send('/mcp', {
    method: 'POST',
    headers: headers(),
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: {
        protocolVersion: VERSION,
        capabilities: {},
        clientInfo: { name: 'soak', version: '1' },
      },
    }),
  })
  if (response === undefined) return undefined
  await response.text()
  if (response.status !== 200) {
    note(`initialize ${response.status}`)
    return undefined
  }
  const sessionId = response.headers.get('mcp-session-id') ?? undefined
  const done = await send('/mcp', {
    method: 'POST',
    headers: headers(sessionId),
    body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
  })
  await done?.text()
  return sessionId
}

async function remove(sessionId: string): Promise<void> {
  const response = await send('/mcp', { method: 'DELETE', headers: headers(sessionId) })
  await response?.text()
}

let nextId = 1
function call(name: string, args: Record<string, unknown>, progress = false): string {
  return JSON.stringify({
    jsonrpc: '2.0',
    id: nextId++,
    method: 'tools/call',
    params: { name, arguments: args, ...(progress ? { _meta: { progressToken: nextId } } : {}) },
  })
}

const BAD_BODIES = [
  '{"jsonrpc":',
  '{"jsonrpc":"2.0","id":1.5,"method":"ping"}',
  '{"jsonrpc":"2.0","id":1e20,"method":"ping"}',
  '{"jsonrpc":"2.0","id":3,"method":"ping","params":[]}',
  '['.repeat(50_000) + ']'.repeat(50_000),
  `{"jsonrpc":"2.0","id":4,"method":"logging/setLevel","params":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`,
  ' '.repeat(5 * 1024 * 1024),
]

/** The scenarios, each a short conversation; `weight` sets how often it runs. */
const SCENARIOS: { name: string; weight: number; run: () => Promise<void> }[] = [
  {
    name: 'sdk client',
    weight: 3,
    async run() {
      const client = new Client({ name: 'soak', version: '1' })
      const transport = new StreamableHTTPClientTransport(new URL(`${BASE}/mcp`))
      counts.requests += 6
      await client.connect(transport)
      await client.listTools()
      const result = await client.callTool({ name: 'echo', arguments: { text: 'soak' } })
      note(JSON.stringify(result).includes('soak') ? 'ok' : 'sdk: wrong echo')
      await client.callTool(
        { name: 'countdown', arguments: { ticks: 3, intervalMs: 10 } },
        undefined,
        { onprogress: () => {} },
      )
      await transport.terminateSession()
      await client.close()
    },
  },
  {
    name: 'abort mid-stream',
    weight: 2,
    async run() {
      const sessionId = await initialize()
      if (sessionId === undefined) return
      const abort = new AbortController()
      const response = await send('/mcp', {
        method: 'POST',
        headers: headers(sessionId),
        body: call('countdown', { ticks: 5, intervalMs: 20 }, true),
        signal: abort.signal,
      })
      if (response?.body) {
        const reader = response.body.getReader()
        await reader.read().catch(() => {})
        abort.abort()
        note('ok (aborted mid-stream)')
      }
      await remove(sessionId)
    },
  },
  {
    name: 'resume after drop',
    weight: 2,
    async run() {
      const sessionId = await initialize()
      if (sessionId === undefined) return
      const abort = new AbortController()
      const response = await send('/mcp', {
        method: 'POST',
        headers: headers(sessionId),
        body: call('countdown', { ticks: 4, intervalMs: 15 }, true),
        signal: abort.signal,
      })
      const first = response?.body
        ? await response.body
            .getReader()
            .read()
            .catch(() => undefined)
        : undefined
      abort.abort()
      const lastId = /^id: (.+)$/m.exec(new TextDecoder().decode(first?.value))?.[1]
      if (lastId === undefined) {
        note('resume: no event id')
        return
      }
      const resumed = await send('/mcp', {
        headers: { ...headers(sessionId), accept: 'text/event-stream', 'last-event-id': lastId },
      })
      const text = (await resumed?.text()) ?? ''
      note(
        text.includes('Liftoff after 4 ticks')
          ? 'ok (resumed)'
          : `resume: ${resumed?.status} without result`,
      )
      await remove(sessionId)
    },
  },
  {
    name: 'bad input',
    weight: 3,
    async run() {
      const sessionId = await initialize()
      const body = BAD_BODIES[Math.floor(Math.random() * BAD_BODIES.length)]!
      const big = body.length > 4 * 1024 * 1024
      const response = await send(
        '/mcp',
        { method: 'POST', headers: headers(sessionId), body },
        big ? 'refused 413, connection closed mid-upload (expected)' : undefined,
      )
      if (response === undefined) {
        if (sessionId !== undefined) await remove(sessionId)
        return
      }
      await response.text()
      note(
        response.status >= 400 && response.status < 500
          ? `refused ${response.status} (expected)`
          : `bad input answered ${response.status}`,
      )
      const forged = await send(
        '/mcp',
        { method: 'POST', headers: headers('forged'), body },
        big ? 'refused 404 unread, connection closed mid-upload (expected)' : undefined,
      )
      if (forged === undefined) {
        if (sessionId !== undefined) await remove(sessionId)
        return
      }
      await forged.text()
      note(
        forged?.status === 404
          ? 'refused 404 (expected)'
          : `forged session answered ${forged?.status}`,
      )
      if (sessionId !== undefined) await remove(sessionId)
    },
  },
  {
    name: 'orphan session',
    weight: 1,
    async run() {
      const response = await send('/mcp', {
        method: 'POST',
        headers: headers(),
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 0,
          method: 'initialize',
          params: {
            protocolVersion: VERSION,
            capabilities: {},
            clientInfo: { name: 'orphan', version: '1' },
          },
        }),
      })
      await response?.text()
      note('ok (orphaned)')
    },
  },
  {
    name: 'GET stream dropped',
    weight: 1,
    async run() {
      const sessionId = await initialize()
      if (sessionId === undefined) return
      const abort = new AbortController()
      const response = await send('/mcp', {
        headers: { ...headers(sessionId), accept: 'text/event-stream' },
        signal: abort.signal,
      })
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 200))
      abort.abort()
      note(response?.status === 200 ? 'ok (GET dropped)' : `GET ${response?.status}`)
      await remove(sessionId)
    },
  },
  {
    name: 'legacy sse',
    weight: 1,
    async run() {
      const abort = new AbortController()
      const response = await send('/sse', {
        headers: { accept: 'text/event-stream' },
        signal: abort.signal,
      })
      const first = await response?.body
        ?.getReader()
        .read()
        .catch(() => undefined)
      const path = /data: (\S+)/.exec(new TextDecoder().decode(first?.value))?.[1]
      if (path !== undefined) {
        const posted = await send(path, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
        })
        await posted?.text()
        note(posted?.status === 202 ? 'ok (legacy)' : `legacy POST ${posted?.status}`)
      }
      abort.abort()
    },
  },
]

function pick() {
  const total = SCENARIOS.reduce((sum, s) => sum + s.weight, 0)
  let roll = Math.random() * total
  for (const scenario of SCENARIOS) {
    roll -= scenario.weight
    if (roll < 0) return scenario
  }
  return SCENARIOS[0]!
}

async function figures(collect = false): Promise<HandlerFigures | undefined> {
  try {
    const url = `${BASE}/soak-stats${collect ? '?gc=1' : ''}`
    return (await (await fetch(url)).json()) as HandlerFigures
  } catch {
    return undefined
  }
}

const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1)
function line(elapsed: number, f: HandlerFigures | undefined): string {
  if (f === undefined) return `${elapsed.toFixed(0).padStart(4)}s  (stats unavailable)`
  return [
    `${elapsed.toFixed(0).padStart(4)}s`,
    `requests ${String(counts.requests).padStart(6)}`,
    `rss ${mib(f.memory.rss).padStart(6)} MiB`,
    `heap ${mib(f.memory.heapUsed).padStart(6)} MiB`,
    `sessions ${String(f.sessions).padStart(4)} (${f.hibernatedSessions} asleep)`,
    `streams ${String(f.streams).padStart(3)}`,
    `buffered ${f.bufferedBytes}`,
    `timers ${f.timers}`,
  ].join('  ')
}

function startApp(): Promise<ChildProcess> {
  const child = spawn('npx', ['-y', 'pnpm@10.34.8', '--filter', '@mcpwire/app-node', 'start'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(PORT),
      MCPWIRE_SOAK_STATS: '1',
      HIBERNATE_AFTER_MS,
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --expose-gc`.trim(),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true, // its own process group, so the whole tree stops at the end
  })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the app did not start within 60 s')), 60_000)
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('listening on')) {
        clearTimeout(timer)
        resolve(child)
      }
    })
    child.once('exit', (code) => reject(new Error(`the app exited with ${code}`)))
  })
}

async function main(): Promise<void> {
  const app = await startApp()
  const started = performance.now()
  const elapsed = () => (performance.now() - started) / 1000
  console.log(
    `soak: ${SECONDS} s of mixed traffic, ${WORKERS} workers, against ${BASE} (Node app, hibernateAfterMs ${HIBERNATE_AFTER_MS})`,
  )
  console.log(line(0, await figures()))
  const stopAt = started + SECONDS * 1000
  const sampler = setInterval(async () => console.log(line(elapsed(), await figures())), 10_000)
  await Promise.all(
    Array.from({ length: WORKERS }, async () => {
      while (performance.now() < stopAt) {
        const scenario = pick()
        counts.scenarios++
        try {
          await scenario.run()
        } catch (error) {
          note(`${scenario.name} threw: ${String((error as Error).message ?? error).slice(0, 60)}`)
        }
      }
    }),
  )
  clearInterval(sampler)
  await new Promise((resolve) => setTimeout(resolve, 1000))
  const after = await figures()
  console.log(line(elapsed(), after))
  console.log(`traffic over: ${counts.scenarios} scenarios, ${counts.requests} requests`)
  console.log('outcomes:')
  for (const [kind, n] of [...outcomes].sort((a, b) => b[1] - a[1])) {
    console.log(`  ${String(n).padStart(6)}  ${kind}`)
  }
  console.log(
    `waiting ${SETTLE_SECONDS} s for orphan sessions to expire (unusedSessionIdleMs 60 s)...`,
  )
  await new Promise((resolve) => setTimeout(resolve, SETTLE_SECONDS * 1000))
  const left = await figures(true)
  console.log(`${line(elapsed(), left)}  (after a forced GC)`)
  console.log(
    `left: sessions ${left?.sessions}, streams ${left?.streams}, buffered bytes ${left?.bufferedBytes}, timers ${left?.timers}; overflow-closed ${left?.overflowClosedStreams}, dropped ${left?.droppedMessages}, evicted streams ${left?.evictedStreams}, evicted events ${left?.evictedEvents}`,
  )
  process.kill(-app.pid!, 'SIGTERM')
}

await main()
