// The MCP Inspector CLI (its --cli mode, on Node 24) against each sample app: it lists the tools
// and calls `echo`, over Streamable HTTP (/mcp) and over the legacy HTTP+SSE transport (/sse).
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { RUNTIMES, type RunningApp, startApp } from '@mcpwire/app-shared/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { inspectorLauncher, repositoryRoot } from './_inspector-cli.js'

const NODE_RELEASE = '24.22.3'

let node: string
let launcher: string
// The CLI keeps a catalog of servers; it goes to a scratch file, not the user's home.
const scratch = mkdtempSync(join(tmpdir(), 'mcpwire-inspector-'))

function run(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { timeout: 60_000, env: { ...process.env, MCP_CATALOG_PATH: join(scratch, 'catalog.json') } },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${error.message}\n${stdout}\n${stderr}`))
        else resolve(stdout)
      },
    )
  })
}

/** Runs `inspector --cli <url> ...args` and parses the JSON it prints. */
async function inspector(url: string, ...args: string[]): Promise<unknown> {
  return JSON.parse(await run(node, [launcher, '--cli', url, ...args]))
}

beforeAll(async () => {
  const release = join(repositoryRoot, 'scripts', 'node-release.mjs')
  ;[node, launcher] = await Promise.all([
    run(process.execPath, [release, NODE_RELEASE]).then((out) => out.trim().split('\n').at(-1)!),
    inspectorLauncher(),
  ])
}, 180_000)

afterAll(() => rmSync(scratch, { recursive: true, force: true }))

describe.each(RUNTIMES)('the Inspector CLI against the %s app', (runtime) => {
  let app: RunningApp

  beforeAll(async () => {
    app = await startApp(runtime)
  }, 90_000)
  afterAll(async () => {
    await app?.stop()
  })

  it.each([
    ['Streamable HTTP', '/mcp'],
    ['legacy HTTP+SSE', '/sse'],
  ])(
    'lists the tools and calls echo over %s',
    async (_name, path) => {
      const url = `${app.url}${path}`
      const [listed, called] = await Promise.all([
        inspector(url, '--method', 'tools/list'),
        inspector(url, '--method', 'tools/call', '--tool-name', 'echo', '--tool-arg', 'text=hello'),
      ])
      const names = (listed as { tools: { name: string }[] }).tools.map((tool) => tool.name)
      expect(names).toContain('echo')
      expect(names).toContain('countdown')
      expect(called).toEqual({ content: [{ type: 'text', text: 'hello' }] })
    },
    90_000,
  )
})
