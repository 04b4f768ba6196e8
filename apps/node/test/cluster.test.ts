// Three Node sample processes in cluster mode on one real Redis (REDIS_URL), driven by the SDK v1
// client through a round-robin fetch with no stickiness. Starts Debian's redis-server (installed
// with apt-get when missing, as the @mcpwire/redis tests do) unless MCPWIRE_REDIS_URL names one.
import { type RunningApp, startApp } from '@mcpwire/app-shared/testing'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ensureRedisServer,
  type RedisServerProcess,
  startRedisServer,
} from '../../../packages/redis/test/_redis-server.js'

const given = process.env.MCPWIRE_REDIS_URL

describe('Node sample in cluster mode: 3 processes on one Redis', () => {
  let redis: RedisServerProcess | undefined
  let apps: RunningApp[] = []

  beforeAll(async () => {
    let url = given
    if (url === undefined || url === '') {
      redis = await startRedisServer(ensureRedisServer())
      url = redis.url
    }
    apps = await Promise.all(
      [1, 2, 3].map((n) =>
        startApp('node', 60_000, {
          REDIS_URL: url!,
          INSTANCE_ID: `app${n}`,
          HIBERNATE_AFTER_MS: '2000',
        }),
      ),
    )
  }, 90_000)

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.stop()))
    await redis?.stop()
  })

  it('serves one session from every instance: handshake, tools, progress', async () => {
    const served: number[] = []
    let next = 0
    const roundRobin = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const instance = next++ % apps.length
      served.push(instance)
      const url = new URL(input instanceof Request ? input.url : String(input))
      const target = new URL(url.pathname + url.search, apps[instance]!.url)
      return fetch(input instanceof Request ? new Request(target, input) : target, init)
    }
    const client = new Client({ name: 'cluster-app-test', version: '1.0.0' })
    await client.connect(
      new StreamableHTTPClientTransport(new URL('http://cluster.invalid/mcp'), {
        fetch: roundRobin,
      }),
    )
    try {
      const tools = await client.listTools()
      expect(tools.tools.map((tool) => tool.name)).toEqual(
        expect.arrayContaining(['echo', 'countdown']),
      )
      for (let i = 0; i < 6; i++) {
        const echoed = await client.callTool({ name: 'echo', arguments: { text: `hi ${i}` } })
        expect(echoed.content).toEqual([{ type: 'text', text: `hi ${i}` }])
      }
      const progress: number[] = []
      await client.callTool(
        { name: 'countdown', arguments: { ticks: 3, intervalMs: 10 } },
        undefined,
        {
          onprogress: (p) => progress.push(p.progress),
        },
      )
      expect(progress).toEqual([1, 2, 3])
      expect(new Set(served).size).toBe(3)
    } finally {
      await client.close()
    }
  })
})
