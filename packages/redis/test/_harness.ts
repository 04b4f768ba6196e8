// Builds the contract harness for one Redis client library: two instances, each with its own
// command and subscriber connections, on a key prefix of their own so tests never share keys.
import { inject } from 'vitest'
import type { ClusterHarness } from '../../server/test/_cluster-contract.js'
import { createRedisCluster, type RedisConnection } from '../src/index.js'

/** One instance's connection, and how to close it. */
export interface OpenedConnection {
  readonly connection: RedisConnection
  close(): Promise<void>
}

export const TTL_MS = 1000
export const MAX_EVENTS = 80
export const MAX_ENDED = 3

/** A harness whose instances connect with `open(url)`. */
export function redisHarness(
  open: (url: string) => Promise<OpenedConnection>,
): ClusterHarness & { url: string } {
  const url = inject('redisUrl')
  let opened: OpenedConnection[] = []
  let prefix = ''
  return {
    url,
    ttlMs: TTL_MS,
    maxEventsPerStream: MAX_EVENTS,
    maxEndedStreams: MAX_ENDED,
    async create() {
      prefix = `t${crypto.randomUUID().slice(0, 8)}`
      opened = [await open(url), await open(url)]
      const options = { prefix, maxEventsPerStream: MAX_EVENTS, maxEndedStreams: MAX_ENDED }
      return {
        a: createRedisCluster(opened[0]!.connection, options),
        b: createRedisCluster(opened[1]!.connection, options),
      }
    },
    async elapse(ms) {
      await new Promise((resolve) => setTimeout(resolve, ms))
    },
    async keysOf(sessionId) {
      const keys = await scan(opened[0]!.connection, `${prefix}:{${sessionId}}*`)
      return keys.length
    },
    async destroy() {
      const keys = await scan(opened[0]!.connection, `${prefix}:*`)
      if (keys.length > 0) await opened[0]!.connection.commands.send('DEL', keys)
      await Promise.all(opened.map((connection) => connection.close()))
      opened = []
    },
  }
}

/** Every key matching `pattern` (SCAN, never KEYS). */
export async function scan(connection: RedisConnection, pattern: string): Promise<string[]> {
  const keys: string[] = []
  let cursor = '0'
  do {
    const reply = (await connection.commands.send('SCAN', [
      cursor,
      'MATCH',
      pattern,
      'COUNT',
      '1000',
    ])) as [string, string[]]
    cursor = String(reply[0])
    keys.push(...reply[1].map(String))
  } while (cursor !== '0')
  return keys
}
