import { Redis } from 'ioredis'
import { describeClusterContract } from '../../server/test/_cluster-contract.js'
import { fromIoredis } from '../src/index.js'
import { redisHarness } from './_harness.js'

describeClusterContract(
  'Redis with ioredis 6',
  redisHarness(async (url) => {
    const client = new Redis(url)
    const subscriber = client.duplicate()
    return {
      connection: fromIoredis(client, subscriber),
      async close() {
        await Promise.all([client.quit(), subscriber.quit()])
      },
    }
  }),
)
