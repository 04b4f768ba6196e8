// The scenario behind the session mailbox, on a real Redis: a tool on instance 0 awaits an
// elicitation, both instances' subscriber connections are killed (`CLIENT KILL TYPE pubsub ADDR`,
// only this test's: other files share the Redis) right before the client's answer lands on instance 1, and the tool still gets the answer once, soon after instance
// 0's subscriber is back (the heartbeat is a minute: only the reconnect can bring it this soon).
import { describe, expect, inject, it } from 'vitest'
import { startCluster } from '../../server/test/_cluster.js'
import {
  askOnFirst,
  headers,
  openElicitingSession,
} from '../../server/test/_cluster-elicitation.js'
import { post } from '../../server/test/_requests.js'
import { createRedisCluster } from '../src/index.js'
import type { OpenedConnection } from './_harness.js'
import { scan } from './_harness.js'
import { slowReconnectProxy } from './_slow-reconnect-proxy.js'

/** How long a killed subscriber stays away. */
const RECONNECT_MS = 300

/**
 * Registers the scenario for one client library.
 *
 * @param open Connects one instance: commands to `url`, the subscriber to `subscriberUrl`, a
 *   proxy that holds every reconnect 300 ms (see `_slow-reconnect-proxy.ts`), so the answer
 *   certainly lands while the subscriber is away: the test checks that its publication reached
 *   nobody.
 */
export function describeAnswerAfterPubsubDrop(
  name: string,
  open: (url: string, subscriberUrl: string) => Promise<OpenedConnection>,
): void {
  describe(`cluster mode on Redis (${name}): an answer published while the subscriber reconnects`, () => {
    it('reaches the tool awaiting it once its subscriber is back, exactly once', async () => {
      const url = inject('redisUrl')
      const prefix = `d${crypto.randomUUID().slice(0, 8)}`
      const proxies = [
        await slowReconnectProxy(url, RECONNECT_MS),
        await slowReconnectProxy(url, RECONNECT_MS),
      ]
      const connections = [
        await open(url, proxies[0]!.url),
        await open(url, proxies[1]!.url),
        await open(url, url),
      ]
      const [a, b, admin] = connections.map((c) => c.connection) as [
        (typeof connections)[0]['connection'],
        (typeof connections)[0]['connection'],
        (typeof connections)[0]['connection'],
      ]
      const backendB = createRedisCluster(b, { prefix })
      const published: (number | undefined)[] = []
      const busB = backendB.bus
      const bus = {
        publish: async (topic: string, payload: string) => {
          const count = await busB.publish(topic, payload)
          if (payload.startsWith('{"t":"answer"')) published.push(count)
          return count
        },
        subscribe: busB.subscribe.bind(busB),
        onReconnect: (listener: () => void) => busB.onReconnect!(listener),
      }
      const errors: unknown[] = []
      const cluster = startCluster(
        2,
        { onerror: (error) => errors.push(error) },
        [createRedisCluster(a, { prefix }), { ...backendB, bus }],
        60_000,
      )
      try {
        const sessionId = await openElicitingSession(cluster)
        const { stream, answer } = await askOnFirst(cluster, sessionId)
        for (const address of proxies.flatMap((proxy) => proxy.addresses())) {
          expect(
            await admin.commands.send('CLIENT', ['KILL', 'TYPE', 'pubsub', 'ADDR', address]),
          ).toBe(1)
        }
        const answeredAt = Date.now()
        expect((await cluster.fetchOn(1, post(answer, headers(sessionId)))).status).toBe(202)
        expect(published).toEqual([0]) // nobody heard it live
        const result = JSON.parse((await stream.next())!.data)
        const waited = Date.now() - answeredAt
        console.log(
          `${name}: the answer reached the tool ${waited} ms after the POST (publication heard by ${published.join(',')})`,
        )
        expect(result.id).toBe(2)
        expect(result.result.content[0].text).toBe('i0:{"name":"Ada"}')
        expect(await stream.next()).toBeUndefined()
        expect(waited).toBeLessThan(10_000) // the SDK's own timeout is a minute
        // Taken: the mailbox is empty, so the answer cannot come twice.
        expect(await scan(admin, `${prefix}:{${sessionId}}:an`)).toEqual([])
        expect(errors).toEqual([])
      } finally {
        await cluster.close()
        await Promise.all(connections.map((c) => c.close()))
        await Promise.all(proxies.map((proxy) => proxy.close()))
      }
    })
  })
}
