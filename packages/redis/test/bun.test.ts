// The contract suite with Bun's built-in RedisClient through fromBun: runs where Bun is the
// runtime (`test:bun`, vitest on Bun), and is skipped on Node.
import { describe } from 'vitest'
import { describeClusterContract } from '../../server/test/_cluster-contract.js'
import { type BunRedisClientLike, type BunRedisSubscriberLike, fromBun } from '../src/index.js'
import { redisHarness } from './_harness.js'

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
})
