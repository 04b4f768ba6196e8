// The contract suite with Bun's built-in RedisClient through fromBun: runs where Bun is the
// runtime (`test:bun`, vitest on Bun), and is skipped on Node.
import { describe, expect, inject, it } from 'vitest'
import { describeClusterContract } from '../../server/test/_cluster-contract.js'
import { waitFor } from '../../server/test/_wait-for.js'
import {
  type BunRedisClientLike,
  type BunRedisSubscriberLike,
  createRedisCluster,
  fromBun,
} from '../src/index.js'
import { redisHarness } from './_harness.js'
import { slowReconnectProxy } from './_slow-reconnect-proxy.js'

/** The part of Bun's RedisClient the test uses. */
interface BunRedisClient extends BunRedisClientLike {
  connect(): Promise<void>
  duplicate(): Promise<BunRedisClient & BunRedisSubscriberLike>
  close(): void
}

const Bun = (globalThis as { Bun?: { RedisClient: new (url: string) => BunRedisClient } }).Bun

describe.skipIf(Bun === undefined)('on Bun', () => {
  describeClusterContract(
    "Redis with Bun's RedisClient",
    redisHarness(async (url) => {
      const client = new Bun!.RedisClient(url)
      await client.connect()
      const subscriber = await client.duplicate()
      return {
        connection: fromBun(client, subscriber),
        async close() {
          subscriber.close()
          client.close()
        },
      }
    }),
  )

  it('fromBun subscribes again after a pubsub drop, and reports the reconnect once it has', async () => {
    const url = inject('redisUrl')
    const client = new Bun!.RedisClient(url)
    await client.connect()
    // Through a proxy, so the test kills its own subscriber only (other files may share the Redis).
    const proxy = await slowReconnectProxy(url, 0)
    const subscriber = new Bun!.RedisClient(proxy.url) as BunRedisClient & BunRedisSubscriberLike
    await subscriber.connect()
    let theirs = 0
    subscriber.onconnect = () => theirs++ // the user's own callback is kept
    const cluster = createRedisCluster(fromBun(client, subscriber), {
      prefix: `b${crypto.randomUUID().slice(0, 8)}`,
    })
    try {
      const got: string[] = []
      const topic = `s.${crypto.randomUUID()}`
      await cluster.bus.subscribe(topic, (payload) => got.push(payload))
      const left = `s.${crypto.randomUUID()}`
      await (await cluster.bus.subscribe(left, (payload) => got.push(payload)))()
      let reconnects = 0
      const heard: (number | undefined)[] = []
      cluster.bus.onReconnect!(() => {
        reconnects++
        // Reported only once the channel is subscribed again: a publication now is heard.
        void cluster.bus.publish(topic, `after ${reconnects}`).then((n) => heard.push(n))
      })
      for (let round = 1; round <= 2; round++) {
        const [address] = proxy.addresses()
        expect(await client.send('CLIENT', ['KILL', 'TYPE', 'pubsub', 'ADDR', address!])).toBe(1)
        await waitFor(() => reconnects === round && heard.length === round)
      }
      expect(heard).toEqual([1, 1])
      expect(theirs).toBe(2)
      expect(await cluster.bus.publish(topic, 'last')).toBe(1)
      expect(await cluster.bus.publish(left, 'nobody')).toBe(0)
      await waitFor(() => got.length === 3)
      await new Promise((resolve) => setTimeout(resolve, 50))
      expect(got).toEqual(['after 1', 'after 2', 'last']) // each once
    } finally {
      subscriber.close()
      client.close()
      await proxy.close()
    }
  })
})
