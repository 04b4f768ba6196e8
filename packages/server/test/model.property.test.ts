import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createMcpHandler, type McpHandler, type McpTransport } from '../src/index.js'
import { FakeTimers } from './_fake-timers.js'
import { BASE, initializeBody, post } from './_requests.js'

const IDLE_MS = 1000
const VERSION = '2025-11-25'
const flush = () => new Promise((resolve) => setTimeout(resolve, 0))

interface StreamRecord {
  readonly session: string
  readonly kind: 'get' | 'post'
  text: string
  done: Promise<void>
  readonly abort: AbortController
  ended: boolean
}

interface SessionRecord {
  readonly id: string
  alive: boolean
  getOpen: StreamRecord | undefined
  /** Notifications sent while a GET had been opened at least once (a client can resume them). */
  readonly resumable: Set<number>
}

/** The real system under test plus what the test observed. */
class Real {
  readonly timers = new FakeTimers()
  readonly transports: McpTransport[] = []
  readonly closedTransports = new Set<McpTransport>()
  closes = 0
  readonly mcp: McpHandler
  readonly sessions: SessionRecord[] = []
  readonly streams: StreamRecord[] = []
  readonly sentTo = new Map<number, string>()
  readonly postResponses: { id: number; session: string; bodies: string[] }[] = []
  nextSeq = 1
  nextId = 100

  /** @param hibernateAfterMs Passed on to the handler (sessions whose server goes when idle). */
  constructor(hibernateAfterMs?: number) {
    this.mcp = createMcpHandler({
      timers: this.timers,
      sessionIdleMs: IDLE_MS,
      keepAliveMs: 300,
      ...(hibernateAfterMs === undefined ? {} : { hibernateAfterMs }),
      connect: async (transport) => {
        this.transports.push(transport)
        await new McpServer({ name: 'model', version: '1' }).connect(transport)
        const onclose = transport.onclose
        transport.onclose = () => {
          this.closedTransports.add(transport)
          this.closes++
          onclose?.()
        }
      },
    })
  }

  /** The transport of the session's live server; undefined while it hibernates. */
  liveTransport(session: string): McpTransport | undefined {
    const transport = this.transports.findLast((t) => t.sessionId === session)
    return transport === undefined || this.closedTransports.has(transport) ? undefined : transport
  }

  headers(session: string): Record<string, string> {
    return { 'mcp-session-id': session, 'mcp-protocol-version': VERSION }
  }

  track(response: Response, session: string, kind: 'get' | 'post', abort: AbortController) {
    const record: StreamRecord = {
      session,
      kind,
      text: '',
      abort,
      ended: false,
      done: Promise.resolve(),
    }
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
    record.done = (async () => {
      try {
        for (;;) {
          const { done, value } = await reader.read()
          if (done) break
          record.text += value
        }
      } catch {
        // An aborted request errors the body: the stream is over.
      }
      record.ended = true
    })()
    this.streams.push(record)
    return record
  }
}

function lastId(text: string): string | undefined {
  return [...text.matchAll(/^id: (.+)$/gm)].at(-1)?.[1]
}

function live(real: Real): SessionRecord[] {
  return real.sessions.filter((s) => s.alive)
}

type Command = fc.AsyncCommand<object, Real>

const initializeCmd: Command = {
  check: () => true,
  async run(_m, real) {
    const response = await real.mcp.fetch(post(initializeBody(1, VERSION)))
    expect(response.status).toBe(200)
    const id = response.headers.get('mcp-session-id')!
    expect(await response.text()).toContain('"id":1')
    const init = await real.mcp.fetch(
      post(
        JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
        real.headers(id),
      ),
    )
    expect(init.status).toBe(202)
    real.sessions.push({
      id,
      alive: true,
      getOpen: undefined,
      resumable: new Set(),
    })
  },
  toString: () => 'initialize',
}

const pingCmd = (pick: number): Command => ({
  check: () => true,
  async run(_m, real) {
    const session = live(real)[pick % Math.max(1, live(real).length)]
    if (session === undefined) return
    const id = real.nextId++
    const abort = new AbortController()
    const response = await real.mcp.fetch(
      post(
        JSON.stringify({ jsonrpc: '2.0', id, method: 'ping' }),
        real.headers(session.id),
        '/mcp',
        abort.signal,
      ),
    )
    expect(response.status).toBe(200)
    const record = real.track(response, session.id, 'post', abort)
    await record.done
    real.postResponses.push({ id, session: session.id, bodies: [record.text] })
  },
  toString: () => `ping(${pick})`,
})

const getCmd = (pick: number): Command => ({
  check: () => true,
  async run(_m, real) {
    const session = live(real)[pick % Math.max(1, live(real).length)]
    if (session === undefined) return
    const abort = new AbortController()
    const response = await real.mcp.fetch(
      new Request(`${BASE}/mcp`, {
        headers: { ...real.headers(session.id), accept: 'text/event-stream' },
        signal: abort.signal,
      }),
    )
    if (session.getOpen !== undefined && !session.getOpen.ended) {
      expect(response.status).toBe(409)
      return
    }
    expect(response.status).toBe(200)
    // A fresh GET (no Last-Event-ID) gives up what was stored while no stream was open.
    session.resumable.clear()
    session.getOpen = real.track(response, session.id, 'get', abort)
    await flush()
  },
  toString: () => `get(${pick})`,
})

const notifyCmd = (pick: number): Command => ({
  check: () => true,
  async run(_m, real) {
    const session = live(real)[pick % Math.max(1, live(real).length)]
    // A hibernating session has no server to send anything.
    const transport = session === undefined ? undefined : real.liveTransport(session.id)
    if (session === undefined || transport === undefined) return
    const seq = real.nextSeq++
    real.sentTo.set(seq, session.id)
    if (real.streams.some((s) => s.session === session.id && s.kind === 'get'))
      session.resumable.add(seq)
    await transport.send({
      jsonrpc: '2.0',
      method: 'notifications/message',
      params: { level: 'info', data: { seq } },
    })
    await flush()
  },
  toString: () => `notify(${pick})`,
})

const abortCmd = (pick: number): Command => ({
  check: () => true,
  async run(_m, real) {
    const session = live(real)[pick % Math.max(1, live(real).length)]
    const stream = session?.getOpen
    if (stream === undefined || stream.ended) return
    stream.abort.abort()
    await stream.done
    await flush()
  },
  toString: () => `abort(${pick})`,
})

const resumeCmd = (pick: number): Command => ({
  check: () => true,
  run: (_m, real) => resume(real, live(real)[pick % Math.max(1, live(real).length)]),
  toString: () => `resume(${pick})`,
})

async function resume(real: Real, session: SessionRecord | undefined): Promise<void> {
  if (session === undefined || (session.getOpen !== undefined && !session.getOpen.ended)) return
  // Like EventSource, the client keeps the last id it saw across reconnections: a resumed stream
  // that carried no event yet leaves it unchanged.
  const id = real.streams
    .filter((s) => s.session === session.id && s.kind === 'get')
    .map((s) => lastId(s.text))
    .filter((seen) => seen !== undefined)
    .at(-1)
  if (id === undefined) return
  const abort = new AbortController()
  const response = await real.mcp.fetch(
    new Request(`${BASE}/mcp`, {
      headers: { ...real.headers(session.id), accept: 'text/event-stream', 'last-event-id': id },
      signal: abort.signal,
    }),
  )
  expect(response.status).toBe(200)
  session.getOpen = real.track(response, session.id, 'get', abort)
  await flush()
}

const deleteCmd = (pick: number): Command => ({
  check: () => true,
  async run(_m, real) {
    const session = live(real)[pick % Math.max(1, live(real).length)]
    if (session === undefined) return
    const response = await real.mcp.fetch(
      new Request(`${BASE}/mcp`, { method: 'DELETE', headers: real.headers(session.id) }),
    )
    expect(response.status).toBe(200)
    session.alive = false
    await flush()
    const again = await real.mcp.fetch(
      post(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }), real.headers(session.id)),
    )
    expect(again.status).toBe(404)
  },
  toString: () => `delete(${pick})`,
})

/** A moment of quiet: with hibernateAfterMs 1, every session with nothing in flight hibernates. */
const sleepCmd: Command = {
  check: () => true,
  async run(_m, real) {
    real.timers.advance(1)
    await flush()
  },
  toString: () => 'sleep',
}

const expireCmd: Command = {
  check: () => true,
  async run(_m, real) {
    real.timers.advance(IDLE_MS)
    await flush()
    for (const session of live(real)) {
      const open = session.getOpen !== undefined && !session.getOpen.ended
      if (!open) session.alive = false
    }
    expect(real.mcp.stats().sessions).toBe(live(real).length)
  },
  toString: () => 'expire',
}

function notificationsIn(text: string): number[] {
  const seqs: number[] = []
  for (const match of text.matchAll(/^data: (.+)$/gm)) {
    const message = JSON.parse(match[1]!)
    if (message.method === 'notifications/message') seqs.push(message.params.data.seq)
  }
  return seqs
}

describe('model-based: random sessions, requests, streams, resumes, deletes, aborts and expiry', () => {
  // Sleeps add at most 40 ms, far below IDLE_MS: they hibernate sessions but expire none.
  it.each([
    { name: 'sessions keep their server', hibernateAfterMs: undefined },
    { name: 'idle sessions hibernate and wake', hibernateAfterMs: 1 },
  ])(
    'never delivers a message twice or to the wrong session, answers every request once, loses nothing resumable and leaks nothing ($name)',
    async ({ hibernateAfterMs }) => {
      let rebuilds = 0 // servers connected on wake, over all runs
      const pick = fc.nat(7)
      const commands = [
        fc.constant(initializeCmd),
        fc.constant(initializeCmd),
        pick.map(pingCmd),
        pick.map(getCmd),
        pick.map(getCmd),
        pick.map(notifyCmd),
        pick.map(notifyCmd),
        pick.map(notifyCmd),
        pick.map(notifyCmd),
        pick.map(abortCmd),
        pick.map(resumeCmd),
        pick.map(deleteCmd),
        fc.constant(expireCmd),
        ...(hibernateAfterMs === undefined ? [] : [fc.constant(sleepCmd), fc.constant(sleepCmd)]),
      ]
      await fc.assert(
        fc.asyncProperty(
          fc.commands(commands, { maxCommands: 40, size: 'large' }),
          async (cmds) => {
            const real = new Real(hibernateAfterMs)
            await fc.asyncModelRun(() => ({ model: {}, real }), cmds)

            // Every live session: resume once more so what was stored reaches the client.
            for (const session of live(real)) {
              if (session.getOpen !== undefined && !session.getOpen.ended) continue
              await resume(real, session)
            }
            await flush()
            const aliveAtEnd = new Set(live(real).map((s) => s.id))
            await real.mcp.close()
            await Promise.all(real.streams.map((s) => s.done))

            const seen = new Map<number, number>()
            for (const stream of real.streams) {
              for (const seq of notificationsIn(stream.text)) {
                expect(real.sentTo.get(seq)).toBe(stream.session)
                expect(stream.kind).toBe('get')
                seen.set(seq, (seen.get(seq) ?? 0) + 1)
              }
            }
            for (const count of seen.values()) expect(count).toBe(1)
            for (const session of real.sessions) {
              if (!aliveAtEnd.has(session.id)) continue
              for (const seq of session.resumable) expect(seen.get(seq)).toBe(1)
            }
            for (const { id, bodies } of real.postResponses) {
              const answers = bodies.join('').match(new RegExp(`"id":${id}[,}]`, 'g')) ?? []
              expect(answers.length).toBe(1)
            }
            expect(real.mcp.stats()).toMatchObject({
              sessions: 0,
              hibernatedSessions: 0,
              streams: 0,
              bufferedBytes: 0,
            })
            expect(real.timers.size).toBe(0)
            // Every server's transport closed exactly once, at hibernation or at the end.
            expect(real.closedTransports.size).toBe(real.transports.length)
            expect(real.closes).toBe(real.transports.length)
            rebuilds += real.transports.length - real.sessions.length
          },
        ),
        { numRuns: 40 },
      )
      if (hibernateAfterMs === undefined) expect(rebuilds).toBe(0)
      else expect(rebuilds).toBeGreaterThan(0)
    },
    60_000,
  )
})
