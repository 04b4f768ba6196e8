import { Redis } from 'ioredis'
import { createClient } from 'redis'
import { afterEach, describe, expect, inject, it } from 'vitest'
import {
  createRedisCluster,
  fromIoredis,
  fromNodeRedis,
  RedisUnavailableError,
} from '../src/index.js'
import { freePort, type RedisServerProcess, startRedisServer } from './_redis-server.js'

const binary = inject('redisServer')
const record = () => ({
  id: crypto.randomUUID(),
  principal: '',
  kind: 'streamable' as const,
  protocolVersion: '2025-11-25',
  replay: { initialize: '{}', initialized: false, subscriptions: [] },
  replayVersion: 1,
})

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('Expected a rejection')
}

describe.skipIf(binary === '')('Redis unreachable', () => {
  const cleanups: (() => Promise<unknown>)[] = []
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {})
  })

  it('calls fail with RedisUnavailableError while the server is down, and work once it is back (node-redis)', async () => {
    let server: RedisServerProcess = await startRedisServer(binary)
    cleanups.push(() => server.stop('SIGKILL'))
    // Keep reconnecting quietly; the adapter's own timeout bounds every call.
    const options = { url: server.url, socket: { reconnectStrategy: () => 50 } }
    const client = createClient(options)
    client.on('error', () => {})
    await client.connect()
    const subscriber = client.duplicate()
    subscriber.on('error', () => {})
    await subscriber.connect()
    cleanups.push(async () => {
      client.destroy()
      subscriber.destroy()
    })
    const cluster = createRedisCluster(fromNodeRedis(client, subscriber), {
      commandTimeoutMs: 300,
    })
    const session = record()
    expect(await cluster.sessions.create(session, 60_000)).toBe(true)

    await server.stop('SIGKILL')
    const touched = await rejection(cluster.sessions.touch(session.id, 60_000))
    expect(touched).toBeInstanceOf(RedisUnavailableError)
    expect(await rejection(cluster.bus.publish('s.x', 'hello'))).toBeInstanceOf(
      RedisUnavailableError,
    )
    expect(await rejection(cluster.events.read(`${session.id}.g`, null, 10))).toBeInstanceOf(
      RedisUnavailableError,
    )

    // The same port again, empty (no persistence): the client reconnects, the session is gone.
    // Registered before it is awaited, so a timeout mid-start still stops it.
    const restart = startRedisServer(binary, server.port)
    cleanups.push(async () => (await restart).stop('SIGKILL'))
    server = await restart
    let answer: unknown
    const deadline = Date.now() + 20_000
    while (answer === undefined && Date.now() < deadline) {
      answer = await cluster.sessions.touch(session.id, 60_000).catch(() => undefined)
      if (answer === undefined) await new Promise((resolve) => setTimeout(resolve, 50))
    }
    expect(answer).toBe('gone')
  })

  it('calls against a closed port fail with RedisUnavailableError (ioredis)', async () => {
    const port = await freePort()
    const client = new Redis({
      port,
      host: '127.0.0.1',
      lazyConnect: true,
      retryStrategy: () => 50,
    })
    client.on('error', () => {})
    const subscriber = client.duplicate()
    subscriber.on('error', () => {})
    cleanups.push(async () => {
      client.disconnect()
      subscriber.disconnect()
    })
    const cluster = createRedisCluster(fromIoredis(client, subscriber), { commandTimeoutMs: 300 })
    const error = await rejection(cluster.sessions.create(record(), 1000))
    expect(error).toBeInstanceOf(RedisUnavailableError)
    expect((error as Error).message).toMatch(/^Redis /)
    expect(await rejection(cluster.bus.subscribe('s.x', () => {}))).toBeInstanceOf(
      RedisUnavailableError,
    )
    expect(await rejection(cluster.sessions.isAlive('a1'))).toBeInstanceOf(RedisUnavailableError)
  })

  it('a reply error of Redis is not taken for unavailability', async () => {
    const server = await startRedisServer(binary)
    cleanups.push(() => server.stop())
    const client = await createClient({ url: server.url }).connect()
    const subscriber = await client.duplicate().connect()
    cleanups.push(() => Promise.all([client.close(), subscriber.close()]))
    const cluster = createRedisCluster(fromNodeRedis(client, subscriber))
    const session = record()
    await cluster.sessions.create(session, 60_000)
    // A key of the wrong type where the session hash belongs: WRONGTYPE, a bug, not an outage.
    await client.sendCommand(['DEL', `mw:{${session.id}}`])
    await client.sendCommand(['SET', `mw:{${session.id}}`, 'x'])
    const error = await rejection(cluster.sessions.get(session.id))
    expect(error).not.toBeInstanceOf(RedisUnavailableError)
    expect((error as Error).message).toMatch(/^WRONGTYPE/)
  })
})
