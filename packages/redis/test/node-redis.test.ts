import { createClient } from 'redis'
import { describeClusterContract } from '../../server/test/_cluster-contract.js'
import { fromNodeRedis } from '../src/index.js'
import { redisHarness } from './_harness.js'

// node-redis 6 speaks RESP3 by default; the second run checks RESP2 gives the same answers.
for (const RESP of [3, 2] as const) {
  describeClusterContract(
    `Redis with node-redis 6 (RESP${RESP})`,
    redisHarness(async (url) => {
      const client = await createClient({ url, RESP }).connect()
      const subscriber = await client.duplicate().connect()
      return {
        connection: fromNodeRedis(client, subscriber),
        async close() {
          await Promise.all([client.close(), subscriber.close()])
        },
      }
    }),
  )
}
