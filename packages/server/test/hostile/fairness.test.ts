import { afterEach, describe, expect, it } from 'vitest'
import { createMcpHandler, InMemoryEventStore, type McpHandler } from '../../src/index.js'
import { buildServer } from '../_fixture.js'
import { BASE, initialize, post, readEvents } from '../_requests.js'

const VERSION = '2025-11-25'
let mcp: McpHandler | undefined
afterEach(async () => {
  await mcp?.close()
  mcp = undefined
})

const headers = (sessionId: string) => ({
  'mcp-session-id': sessionId,
  'mcp-protocol-version': VERSION,
})
let nextId = 10
function callBody(name: string, args: Record<string, unknown>, progress = false): string {
  return JSON.stringify({
    jsonrpc: '2.0',
    id: nextId++,
    method: 'tools/call',
    params: { name, arguments: args, ...(progress ? { _meta: { progressToken: 'p' } } : {}) },
  })
}
function resume(handler: McpHandler, sessionId: string, lastEventId: string): Promise<Response> {
  return handler.fetch(
    new Request(`${BASE}/mcp`, {
      headers: { ...headers(sessionId), accept: 'text/event-stream', 'last-event-id': lastEventId },
    }),
  )
}

describe('event store fairness', () => {
  it('one session flooding its streams forgets only its own events, says so, and answers the resume 400', async () => {
    mcp = createMcpHandler({
      connect: (transport) => buildServer().connect(transport),
      keepAliveMs: 0,
      maxSessionEventBytes: 20_000,
      onerror: () => {},
    })
    const victim = await initialize(mcp)
    const victimEvents = await readEvents(
      await mcp.fetch(post(callBody('echo', { text: 'precious' }), headers(victim))),
    )
    const victimPriming = victimEvents[0]!.id!

    const attacker = await initialize(mcp)
    const attackerPrimings: string[] = []
    for (let i = 0; i < 40; i++) {
      const events = await readEvents(
        await mcp.fetch(post(callBody('echo', { text: 'x'.repeat(4000) }), headers(attacker))),
      )
      attackerPrimings.push(events[0]!.id!)
    }
    expect(mcp.stats().evictedStreams).toBeGreaterThan(0)

    const replay = await resume(mcp, victim, victimPriming)
    expect(replay.status).toBe(200)
    expect(await replay.text()).toContain('precious')

    const lost = await resume(mcp, attacker, attackerPrimings[0]!)
    expect(lost.status).toBe(400)
    const body = (await lost.json()) as { error: { code: number; message: string } }
    expect(body.error.code).toBe(-32000)
    expect(body.error.message).toMatch(/Last-Event-ID/)
    // Ten streams back is within the 16 ended streams a session keeps, but past its 20 kB.
    const tenBack = await resume(mcp, attacker, attackerPrimings.at(-10)!)
    expect(tenBack.status).toBe(400)
    await tenBack.text()
    const newest = await resume(mcp, attacker, attackerPrimings.at(-1)!)
    expect(newest.status).toBe(200)
    await newest.text()
  })

  it('a stream past its byte bound drops its oldest events, counts them and refuses a resume across the gap', async () => {
    mcp = createMcpHandler({
      connect: (transport) => buildServer().connect(transport),
      keepAliveMs: 0,
      eventStore: new InMemoryEventStore({ maxBytesPerStream: 4096 }),
      onerror: () => {},
    })
    const sessionId = await initialize(mcp)
    const events = await readEvents(
      await mcp.fetch(post(callBody('count', { n: 300 }, true), headers(sessionId))),
    )
    expect(events.filter((e) => e.data !== '')).toHaveLength(301) // nothing lost live
    expect(mcp.stats().evictedEvents).toBeGreaterThan(0)
    const fromStart = await resume(mcp, sessionId, events[0]!.id!)
    expect(fromStart.status).toBe(400)
    await fromStart.text()
    const fromNearEnd = await resume(mcp, sessionId, events.at(-3)!.id!)
    expect(fromNearEnd.status).toBe(200)
    const replayed = await readEvents(fromNearEnd)
    expect(replayed.map((e) => e.id)).toEqual(events.slice(-2).map((e) => e.id))
  })
})
