import { createClient } from 'redis'
import { describeClusterContract } from '../../server/test/_cluster-contract.js'
import { fromNodeRedis } from '../src/index.js'
import { redisHarness } from './_harness.js'

// node-redis 6 speaks RESP3 by default; node-redis-resp2.test.ts checks RESP2 answers the same.
describeClusterContract(
  'Redis with node-redis 6 (RESP3)',
  redisHarness(async (url) => {
    const client = await createClient({ url }).connect()
    const subscriber = await client.duplicate().connect()
    return {
      connection: fromNodeRedis(client, subscriber),
      async close() {
        await Promise.all([client.close(), subscriber.close()])
      },
    }
  }),
)
