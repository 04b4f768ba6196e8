// Measures what one idle session costs in Redis (MEMORY USAGE of every key under it) and checks the
// figures stay within the bounds the README states.
import { clusterStreamId, type McpMessage, requestKey, standaloneStreamId } from '@mcpwire/server'
import { createClient } from 'redis'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { createRedisCluster, fromNodeRedis, type RedisCluster } from '../src/index.js'
import { scan } from './_harness.js'

const initializeParams = {
  protocolVersion: '2025-11-25',
  capabilities: { roots: { listChanged: true }, sampling: {}, elicitation: {} },
  clientInfo: { name: 'example-client', version: '1.4.2' },
}
const result = (id: number): McpMessage => ({
  jsonrpc: '2.0',
  id,
  result: { content: [{ type: 'text', text: `Result of call ${id}: 42` }] },
})

describe('memory per idle session in Redis', () => {
  let client: Awaited<ReturnType<typeof connect>>
  let subscriber: Awaited<ReturnType<typeof connect>>
  let cluster: RedisCluster
  const prefix = `m${crypto.randomUUID().slice(0, 8)}`
  const connect = () => createClient({ url: inject('redisUrl') }).connect()

  beforeAll(async () => {
    client = await connect()
    subscriber = await client.duplicate().connect()
    cluster = createRedisCluster(fromNodeRedis(client, subscriber), { prefix })
  })
  afterAll(async () => {
    const keys = await scan(
      { commands: { send: (c, a) => client.sendCommand([c, ...a]) }, subscriber: null as never },
      `${prefix}:*`,
    )
    if (keys.length > 0) await client.sendCommand(['DEL', ...keys])
    await Promise.all([client.close(), subscriber.close()])
  })

  async function usage(sessionId: string): Promise<{ keys: number; bytes: number }> {
    const keys = await scan(
      { commands: { send: (c, a) => client.sendCommand([c, ...a]) }, subscriber: null as never },
      `${prefix}:{${sessionId}}*`,
    )
    let bytes = 0
    for (const key of keys)
      bytes += Number(await client.sendCommand(['MEMORY', 'USAGE', key, 'SAMPLES', '0']))
    return { keys: keys.length, bytes }
  }

  async function session(calls: number, notifications: number): Promise<string> {
    const id = crypto.randomUUID()
    const ttl = 30 * 60 * 1000
    await cluster.sessions.create(
      {
        id,
        principal: '',
        kind: 'streamable',
        protocolVersion: '2025-11-25',
        replay: {
          initialize: JSON.stringify(initializeParams),
          initialized: true,
          subscriptions: [],
        },
        replayVersion: 1,
      },
      ttl,
    )
    // initialize's answer, then `calls` tools/call, each on a POST stream of its own.
    for (let n = 0; n <= calls; n++) {
      const stream = clusterStreamId(id, `p${n}`)
      await cluster.sessions.touch(id, ttl, { instance: 'a1', requestIds: [requestKey(n)] })
      await cluster.events.open(
        stream,
        { producer: 'a1', pending: [requestKey(n)] },
        {},
        'a1',
        1,
        ttl,
      )
      await cluster.events.end(stream, [result(n)], 'a1', 2)
    }
    for (let n = 0; n < notifications; n++) {
      await cluster.events.storeEvent(standaloneStreamId(id), {
        jsonrpc: '2.0',
        method: 'notifications/message',
        params: { level: 'info', data: `Tick ${n}` },
      })
    }
    return id
  }

  it('states bytes per idle session, bounded by the ended-stream and event caps', async () => {
    const rows: [string, { keys: number; bytes: number }][] = [
      ['after initialize only', await usage(await session(0, 0))],
      ['after 10 tool calls', await usage(await session(10, 0))],
      ['after 100 tool calls (16 ended streams kept)', await usage(await session(100, 0))],
      ['100 calls + 300 notifications (256 kept)', await usage(await session(100, 300))],
    ]
    console.log(
      ['case | keys | bytes', ...rows.map(([name, u]) => `${name} | ${u.keys} | ${u.bytes}`)].join(
        '\n',
      ),
    )
    const [initialized, tenCalls, hundredCalls, withNotifications] = rows.map(([, u]) => u)
    expect(initialized!.bytes).toBeLessThan(2048)
    // Past 16 ended streams a session grows no further.
    expect(hundredCalls!.keys).toBe(tenCalls!.keys + (16 - 11) * 2)
    expect(hundredCalls!.bytes).toBeLessThan(16 * 1024)
    expect(withNotifications!.bytes).toBeLessThan(64 * 1024)
  }, 30_000)
})
