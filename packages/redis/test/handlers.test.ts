// The server's cluster scenarios (SDK v1 client, round robin over 3 handlers) with each handler on
// its own node-redis connections to the test's real Redis, plus what a steady-state call costs.
import { createClient } from 'redis'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { sseReader, startCluster, type TestCluster } from '../../server/test/_cluster.js'
import {
  askOnFirst,
  headers,
  openElicitingSession,
} from '../../server/test/_cluster-elicitation.js'
import { describeClusterLegacyScenarios } from '../../server/test/_cluster-legacy-scenarios.js'
import { describeClusterScenarios } from '../../server/test/_cluster-scenarios.js'
import { initializeBody, post } from '../../server/test/_requests.js'
import { waitFor } from '../../server/test/_wait-for.js'
import { createRedisCluster, fromNodeRedis, type RedisConnection } from '../src/index.js'
import { scan } from './_harness.js'

const url = inject('redisUrl')
const opened: { close(): Promise<void> }[] = []

/** One instance's node-redis connections, counting the commands sent (one round trip each). */
async function connect(counter: { commands: string[] }): Promise<RedisConnection> {
  const client = await createClient({ url }).connect()
  const subscriber = await client.duplicate().connect()
  let closing: Promise<void> | undefined
  opened.push({
    close: () => {
      closing ??= Promise.all([client.close(), subscriber.close()]).then(() => {})
      return closing
    },
  })
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

/** Each cluster's instances' connections, to crash one (`crashBackend`). */
const connectionsOf = new WeakMap<TestCluster, { close(): Promise<void> }[]>()

async function redisCluster(heartbeatMs?: number): Promise<TestCluster & { prefix: string }> {
  const prefix = `h${crypto.randomUUID().slice(0, 8)}`
  const backends = []
  for (let i = 0; i < 3; i++) {
    backends.push(createRedisCluster(await connect({ commands: [] }), { prefix }))
  }
  const cluster = Object.assign(startCluster(3, {}, backends, heartbeatMs), { prefix })
  connectionsOf.set(cluster, opened.slice(-3))
  return cluster
}

describeClusterScenarios(
  'cluster mode on Redis (node-redis), SDK v1 client, round robin over 3 instances',
  redisCluster,
)

describeClusterLegacyScenarios(
  'legacy HTTP+SSE in cluster mode on Redis (node-redis), SDK v1 SSE client, POSTs round robin over 3 instances',
  redisCluster,
  // A crashed process's Redis connections go with it: its subscription, heartbeat and cleanup.
  (cluster, instance) => connectionsOf.get(cluster)![instance]!.close(),
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

  it('counts Redis commands for an answer that crosses instances (stored, published, taken)', async () => {
    const counters = [{ commands: [] as string[] }, { commands: [] as string[] }]
    const prefix = `q${crypto.randomUUID().slice(0, 8)}`
    const backends = [
      createRedisCluster(await connect(counters[0]!), { prefix }),
      createRedisCluster(await connect(counters[1]!), { prefix }),
    ]
    const cluster = startCluster(2, {}, backends, 60_000)
    try {
      let poster: string[] = []
      // Twice: the first round may load the scripts (EVAL after NOSCRIPT) on a fresh Redis.
      for (let round = 0; round < 2; round++) {
        const sessionId = await openElicitingSession(cluster)
        const { stream, answer } = await askOnFirst(cluster, sessionId)
        for (const counter of counters) counter.commands.length = 0
        expect((await cluster.fetchOn(1, post(answer, headers(sessionId)))).status).toBe(202)
        poster = [...counters[1]!.commands]
        expect(JSON.parse((await stream.next())!.data).id).toBe(2)
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      console.log(
        `Redis commands for a cross-instance answer: the POST's instance ${poster.join(' ')}; the waiter ${counters[0]!.commands.join(' ')}`,
      )
      // touch, store the answer, publish it (1 more than before the mailbox)
      expect(poster).toEqual(['EVALSHA', 'EVALSHA', 'PUBLISH'])
    } finally {
      await cluster.close()
    }
  })

  it('counts Redis commands per forwarded legacy POST, and the closed stream leaves no key', async () => {
    const counters = [{ commands: [] as string[] }, { commands: [] as string[] }]
    const prefix = `l${crypto.randomUUID().slice(0, 8)}`
    const ownerConnection = await connect(counters[0]!)
    const backends = [
      createRedisCluster(ownerConnection, { prefix }),
      createRedisCluster(await connect(counters[1]!), { prefix }),
    ]
    const cluster = startCluster(2, {}, backends, 60_000)
    try {
      const stream = await cluster.fetchOn(
        0,
        new Request('http://127.0.0.1:3000/sse', { headers: { accept: 'text/event-stream' } }),
      )
      const events = sseReader(stream)
      const endpoint = (await events.next())!.data
      const sessionId = new URL(endpoint, 'http://x').searchParams.get('sessionId')!
      const toMessages = (body: unknown) => post(JSON.stringify(body), {}, endpoint)
      expect(
        (await cluster.fetchOn(1, toMessages(JSON.parse(initializeBody(1, '2024-11-05'))))).status,
      ).toBe(202)
      expect(JSON.parse((await events.next())!.data).id).toBe(1)
      const forwarder: number[] = []
      const owner: number[] = []
      for (let id = 2; id < 8; id++) {
        for (const counter of counters) counter.commands.length = 0
        const response = await cluster.fetchOn(
          1,
          toMessages({ jsonrpc: '2.0', id, method: 'ping' }),
        )
        expect(response.status).toBe(202)
        expect(JSON.parse((await events.next())!.data)).toEqual({ jsonrpc: '2.0', id, result: {} })
        await new Promise((resolve) => setTimeout(resolve, 5))
        forwarder.push(counters[1]!.commands.length)
        owner.push(counters[0]!.commands.length)
      }
      console.log(
        `Redis commands per forwarded legacy POST: forwarder ${forwarder.join(',')} (${counters[1]!.commands.join(' ')}), owner ${owner.join(',')} (${counters[0]!.commands.join(' ')})`,
      )
      expect(Math.max(...forwarder)).toBe(2) // read the record, publish to the owner's inbox
      expect(Math.max(...owner)).toBe(1) // publish the answer to the forwarder's inbox
      await events.stop() // the client goes away: the owner deletes the record
      await waitFor(() => cluster.handlers[0]!.stats().sessions === 0)
      await new Promise((resolve) => setTimeout(resolve, 50))
      expect(await scan(ownerConnection, `${prefix}:{${sessionId}}*`)).toEqual([])
    } finally {
      await cluster.close()
    }
  })
})
