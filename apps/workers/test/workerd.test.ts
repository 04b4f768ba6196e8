// The Workers sample on workerd, the open-source Workers runtime: SDK v2 clients on the stateless
// 2026-07-28 era, and an SDK v1 client on a legacy session held in the one isolate.
import { execFileSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  Client as V2Client,
  StreamableHTTPClientTransport as V2Transport,
} from '@modelcontextprotocol/client'
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport as V1Transport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
// @ts-expect-error: a plain ES module script without types
import { startWorkerd } from '../scripts/workerd.mjs'

const appDir = join(dirname(fileURLToPath(import.meta.url)), '..')

let workerd: { url: string; output(): string; stop(): Promise<void> }

beforeAll(async () => {
  execFileSync(process.execPath, [join(appDir, 'scripts', 'bundle.mjs')], { cwd: appDir })
  workerd = await startWorkerd()
}, 60_000)

afterAll(async () => {
  await workerd?.stop()
})

describe('the Workers sample on workerd', () => {
  it('serves an SDK v2 client pinned to 2026-07-28, statelessly', async () => {
    const client = new V2Client(
      { name: 'workers-test', version: '1.0.0' },
      { versionNegotiation: { mode: { pin: '2026-07-28' } } },
    )
    const transport = new V2Transport(new URL(`${workerd.url}/mcp`))
    await client.connect(transport)
    const { tools } = await client.listTools()
    expect(tools.map((tool) => tool.name)).toContain('echo')
    const echo = await client.callTool({ name: 'echo', arguments: { text: 'on workerd' } })
    expect(echo.content).toEqual([{ type: 'text', text: 'on workerd' }])
    expect(transport.sessionId).toBeUndefined()
    await client.close()
  })

  it('serves an SDK v1 client a legacy session within the isolate', async () => {
    const client = new V1Client({ name: 'workers-test', version: '1.0.0' })
    const transport = new V1Transport(new URL(`${workerd.url}/mcp`))
    await client.connect(transport)
    expect(transport.sessionId).toBeDefined()
    const echo = await client.callTool({ name: 'echo', arguments: { text: 'legacy' } })
    expect(echo.content).toEqual([{ type: 'text', text: 'legacy' }])
    await client.close()
  })

  it('answers /health and an unknown path as the other sample apps do', async () => {
    expect(await (await fetch(`${workerd.url}/health`)).json()).toEqual({ status: 'ok' })
    const response = await fetch(`${workerd.url}/nowhere`)
    expect(response.status).toBe(404)
    expect((await response.json()).error.code).toBe(-32000)
  })
})
