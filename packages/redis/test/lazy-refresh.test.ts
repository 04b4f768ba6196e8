// The idle-TTL refresh on Redis: a touch resets every key of the session only when the record has
// less than the idle TTL (or more than 1.5 times it) left, and keys written in between share the
// record's expiry, so every key outlives the last touch by at least the idle TTL.
import { clusterStreamId, requestKey } from '@mcpwire/server'
import { createClient } from 'redis'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { createRedisCluster, fromNodeRedis, type RedisCluster } from '../src/index.js'
import { scan } from './_harness.js'

const TTL = 10_000

describe('lazy idle-TTL refresh', () => {
  let client: Awaited<ReturnType<typeof connect>>
  let subscriber: Awaited<ReturnType<typeof connect>>
  let cluster: RedisCluster
  const prefix = `r${crypto.randomUUID().slice(0, 8)}`
  const connect = () => createClient({ url: inject('redisUrl') }).connect()
  const send = (command: string, args: string[]) => client.sendCommand([command, ...args])

  beforeAll(async () => {
    client = await connect()
    subscriber = await client.duplicate().connect()
    cluster = createRedisCluster(fromNodeRedis(client, subscriber), { prefix })
  })
  afterAll(async () => {
    const keys = await scan({ commands: { send }, subscriber: null as never }, `${prefix}:*`)
    if (keys.length > 0) await client.sendCommand(['DEL', ...keys])
    await Promise.all([client.close(), subscriber.close()])
  })

  /** PTTL of every key of the session, by key suffix after the record's name. */
  async function ttls(id: string): Promise<Map<string, number>> {
    const base = `${prefix}:{${id}}`
    const keys = await scan({ commands: { send }, subscriber: null as never }, `${base}*`)
    const out = new Map<string, number>()
    for (const key of keys) out.set(key.slice(base.length), Number(await send('PTTL', [key])))
    return out
  }

  async function newSession(): Promise<string> {
    const id = crypto.randomUUID()
    const replay = { initialize: '{}', initialized: true, subscriptions: [] }
    const record = { id, principal: '', kind: 'streamable' as const, protocolVersion: '2025-11-25' }
    expect(await cluster.sessions.create({ ...record, replay, replayVersion: 1 }, TTL)).toBe(true)
    return id
  }

  async function call(id: string, n: number): Promise<void> {
    const stream = clusterStreamId(id, `p${n}`)
    const opening = { producer: 'a1', pending: [requestKey(n)] }
    expect(await cluster.events.touchAndOpen!(stream, opening, {}, 'a1', 1, TTL)).toMatchObject({
      replayVersion: 1,
    })
    await cluster.events.end(stream, [{ jsonrpc: '2.0', id: n, result: { content: [] } }], 'a1', 2)
  }

  it('a touch within the window leaves the stream keys alone; every key keeps at least the TTL', async () => {
    const id = await newSession()
    await call(id, 1)
    const p1 = `:m:${clusterStreamId(id, 'p1')}`
    const first = await ttls(id)
    // The first touch found less than the TTL left (create sets exactly it): full refresh to 1.5x.
    expect(first.get('')).toBeGreaterThan(TTL * 1.4)
    expect(first.get(p1)).toBeGreaterThan(TTL * 1.4)

    await new Promise((resolve) => setTimeout(resolve, 300))
    await cluster.sessions.touch(id, TTL, { instance: 'a1', requestIds: [requestKey(2)] })
    await call(id, 3)
    const second = await ttls(id)
    const p3 = `:m:${clusterStreamId(id, 'p3')}`
    const record = second.get('')!
    // Not refreshed: the record lost the 300 ms, so did the first stream's keys.
    expect(record).toBeLessThan(first.get('')! - 200)
    expect(second.get(p1)).toBeLessThan(first.get(p1)! - 200)
    // Every key, old or written since (the new stream), expires with the record and at least the
    // TTL after this touch: the record (which also holds the request ids in flight and the stream
    // ids), the list of ended streams, and two keys per stream.
    expect([...second.keys()].sort()).toEqual(
      ['', ':ended', p1, p1.replace(':m:', ':e:'), p3, p3.replace(':m:', ':e:')].sort(),
    )
    const fields = (await send('HKEYS', [`${prefix}:{${id}}`])) as unknown as string[]
    expect(fields).toContain(`r:${requestKey(2)}`) // claimed by the touch, still in flight
    expect(fields).not.toContain(`r:${requestKey(3)}`) // answered, released by end
    expect(fields).toEqual(expect.arrayContaining([`s:${clusterStreamId(id, 'p1')}`]))
    for (const [key, left] of second) {
      expect(left, key).toBeGreaterThanOrEqual(TTL - 200)
      expect(Math.abs(left - record), key).toBeLessThan(200)
    }
  })

  it('a touch with a shorter TTL refreshes everything to it', async () => {
    const id = await newSession()
    await call(id, 1)
    await cluster.sessions.touch(id, 2000)
    for (const [key, left] of await ttls(id)) {
      expect(left, key).toBeGreaterThan(1800)
      expect(left, key).toBeLessThanOrEqual(3000)
    }
  })
})
