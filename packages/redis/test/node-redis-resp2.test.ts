import { createClient } from 'redis'
import { describeClusterContract } from '../../server/test/_cluster-contract.js'
import { fromNodeRedis } from '../src/index.js'
import { redisHarness } from './_harness.js'

// The same contract with node-redis 6 on RESP2 (RESP3 is its default).
describeClusterContract(
  'Redis with node-redis 6 (RESP2)',
  redisHarness(async (url) => {
    const client = await createClient({ url, RESP: 2 }).connect()
    const subscriber = await client.duplicate().connect()
    return {
      connection: fromNodeRedis(client, subscriber),
      async close() {
        await Promise.all([client.close(), subscriber.close()])
      },
    }
  }),
)
