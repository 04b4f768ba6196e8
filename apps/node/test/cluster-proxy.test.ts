// Three Node sample processes in cluster mode on one real Redis, behind a round-robin HTTP proxy
// with no stickiness (test/_round-robin-proxy.ts), driven by the official SDK v1 Client over its
// own StreamableHTTPClientTransport and over @mcpwire/client's StreamableHttpClientTransport.
// Every scenario asserts, through the proxy's log, that the session's requests were spread over
// at least two instances, and counts the messages lost, duplicated and out of order (all 0).
// Set MCPWIRE_CLUSTER_REPORT=<file> to get the per-scenario figures as JSON.
import { writeFileSync } from 'node:fs'
import { type RunningApp, startApp } from '@mcpwire/app-shared/testing'
import { connect, StreamableHttpClientTransport } from '@mcpwire/client'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js'
import {
  ElicitRequestSchema,
  LoggingMessageNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js'
import { createClient } from 'redis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ensureRedisServer,
  type RedisServerProcess,
  startRedisServer,
} from '../../../packages/redis/test/_redis-server.js'
import {
  type ProxyLogEntry,
  type RoundRobinProxy,
  startRoundRobinProxy,
} from './_round-robin-proxy.js'

const given = process.env.MCPWIRE_REDIS_URL
const INSTANCES = 3
/** Sessions live this long idle; a held GET stream touches them every heartbeat. */
const SESSION_IDLE_MS = 5000
const HEARTBEAT_MS = 250

type Kind = 'sdk' | 'mcpwire'
const KINDS: readonly Kind[] = ['sdk', 'mcpwire']

/** Messages lost, duplicated and out of order among what a client received. */
interface Tally {
  lost: number
  duplicated: number
  outOfOrder: number
}

/** One row of the report. */
interface Row extends Tally {
  scenario: string
  client: string
  requests: number
  instances: number
  /** Share of the session's requests served by another instance than the one before. */
  crossInstance: number
  note?: string
}
const report: Row[] = []

/** Compares what arrived with the values expected, in order. */
function tally(expected: readonly number[], got: readonly number[]): Tally {
  const seen = new Set(got)
  let outOfOrder = 0
  for (let i = 1; i < got.length; i++) if (got[i]! < got[i - 1]!) outOfOrder++
  return {
    lost: expected.filter((value) => !seen.has(value)).length,
    duplicated: got.length - seen.size,
    outOfOrder,
  }
}

const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i)

async function waitFor(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) return false
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  return true
}

describe('cluster behind a round-robin proxy: 3 Node processes, one Redis', () => {
  let redis: RedisServerProcess | undefined
  let redisUrl = ''
  let admin: ReturnType<typeof createClient> | undefined
  const apps: (RunningApp | undefined)[] = []
  let proxy: RoundRobinProxy | undefined

  /** Every process started, for the final stop. */
  const started: RunningApp[] = []
  /** Set by afterAll: no further spare starts, and one that comes up is stopped at once. */
  let closing = false
  // Should the worker end without afterAll (a hard timeout), the processes go with it.
  const killStarted = () => {
    for (const app of started) if (app.child.exitCode === null) app.child.kill('SIGKILL')
  }
  process.once('exit', killStarted)
  const launch = async (instanceId: string): Promise<RunningApp> => {
    const app = await startApp('node', 120_000, {
      REDIS_URL: redisUrl,
      INSTANCE_ID: instanceId,
      HIBERNATE_AFTER_MS: '2000',
      CLUSTER_HEARTBEAT_MS: String(HEARTBEAT_MS),
      SESSION_IDLE_MS: String(SESSION_IDLE_MS),
      RETRY_MS: '100',
    })
    started.push(app)
    return app
  }
  /**
   * Spare processes (new instance ids, as a replaced pod gets), started one after the other in
   * the background while the scenarios run: 2 replace the killed instances, 3 the restarted ones.
   */
  let spares: Promise<RunningApp>[] = []
  const startSpares = (count: number) => {
    let chain: Promise<unknown> = Promise.resolve()
    spares = range(1, count).map((n) => {
      const next = chain.then(() => {
        if (closing) throw new Error('The suite is closing')
        return launch(`spare${n}`)
      })
      chain = next.catch(() => {})
      return next
    })
  }
  /** Puts `app` in slot `index` and back in rotation. */
  const place = (index: number, app: RunningApp) => {
    apps[index] = app
    down.delete(index)
    proxy!.setTarget(index, app.url)
    proxy!.rotate(index, true)
  }
  /** Instances killed and not replaced yet. */
  const down = new Set<number>()
  /** Replacements of killed instances, under way while other scenarios run. */
  const restarts: Promise<void>[] = []
  const allUp = () => Promise.all(restarts.splice(0))
  /** Waits for replacements until at least `count` instances are in rotation. */
  const needUp = async (count: number) => {
    while (proxy!.inRotation.length < count && restarts.length > 0) await restarts.shift()
  }
  /** Replaces a killed instance with the next spare once it is up. */
  const restartLater = (index: number) => {
    proxy!.rotate(index, false)
    restarts.push(spares.shift()!.then((app) => place(index, app)))
  }
  /** SIGKILL: no drain, no goodbye to Redis. */
  const kill = async (index: number): Promise<void> => {
    const child = apps[index]!.child
    down.add(index)
    proxy!.rotate(index, false)
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGKILL')
    await exited
  }

  beforeAll(async () => {
    redisUrl = given ?? ''
    if (redisUrl === '') {
      redis = await startRedisServer(ensureRedisServer())
      redisUrl = redis.url
    }
    admin = createClient({ url: redisUrl })
    admin.on('error', () => {})
    await admin.connect()
    apps.push(...(await Promise.all(range(0, INSTANCES - 1).map((n) => launch(`app${n}`)))))
    proxy = await startRoundRobinProxy(apps.map((app) => app!.url))
    startSpares(5)
  }, 120_000)

  afterAll(async () => {
    // At most one spare is still starting (they start one after another): wait for it, then
    // stop every process, whatever the scenarios left behind.
    closing = true
    await Promise.allSettled([...restarts, ...spares])
    await proxy?.close()
    await Promise.all(started.map((app) => app.stop(5000)))
    process.off('exit', killStarted)
    await admin?.quit().catch(() => {})
    await redis?.stop()
    const file = process.env.MCPWIRE_CLUSTER_REPORT
    if (file !== undefined && file !== '') writeFileSync(file, JSON.stringify(report, null, 2))
    console.table(report)
  }, 150_000)

  /** A Client on one kind of transport, recording the standalone notifications it gets. */
  async function open(
    kind: Kind,
    elicited: string[] = [],
    beforeAnswer: (message: string) => Promise<void> = async () => {},
  ) {
    const url = new URL('/mcp', proxy!.url)
    const transport: Transport =
      kind === 'sdk'
        ? new StreamableHTTPClientTransport(url, {
            reconnectionOptions: {
              maxRetries: 20,
              initialReconnectionDelay: 100,
              maxReconnectionDelay: 500,
              reconnectionDelayGrowFactor: 1.5,
            },
          })
        : new StreamableHttpClientTransport(url, {
            reconnect: { initialDelayMs: 100, maxDelayMs: 500, maxElapsedMs: 20_000 },
          })
    const client = new Client(
      { name: `cluster-${kind}`, version: '1.0.0' },
      { capabilities: { elicitation: {} } },
    )
    const notes: number[] = []
    const noteTimes: number[] = []
    client.setNotificationHandler(LoggingMessageNotificationSchema, (note) => {
      const data = note.params.data as { seq?: unknown } | undefined
      if (note.params.logger === 'standalone' && typeof data?.seq === 'number') {
        notes.push(data.seq)
        noteTimes.push(Date.now())
      }
    })
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      elicited.push(request.params.message)
      await beforeAnswer(request.params.message)
      return { action: 'accept', content: { username: `user-${elicited.length}`, email: 'a@b.c' } }
    })
    await client.connect(transport)
    const sessionId = transport.sessionId
    if (sessionId === undefined) throw new Error('No session')
    // The GET stream opens after notifications/initialized: wait until it is held somewhere.
    await waitFor(() => standaloneHolder(sessionId) !== undefined, 5000)
    return { client, transport, sessionId, notes, noteTimes, kind }
  }
  type Opened = Awaited<ReturnType<typeof open>>

  /** The instance now holding the session's GET (standalone) stream, if one is open. */
  function standaloneHolder(sessionId: string): number | undefined {
    const open = proxy!
      .sessionLog(sessionId)
      .filter(
        (e) =>
          e.method === 'GET' &&
          !e.done &&
          e.status === 200 &&
          (e.lastEventId === undefined || streamOf(e.lastEventId).endsWith('.g')),
      )
    return open.at(-1)?.instance
  }

  const streamOf = (eventId: string) => eventId.slice(0, eventId.lastIndexOf('_'))

  /** The log entry of the POST that carried a tools/call with these arguments' marker. */
  function callEntry(sessionId: string, marker: (args: Record<string, unknown>) => boolean) {
    return proxy!.sessionLog(sessionId).find((entry) =>
      entry.sent.some((m) => {
        const params = m.message.params as { arguments?: Record<string, unknown> } | undefined
        return (
          m.method === 'tools/call' && params?.arguments !== undefined && marker(params.arguments)
        )
      }),
    )
  }

  /** Resumes (GET with Last-Event-ID) of a POST stream after `after`. */
  const resumesOf = (sessionId: string, after: number) =>
    proxy!
      .sessionLog(sessionId)
      .filter(
        (e) =>
          e.seq > after &&
          e.method === 'GET' &&
          e.lastEventId !== undefined &&
          !streamOf(e.lastEventId).endsWith('.g'),
      )

  /** Asserts the spread and adds a report row. */
  function record(
    scenario: string,
    opened: { sessionId: string; kind: string },
    t: Tally,
    note?: string,
  ) {
    const entries = proxy!.sessionLog(opened.sessionId).filter((e) => e.instance >= 0)
    const instances = new Set(entries.map((e) => e.instance)).size
    let changes = 0
    for (let i = 1; i < entries.length; i++) {
      if (entries[i]!.instance !== entries[i - 1]!.instance) changes++
    }
    report.push({
      scenario,
      client: opened.kind,
      requests: entries.length,
      instances,
      crossInstance:
        entries.length > 1 ? Math.round((changes / (entries.length - 1)) * 100) / 100 : 0,
      ...t,
      ...(note === undefined ? {} : { note }),
    })
    expect(instances).toBeGreaterThanOrEqual(2)
    expect(t).toEqual({ lost: 0, duplicated: 0, outOfOrder: 0 })
  }

  /** A countdown whose progress and result are recorded in arrival order. */
  function countdown(opened: Opened, ticks: number, intervalMs: number, tag: number) {
    const events: string[] = []
    const progress: number[] = []
    const done = opened.client
      .callTool({ name: 'countdown', arguments: { ticks, intervalMs, tag } }, undefined, {
        timeout: 30_000,
        resetTimeoutOnProgress: true,
        onprogress: (p) => {
          progress.push(p.progress)
          events.push(`p${p.progress}`)
        },
      })
      .then((result) => {
        events.push('result')
        return result
      })
    return { done, progress, events }
  }

  /** Sessions' keys left in Redis. */
  async function keysOf(sessionId: string): Promise<number> {
    let cursor = '0'
    let count = 0
    do {
      const [next, keys] = (await admin!.sendCommand([
        'SCAN',
        cursor,
        'MATCH',
        `mw:{${sessionId}}*`,
        'COUNT',
        '1000',
      ])) as [string, string[]]
      cursor = next
      count += keys.length
    } while (cursor !== '0')
    return count
  }

  /** Status of a tools/list POST sent straight to each running instance for `sessionId`. */
  async function statusEverywhere(sessionId: string): Promise<number[]> {
    const running = proxy!.inRotation.map((index) => apps[index]!)
    expect(running.length).toBeGreaterThanOrEqual(2)
    return Promise.all(
      running.map(async (app) => {
        const response = await fetch(new URL('/mcp', app!.url), {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
            'mcp-session-id': sessionId,
            'mcp-protocol-version': '2025-11-25',
          },
          body: JSON.stringify({ jsonrpc: '2.0', id: 99, method: 'tools/list' }),
        })
        await response.body?.cancel()
        return response.status
      }),
    )
  }

  let idle: { sessionId: string; touched: number } | undefined
  it('idle expiry, part 1: a raw session is made and left alone', async () => {
    const post = async (body: unknown, sessionId?: string) => {
      const response = await fetch(new URL('/mcp', proxy!.url), {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          ...(sessionId === undefined
            ? {}
            : { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' }),
        },
        body: JSON.stringify(body),
      })
      await response.text()
      return response
    }
    const init = await post({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: '2025-11-25',
        capabilities: {},
        clientInfo: { name: 'raw', version: '1' },
      },
    })
    const sessionId = init.headers.get('mcp-session-id')!
    expect(
      (await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, sessionId)).status,
    ).toBe(202)
    expect((await post({ jsonrpc: '2.0', id: 2, method: 'tools/list' }, sessionId)).status).toBe(
      200,
    )
    idle = { sessionId, touched: Date.now() }
    expect(await keysOf(sessionId)).toBeGreaterThan(0)
  }, 20_000)

  for (const kind of KINDS) {
    describe(`${kind} transport`, () => {
      it('handshake spread: initialize, initialized, GET, tools/list, setLevel on several instances', async () => {
        const opened = await open(kind)
        try {
          const tools = await opened.client.listTools()
          expect(tools.tools.map((t) => t.name)).toContain('countdown')
          await opened.client.setLoggingLevel('info')
          const log = proxy!.sessionLog(opened.sessionId)
          expect(log.every((e) => e.status !== 404)).toBe(true)
          const first = log.filter((e) => e.sent.some((m) => m.method !== undefined)).slice(0, 4)
          expect(first.map((e) => e.sent[0]?.method)).toEqual([
            'initialize',
            'notifications/initialized',
            'tools/list',
            'logging/setLevel',
          ])
          record('handshake', opened, { lost: 0, duplicated: 0, outOfOrder: 0 })
        } finally {
          await opened.client.close()
        }
      }, 20_000)

      it('progress: 12 countdowns, sequential then 4 at once, progress before the result', async () => {
        const opened = await open(kind)
        try {
          const calls = []
          for (let i = 0; i < 6; i++) {
            const call = countdown(opened, 3, 10, i)
            await call.done
            calls.push(call)
          }
          const parallel = range(6, 11).map((i) => countdown(opened, 3, 10, i))
          await Promise.all(parallel.map((call) => call.done))
          calls.push(...parallel)
          const sum = { lost: 0, duplicated: 0, outOfOrder: 0 }
          for (const call of calls) {
            const t = tally([1, 2, 3], call.progress)
            sum.lost += t.lost
            sum.duplicated += t.duplicated
            sum.outOfOrder += t.outOfOrder
            expect(call.events).toEqual(['p1', 'p2', 'p3', 'result'])
          }
          const producers = new Set(
            calls.map((_, i) => callEntry(opened.sessionId, (a) => a.tag === i)?.instance),
          )
          expect(producers.size).toBeGreaterThanOrEqual(2)
          record('progress', opened, sum)
        } finally {
          await opened.client.close()
        }
      }, 30_000)

      it('elicitation: the answer lands on another instance than the tool and reaches it', async () => {
        const elicited: string[] = []
        const opened = await open(kind, elicited)
        try {
          const result = await opened.client.callTool(
            { name: 'test_elicitation', arguments: { message: 'who are you' } },
            undefined,
            { timeout: 15_000 },
          )
          expect(result.content).toEqual([
            {
              type: 'text',
              text: 'User response: action=accept, content={"username":"user-1","email":"a@b.c"}',
            },
          ])
          expect(elicited).toEqual(['who are you'])
          const log = proxy!.sessionLog(opened.sessionId)
          const tool = log.find((e) => e.sent.some((m) => m.method === 'tools/call'))!
          const ask = tool.received.find((m) => m.method === 'elicitation/create')!
          const answer = log.find((e) => e.sent.some((m) => m.response && m.id === ask.id))!
          expect(answer.instance).not.toBe(tool.instance)
          record('elicitation', opened, tally([1], [elicited.length]))
        } finally {
          await opened.client.close()
        }
      }, 20_000)

      it('notifications from a non-holder reach the GET stream, once each, in order', async () => {
        const opened = await open(kind)
        try {
          const holder = standaloneHolder(opened.sessionId)!
          // Rotation puts at least one of three calls on another instance than the holder.
          let producer = holder
          for (let i = 0; i < INSTANCES && producer === holder; i++) {
            opened.notes.length = 0
            opened.noteTimes.length = 0
            await opened.client.callTool({
              name: 'test_standalone_notifications',
              arguments: { count: 20, intervalMs: 5, tag: i },
            })
            producer = callEntry(opened.sessionId, (a) => a.tag === i)!.instance
          }
          expect(producer).not.toBe(holder)
          await waitFor(() => opened.notes.length >= 20, 5000)
          await new Promise((resolve) => setTimeout(resolve, 100)) // room for a duplicate
          record('notify from non-holder', opened, tally(range(0, 19), opened.notes))
        } finally {
          await opened.client.close()
        }
      }, 20_000)

      it('network blip: the proxy cuts every connection mid-stream, the client resumes', async () => {
        const opened = await open(kind)
        try {
          const before = proxy!.log.length
          const call = countdown(opened, 20, 40, 100)
          await waitFor(() => call.progress.length >= 5, 10_000)
          const producer = callEntry(opened.sessionId, (a) => a.tag === 100)!.instance
          expect(proxy!.cut()).toBeGreaterThanOrEqual(1)
          await call.done
          const resumes = resumesOf(opened.sessionId, before)
          expect(resumes.length).toBeGreaterThanOrEqual(1)
          record(
            'network blip',
            opened,
            tally(range(1, 20), call.progress),
            `producer app${producer}, resumed on ${resumes.map((e) => `app${e.instance}`).join(' ')}`,
          )
          expect(call.events.at(-1)).toBe('result')
        } finally {
          await opened.client.close()
        }
      }, 30_000)

      it('DELETE on an instance other than the GET holder ends the session everywhere', async () => {
        const opened = await open(kind)
        const holder = standaloneHolder(opened.sessionId)!
        const getEntry = proxy!
          .sessionLog(opened.sessionId)
          .filter((e) => e.method === 'GET' && !e.done)
          .at(-1)!
        await opened.client.listTools()
        proxy!.rotate(holder, false)
        try {
          if (opened.transport instanceof StreamableHTTPClientTransport) {
            await opened.transport.terminateSession()
          }
          await opened.client.close() // the mcpwire transport sends DELETE here
        } finally {
          proxy!.rotate(holder, true)
        }
        const del = proxy!.sessionLog(opened.sessionId).find((e) => e.method === 'DELETE')!
        expect(del.status).toBe(200)
        expect(del.instance).not.toBe(holder)
        expect(await waitFor(() => getEntry.done, 3000)).toBe(true)
        expect(new Set(await statusEverywhere(opened.sessionId))).toEqual(new Set([404]))
        expect(await keysOf(opened.sessionId)).toBe(0)
        record('DELETE', opened, { lost: 0, duplicated: 0, outOfOrder: 0 })
      }, 20_000)
    })
  }

  it('idle expiry, part 2: the untouched session is gone on every instance, keys and all', async () => {
    const { sessionId, touched } = idle!
    // Requests would touch it: watch the record in Redis instead (TTL is 1 to 1.5 times idle).
    const deadline = touched + SESSION_IDLE_MS * 1.5 + 1500
    while (Date.now() < deadline && (await admin!.exists(`mw:{${sessionId}}`)) === 1) {
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    expect(Date.now() - touched).toBeGreaterThanOrEqual(SESSION_IDLE_MS - 100)
    expect(new Set(await statusEverywhere(sessionId))).toEqual(new Set([404]))
    expect(await keysOf(sessionId)).toBe(0)
    const entries = proxy!.sessionLog(sessionId)
    expect(new Set(entries.map((e) => e.instance)).size).toBeGreaterThanOrEqual(2)
    record(
      'idle expiry',
      { sessionId, kind: 'raw fetch' },
      { lost: 0, duplicated: 0, outOfOrder: 0 },
    )
  }, 20_000)

  /** Only `index` in rotation (`undefined`: every instance that is up). */
  const only = (index: number | undefined) => {
    for (let i = 0; i < INSTANCES; i++) {
      proxy!.rotate(i, index === undefined ? !down.has(i) : i === index)
    }
  }

  it('kill the stream holder (SIGKILL): both clients resume on another instance', async () => {
    await needUp(2)
    const clients = await Promise.all(KINDS.map((kind) => open(kind)))
    let holder: number | undefined
    try {
      const before = proxy!.log.length
      const [producer, other] = proxy!.inRotation as [number, number]
      // Both calls run on one producer; their resumes then land on the holder only.
      only(producer)
      const calls = clients.map((opened, k) => countdown(opened, 25, 60, 200 + k))
      await waitFor(() => calls.every((call) => call.progress.length >= 4), 10_000)
      only(other)
      proxy!.cut(producer)
      const resumed = () =>
        clients.every((opened) => resumesOf(opened.sessionId, before).some((e) => e.status === 200))
      await waitFor(resumed, 10_000)
      only(undefined)
      holder = other
      for (const opened of clients) {
        const resume = resumesOf(opened.sessionId, before).find((e) => e.status === 200)!
        expect(resume.instance).toBe(holder)
      }
      const seen = calls.map((call) => call.progress.length)
      await waitFor(() => calls.every((call, k) => call.progress.length >= seen[k]! + 2), 5000)
      await kill(holder)
      await Promise.all(calls.map((call) => call.done))
      clients.forEach((opened, k) => {
        record(
          'kill stream holder',
          opened,
          tally(range(1, 25), calls[k]!.progress),
          `producer app${producer}, holder app${holder} killed`,
        )
        expect(calls[k]!.events.at(-1)).toBe('result')
      })
    } finally {
      only(undefined)
      await Promise.all(clients.map((opened) => opened.client.close()))
      if (holder !== undefined) restartLater(holder)
    }
  }, 60_000)

  it('kill the producer (SIGKILL): both calls get an explicit error, the next calls work', async () => {
    await needUp(2)
    const clients = await Promise.all(KINDS.map((kind) => open(kind)))
    const producer = proxy!.inRotation[0]!
    try {
      only(producer)
      const calls = clients.map((opened, k) => countdown(opened, 40, 50, 300 + k))
      await waitFor(() => calls.every((call) => call.progress.length >= 3), 10_000)
      only(undefined)
      const killedAt = Date.now()
      await kill(producer)
      const errors = await Promise.all(
        calls.map((call) =>
          call.done.then(
            () => undefined,
            (e: unknown) => e as Error,
          ),
        ),
      )
      const detectMs = Date.now() - killedAt
      for (const error of errors) {
        expect(error?.message).toMatch(/Request interrupted: the instance running it stopped/)
      }
      for (const opened of clients) {
        const next = await opened.client.callTool({ name: 'echo', arguments: { text: 'after' } })
        expect(next.content).toEqual([{ type: 'text', text: 'after' }])
      }
      clients.forEach((opened, k) => {
        // Progress up to the kill arrived once each and in order; what never ran is not lost.
        const got = calls[k]!.progress
        record(
          'kill producer',
          opened,
          tally(range(1, got.length), got),
          `both errors after ${detectMs} ms`,
        )
      })
    } finally {
      only(undefined)
      await Promise.all(clients.map((opened) => opened.client.close()))
      restartLater(producer)
    }
  }, 60_000)

  for (const kind of KINDS) {
    it(`Redis pub/sub drop (${kind}): CLIENT KILL TYPE pubsub mid-notifications, and while an elicitation waits`, async () => {
      await needUp(2)
      const elicited: string[] = []
      let droppedWhileWaiting = 0
      const opened = await open(kind, elicited, async (message) => {
        if (message !== 'drop while waiting') return
        droppedWhileWaiting = Number(await admin!.sendCommand(['CLIENT', 'KILL', 'TYPE', 'pubsub']))
      })
      try {
        const holder = standaloneHolder(opened.sessionId)!
        let producer = holder
        let calls = 0
        let killed = 0
        while (producer === holder && calls < INSTANCES) {
          opened.notes.length = 0
          opened.noteTimes.length = 0
          const tag = calls++
          const running = opened.client.callTool({
            name: 'test_standalone_notifications',
            arguments: { count: 30, intervalMs: 20, tag },
          })
          await waitFor(() => opened.notes.length >= 5, 5000)
          killed = Number(await admin!.sendCommand(['CLIENT', 'KILL', 'TYPE', 'pubsub']))
          await running
          producer = callEntry(opened.sessionId, (a) => a.tag === tag)!.instance
        }
        expect(killed).toBeGreaterThanOrEqual(1)
        await waitFor(() => opened.notes.length >= 30, 5000)
        await new Promise((resolve) => setTimeout(resolve, 100))
        const notes = tally(range(0, 29), opened.notes)
        const times = opened.noteTimes
        const gap = Math.max(...times.slice(1).map((t, i) => t - times[i]!))
        // The subscribers drop while a tool waits for the client's answer, which then lands on
        // another instance and crosses the bus.
        const before = proxy!.log.length
        const result = await opened.client.callTool(
          { name: 'test_elicitation', arguments: { message: 'drop while waiting' } },
          undefined,
          { timeout: 10_000 },
        )
        expect(JSON.stringify(result.content)).toContain('action=accept')
        expect(droppedWhileWaiting).toBeGreaterThanOrEqual(1)
        const log = proxy!.log.slice(before)
        const tool = log.find((e) => e.sent.some((m) => m.method === 'tools/call'))!
        const ask = tool.received.find((m) => m.method === 'elicitation/create')!
        const answer = log.find((e) => e.sent.some((m) => m.response && m.id === ask.id))!
        expect(answer.instance).not.toBe(tool.instance)
        record(
          'pub/sub drop',
          opened,
          notes,
          `${killed} subscriber connections killed; longest gap between notifications ${gap} ms (sent every 20 ms)`,
        )
      } finally {
        await opened.client.close()
      }
    }, 40_000)
  }

  it('@mcpwire/client connect(): a 2025-11-25 session spread over the instances, with progress', async () => {
    await needUp(2)
    const client = await connect(new URL('/mcp', proxy!.url).href, {
      protocolVersion: '2025-11-25',
    })
    const before = proxy!.log.length
    try {
      const progress: number[][] = []
      for (let i = 0; i < 4; i++) {
        const got: number[] = []
        await client.request(
          'tools/call',
          { name: 'countdown', arguments: { ticks: 3, intervalMs: 10 } },
          { onProgress: ({ progress: p }) => got.push(p) },
        )
        progress.push(got)
      }
      const sessions = new Set(
        proxy!.log
          .slice(before)
          .map((e: ProxyLogEntry) => e.sessionId)
          .filter((s) => s !== undefined),
      )
      expect(sessions.size).toBe(1)
      const sum = progress.map((got) => tally([1, 2, 3], got))
      record(
        'connect() progress',
        { sessionId: [...sessions][0]!, kind: 'mcpwire connect()' },
        {
          lost: sum.reduce((a, t) => a + t.lost, 0),
          duplicated: sum.reduce((a, t) => a + t.duplicated, 0),
          outOfOrder: sum.reduce((a, t) => a + t.outOfOrder, 0),
        },
      )
    } finally {
      await client.close()
    }
  }, 20_000)

  it('rolling restart: each instance in turn leaves rotation, drains on SIGTERM and is replaced, while both clients keep calling', async () => {
    await allUp()
    const clients = await Promise.all(KINDS.map((kind) => open(kind)))
    let stop = false
    let ok = 0
    const failures: string[] = []
    const sent: number[] = []
    const answered: number[] = []
    let n = 0
    const lane = async (opened: Opened) => {
      while (!stop && n < 2000) {
        const i = n++
        sent.push(i)
        try {
          const result = await opened.client.callTool(
            { name: 'echo', arguments: { text: `c${i}` } },
            undefined,
            { timeout: 15_000 },
          )
          expect(result.content).toEqual([{ type: 'text', text: `c${i}` }])
          answered.push(i)
          ok++
          await new Promise((resolve) => setTimeout(resolve, 20))
        } catch (error) {
          failures.push(`${opened.kind} c${i}: ${(error as Error).message}`)
        }
      }
    }
    const lanes = clients.map((opened) => lane(opened))
    const timings: string[] = []
    const retriesBefore = proxy!.connectRetries
    try {
      for (let index = 0; index < INSTANCES; index++) {
        const next = await spares.shift()!
        const began = Date.now()
        // Calls keep going through every step, however slow the machine: each step starts only
        // once a few more calls have been answered since the last one.
        const okBefore = ok
        proxy!.rotate(index, false)
        const code = await apps[index]!.stop(5000)
        timings.push(`slot ${index}: stopped in ${Date.now() - began} ms (exit ${code})`)
        place(index, next)
        await new Promise((resolve) => setTimeout(resolve, 300))
        const deadline = Date.now() + 20_000
        while (ok < okBefore + 8 && failures.length === 0 && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 20))
        }
      }
    } finally {
      stop = true
      await Promise.all(lanes)
    }
    for (const opened of clients) {
      // Only the calls' own answers count: each call was answered once (no retries are made).
      record(
        'rolling restart',
        opened,
        { lost: 0, duplicated: 0, outOfOrder: 0 },
        `${ok} calls ok, ${failures.length} failed, ${proxy!.connectRetries - retriesBefore} connects retried by the proxy; ${timings.join('; ')}`,
      )
    }
    expect(failures).toEqual([])
    expect(
      tally(
        sent,
        answered.sort((a, b) => a - b),
      ),
    ).toEqual({ lost: 0, duplicated: 0, outOfOrder: 0 })
    expect(ok).toBeGreaterThanOrEqual(8 * INSTANCES)
    await Promise.all(clients.map((opened) => opened.client.close()))
  }, 120_000)
})
