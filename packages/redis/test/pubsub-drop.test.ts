// The session mailbox's scenario (`_answer-after-drop.ts`) with node-redis and ioredis. Their
// subscribers go through a proxy that holds a reconnect 300 ms: node-redis reconnects at once after
// a drop, so its own strategy cannot make the window.
import { Redis } from 'ioredis'
import { createClient } from 'redis'
import { fromIoredis, fromNodeRedis } from '../src/index.js'
import { describeAnswerAfterPubsubDrop } from './_answer-after-drop.js'

describeAnswerAfterPubsubDrop('node-redis', async (url, subscriberUrl) => {
  const client = await createClient({ url }).connect()
  const subscriber = await createClient({ url: subscriberUrl }).connect()
  subscriber.on('error', () => {}) // the kill
  return {
    connection: fromNodeRedis(client, subscriber),
    async close() {
      await Promise.all([client.close(), subscriber.close()])
    },
  }
})

describeAnswerAfterPubsubDrop('ioredis', async (url, subscriberUrl) => {
  const client = new Redis(url)
  const subscriber = new Redis(subscriberUrl)
  subscriber.on('error', () => {})
  return {
    connection: fromIoredis(client, subscriber),
    async close() {
      await Promise.all([client.quit(), subscriber.quit()])
    },
  }
})
