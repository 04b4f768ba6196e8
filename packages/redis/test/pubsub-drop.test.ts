// The session mailbox's scenario (`_answer-after-drop.ts`) with node-redis and ioredis, each
// instance's subscriber going through a proxy that holds its reconnect 300 ms (node-redis
// reconnects at once after a drop, so its own strategy cannot make the window).
import { Redis } from 'ioredis'
import { createClient } from 'redis'
import { fromIoredis, fromNodeRedis } from '../src/index.js'
import { describeAnswerAfterPubsubDrop } from './_answer-after-drop.js'
import { slowReconnectProxy } from './_slow-reconnect-proxy.js'

const RECONNECT_MS = 300

describeAnswerAfterPubsubDrop('node-redis', async (url) => {
  const proxy = await slowReconnectProxy(url, RECONNECT_MS)
  const client = await createClient({ url }).connect()
  const subscriber = await createClient({ url: proxy.url }).connect()
  subscriber.on('error', () => {}) // the kill
  return {
    connection: fromNodeRedis(client, subscriber),
    async close() {
      await Promise.all([client.close(), subscriber.close()])
      await proxy.close()
    },
  }
})

describeAnswerAfterPubsubDrop('ioredis', async (url) => {
  const proxy = await slowReconnectProxy(url, RECONNECT_MS)
  const client = new Redis(url)
  const subscriber = new Redis(proxy.url)
  subscriber.on('error', () => {})
  return {
    connection: fromIoredis(client, subscriber),
    async close() {
      await Promise.all([client.quit(), subscriber.quit()])
      await proxy.close()
    },
  }
})
