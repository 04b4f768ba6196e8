// The server's cluster scenarios (SDK v1 client, round robin over 3 handlers) with each handler on
// its own node-redis connections to the test's real Redis, plus what a steady-state call costs.
import { createClient } from 'redis'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { startCluster, type TestCluster } from '../../server/test/_cluster.js'
import { describeClusterScenarios } from '../../server/test/_cluster-scenarios.js'
import { initializeBody, post } from '../../server/test/_requests.js'
import { createRedisCluster, fromNodeRedis, type RedisConnection } from '../src/index.js'
import { scan } from './_harness.js'

const url = inject('redisUrl')
const opened: { close(): Promise<void> }[] = []

/** One instance's node-redis connections, counting the commands sent (one round trip each). */
async function connect(counter: { commands: string[] }): Promise<RedisConnection> {
  const client = await createClient({ url }).connect()
  const subscriber = await client.duplicate().connect()
  opened.push({ close: () => Promise.all([client.close(), subscriber.close()]).then(() => {}) })
  const connection = fromNodeRedis(client, subscriber)
  return {
    ...connection,
    commands: {
      send: (command, args) => {
        counter.commands.push(command === 'EVALSHA' || command === 'EVAL' ? `${command}` : command)
        return connection.commands.send(command, args)
      },
    },
  }
}

afterAll(async () => {
  await Promise.all(opened.splice(0).map((connection) => connection.close()))
})

async function redisCluster(heartbeatMs?: number): Promise<TestCluster & { prefix: string }> {
  const prefix = `h${crypto.randomUUID().slice(0, 8)}`
  const backends = []
  for (let i = 0; i < 3; i++) {
    backends.push(createRedisCluster(await connect({ commands: [] }), { prefix }))
  }
  return Object.assign(startCluster(3, {}, backends, heartbeatMs), { prefix })
}

describeClusterScenarios(
  'cluster mode on Redis (node-redis), SDK v1 client, round robin over 3 instances',
  redisCluster,
)

describe('cluster mode on Redis: costs and cleanup', () => {
  it('counts Redis commands per steady-state tools/call, and DELETE leaves no key', async () => {
    const counter = { commands: [] as string[] }
    const prefix = `c${crypto.randomUUID().slice(0, 8)}`
    const connection = await connect(counter)
    const cluster = startCluster(1, {}, createRedisCluster(connection, { prefix }), 60_000)
    try {
      const init = await cluster.fetchOn(0, post(initializeBody(1, '2025-11-25')))
      const sessionId = init.headers.get('mcp-session-id')!
      await init.text()
      const headers = { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' }
      const call = (id: number) =>
        post(
          JSON.stringify({
            jsonrpc: '2.0',
            id,
            method: 'tools/call',
            params: { name: 'echo', arguments: { text: 'x' } },
          }),
          headers,
        )
      await (await cluster.fetchOn(0, call(2))).text()
      const perCall: number[] = []
      for (let id = 3; id < 13; id++) {
        counter.commands.length = 0
        expect(await (await cluster.fetchOn(0, call(id))).text()).toContain('i0:x')
        await new Promise((resolve) => setTimeout(resolve, 5))
        perCall.push(counter.commands.length)
      }
      console.log(
        `Redis commands per steady-state tools/call (10 calls): ${perCall.join(',')}; last: ${counter.commands.join(' ')}`,
      )
      expect(Math.max(...perCall)).toBe(2)
      const deleted = await cluster.fetchOn(
        0,
        new Request('http://127.0.0.1:3000/mcp', { method: 'DELETE', headers }),
      )
      expect(deleted.status).toBe(200)
      expect(await scan(connection, `${prefix}:{${sessionId}}*`)).toEqual([])
    } finally {
      await cluster.close()
    }
  })
})
